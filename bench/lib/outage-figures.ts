/** Figures of a tracker-outage run from the viewers' reports (pure: tested without a browser). */
import type { ViewerReport } from '@swarmcast/web';
import type { MeanMax } from './stats.js';
import { max, mean } from './stats.js';

/** The moments of the outage, ms since the epoch. */
export interface OutageTimes {
  readonly killAtMs: number;
  /** When the restarted tracker listened again. */
  readonly restartAtMs: number;
}

export interface OutageFigures {
  /** Per viewer: seconds from the restart to its first join after the kill; null if it never re-joined. */
  readonly rejoinSecPerViewer: readonly (number | null)[];
  readonly rejoinSec: MeanMax;
  readonly notRejoined: number;
  /**
   * Per viewer, the waits between its reconnect attempts during the outage (s): each failed attempt
   * is one 'disconnected' event, so these are the backoff delays (refused connects take ~1 ms here).
   */
  readonly reconnectDelaysSec: readonly (readonly number[])[];
  /** Per attempt number: the least and largest delay across viewers (the jitter's spread). */
  readonly reconnectDelaySpreadSec: readonly { readonly attempt: number; readonly min: number; readonly max: number; readonly viewers: number }[];
  /** Segment bytes viewers got from peers between the kill and the restart. */
  readonly p2pBytesDuringOutage: number;
  readonly httpBytesDuringOutage: number;
  /** P2P share of segment bytes between the kill and the restart, and over the same time before the kill; null without bytes. */
  readonly p2pShareDuringOutage: number | null;
  readonly p2pShareBeforeOutage: number | null;
  /** Stalls that began between the kill and the restart, all viewers. */
  readonly stallsDuringOutage: number;
  /** Mean peer connections per viewer at the end of the outage (connections held without a tracker). */
  readonly peersAtRestart: number | null;
}

const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * `atStart`, `atKill`, `atRestart`, `final`: the same viewers' reports (same order) when the share
 * before the kill starts being counted, at the kill, at the restart and at the end.
 */
export function outageFigures(times: OutageTimes, atStart: readonly ViewerReport[], atKill: readonly ViewerReport[], atRestart: readonly ViewerReport[], final: readonly ViewerReport[]): OutageFigures {
  const rejoin = final.map((r) => {
    const first = r.trackerEvents.find((e) => e.kind === 'connected' && e.atMs > times.killAtMs);
    return first === undefined ? null : round(Math.max(0, first.atMs - times.restartAtMs) / 1000);
  });
  const delays = final.map((r) => {
    const downs = r.trackerEvents.filter((e) => e.kind === 'disconnected' && e.atMs >= times.killAtMs && e.atMs <= times.restartAtMs + 60_000).map((e) => e.atMs);
    const up = r.trackerEvents.find((e) => e.kind === 'connected' && e.atMs > times.killAtMs)?.atMs;
    const attempts = up === undefined ? downs : [...downs.filter((t) => t < up), up];
    return attempts.slice(1).map((t, i) => round((t - (attempts[i] ?? t)) / 1000));
  });
  const attempts = Math.max(0, ...delays.map((d) => d.length));
  const spread = Array.from({ length: attempts }, (_, k) => {
    const values = delays.flatMap((d) => (d[k] === undefined ? [] : [d[k]]));
    return { attempt: k + 1, min: Math.min(...values), max: Math.max(...values), viewers: values.length };
  });
  const sumDelta = (pick: (r: ViewerReport) => number): number => atRestart.reduce((n, r, i) => n + pick(r) - pick(atKill[i] ?? r), 0);
  const rejoined = rejoin.filter((v): v is number => v !== null);
  const share = (p2p: number, http: number): number | null => (p2p + http > 0 ? round(p2p / (p2p + http), 3) : null);
  const p2pDuring = sumDelta((r) => r.p2pBytes);
  const httpDuring = sumDelta((r) => r.httpBytes);
  const sumBefore = (pick: (r: ViewerReport) => number): number => atKill.reduce((n, r, i) => n + pick(r) - pick(atStart[i] ?? r), 0);
  return {
    rejoinSecPerViewer: rejoin,
    rejoinSec: { mean: rejoined.length > 0 ? round(mean(rejoined) ?? 0) : null, max: max(rejoined) },
    notRejoined: rejoin.length - rejoined.length,
    reconnectDelaysSec: delays,
    reconnectDelaySpreadSec: spread,
    p2pBytesDuringOutage: p2pDuring,
    httpBytesDuringOutage: httpDuring,
    p2pShareDuringOutage: share(p2pDuring, httpDuring),
    p2pShareBeforeOutage: share(sumBefore((r) => r.p2pBytes), sumBefore((r) => r.httpBytes)),
    stallsDuringOutage: sumDelta((r) => r.stalls),
    peersAtRestart: atRestart.length > 0 ? round(mean(atRestart.map((r) => r.peers)) ?? 0) : null,
  };
}
