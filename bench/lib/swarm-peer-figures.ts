/** One bench:swarm peer's figures, and what makes a peer "starving". */
import type { EngineStats } from '@swarmcast/core';
import type { RtcLinkInfo } from '@swarmcast/node';
import type { PlaybackFigures } from './swarm-playback.js';

/** Segments loaded by source, and the ones the player never got. */
export interface SegmentTally {
  http: number;
  p2p: number;
  /** Given up after every attempt failed. */
  failed: number;
  /** Dropped out of the live window before the player reached them (it jumped forward). */
  skipped: number;
}

/** Share of its expected segments a peer must have received not to be starving. */
export const MIN_RECEIVED_SHARE = 0.9;
/** Largest stalledMs / watchMs of a peer that is not starving. */
export const MAX_STALL_RATIO = 0.05;

/** Compact per-peer record of the JSON (`perPeer`); times in ms, bytes in bytes. */
export interface PeerFigures extends PlaybackFigures {
  /** Peer number in the swarm (join order). */
  readonly i: number;
  readonly httpBytes: number;
  readonly p2pBytes: number;
  readonly uploadedBytes: number;
  readonly segments: SegmentTally;
  /**
   * Segments the peer should have by the end: from the one it started at to the last one listed at
   * least 3 segment durations before the end (time to load it however late the player is).
   */
  readonly expected: number;
  /** Of those, the ones it loaded. */
  readonly received: number;
  /**
   * Of stalledMs, the time its process's event loop was held (a timer > 250 ms late, see
   * swarm-loop-holds.ts): the player could not have played or fetched then, whatever the swarm did.
   */
  readonly stalledWhileHeldMs: number;
  /**
   * Would still be starving with stalledWhileHeldMs taken out of its stall time (a diagnosis of
   * why it starved; `starving` is the figure).
   */
  readonly starvingBesidesHeldLoop: boolean;
  /** Most peers it was connected to (sampled at each segment). */
  readonly peersMax: number;
  /**
   * Its WebRTC connections (the connector's records, at most MAX_LINK_RECORDS): made, opened, and
   * the slowest open, ms; and why the engine closed them (opened or not), by reason. Setting
   * connections up is a large share of a Node peer's CPU.
   */
  readonly links: { readonly made: number; readonly opened: number; readonly openMsMax: number | null; readonly closeReasons: Readonly<Record<string, number>> };
  /**
   * Starving: never started playing, or received < MIN_RECEIVED_SHARE (90 %) of `expected`, or
   * stalled more than MAX_STALL_RATIO (5 %) of its watch time.
   */
  readonly starving: boolean;
  /** The first few errors it met (engine, playlist, segment), for diagnosis. */
  readonly errors: readonly string[];
}

export interface PeerFiguresInput {
  readonly index: number;
  readonly playback: PlaybackFigures;
  readonly stalledWhileHeldMs: number;
  readonly stats: Pick<EngineStats, 'httpBytes' | 'p2pBytes' | 'uploadedBytes'>;
  readonly tally: SegmentTally;
  readonly startSn: number | null;
  readonly lastExpectedSn: number | null;
  readonly received: number;
  readonly peersMax: number;
  readonly links: readonly RtcLinkInfo[];
  readonly closeReasons: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
}

export function stallRatioOf(p: Pick<PlaybackFigures, 'stalledMs' | 'watchMs'>): number {
  return p.watchMs > 0 ? p.stalledMs / p.watchMs : 0;
}

export function peerFigures(input: PeerFiguresInput): PeerFigures {
  const { playback, stats, startSn, lastExpectedSn } = input;
  const expected = startSn === null || lastExpectedSn === null ? 0 : Math.max(0, lastExpectedSn - startSn + 1);
  const starving =
    playback.startupMs === null || input.received < MIN_RECEIVED_SHARE * expected || stallRatioOf(playback) > MAX_STALL_RATIO;
  const ownStallMs = Math.max(0, playback.stalledMs - input.stalledWhileHeldMs);
  const starvingBesidesHeldLoop =
    playback.startupMs === null || input.received < MIN_RECEIVED_SHARE * expected || stallRatioOf({ stalledMs: ownStallMs, watchMs: playback.watchMs }) > MAX_STALL_RATIO;
  return {
    i: input.index,
    ...playback,
    httpBytes: stats.httpBytes,
    p2pBytes: stats.p2pBytes,
    uploadedBytes: stats.uploadedBytes,
    segments: { ...input.tally },
    expected,
    received: input.received,
    stalledWhileHeldMs: input.stalledWhileHeldMs,
    starvingBesidesHeldLoop,
    peersMax: input.peersMax,
    links: linkFigures(input.links, input.closeReasons),
    starving,
    errors: [...input.errors],
  };
}

function linkFigures(links: readonly RtcLinkInfo[], closeReasons: Readonly<Record<string, number>>): PeerFigures['links'] {
  const opens = links.flatMap((l) => (l.openAfterMs === undefined ? [] : [l.openAfterMs]));
  return { made: links.length, opened: opens.length, openMsMax: opens.length === 0 ? null : Math.round(Math.max(...opens)), closeReasons: { ...closeReasons } };
}
