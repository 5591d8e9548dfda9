/** The figures of `npm run bench:formats`: per run (type x mode x player), then per type. */
import { loadavg } from 'node:os';
import type { FormatRunResult } from '../../test/e2e/harness/formats-run.js';

export interface FormatRunFigures {
  /** Every viewer started, was still playing at the end of the run and had no fatal hls.js error. */
  readonly played: boolean;
  readonly viewers: number;
  readonly stalls: number;
  readonly stalledMs: number;
  /** hls.js errors, fatal or not, over all viewers; the distinct ones in hlsErrorKinds. */
  readonly hlsErrors: number;
  readonly hlsFatalErrors: number;
  readonly hlsErrorKinds: readonly string[];
  readonly p2pBytes: number;
  readonly httpBytes: number;
  /** p2pBytes / (p2pBytes + httpBytes) as the viewers count them; null when nothing was counted. */
  readonly p2pShare: number | null;
  /** Segments a viewer got whose bytes differ from the origin's (from peers or HTTP): must be 0. */
  readonly mismatchedSegments: number;
  readonly verifiedSegments: number;
  readonly verifiedP2pSegments: number;
  /** Segments the origin no longer had when asked (a live window slid): not checked. */
  readonly uncheckedSegments: number;
  /** Segment bytes the origin sent to viewers (init segments and single-file ranges included). */
  readonly originSegmentBytes: number;
  /** aes128: key responses from the origin (keys never travel between peers). */
  readonly keyRequests: number;
  /** tokens: requests the origin refused for a missing or bad token. */
  readonly forbidden: number;
  readonly startupMsMean: number | null;
  /** Mean over viewers of each one's mean distance to the live edge, s; null in VOD (or none measured). */
  readonly liveLatencySecMean: number | null;
  readonly wallMs: number;
  /** The machine's 1-minute load average at the end of the run (it is shared: read stalls with it). */
  readonly loadAverage1m: number;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function runFigures(result: FormatRunResult): FormatRunFigures {
  const { reports, check, origin } = result;
  const sum = (f: (r: (typeof reports)[number]) => number): number => reports.reduce((s, r) => s + f(r), 0);
  const p2pBytes = sum((r) => r.p2pBytes);
  const httpBytes = sum((r) => r.httpBytes);
  const startups = reports.flatMap((r) => (r.startupMs === null ? [] : [r.startupMs]));
  const latencies = reports.flatMap((r) => (r.liveLatencySec === null ? [] : [r.liveLatencySec]));
  return {
    played: reports.length > 0 && reports.every((r) => r.startupMs !== null && r.playing && r.hlsFatalErrors.length === 0),
    viewers: reports.length,
    stalls: sum((r) => r.stalls),
    stalledMs: sum((r) => r.stalledMs),
    hlsErrors: sum((r) => r.hlsErrors.length),
    hlsFatalErrors: sum((r) => r.hlsFatalErrors.length),
    hlsErrorKinds: [...new Set(reports.flatMap((r) => r.hlsErrors))].sort(),
    p2pBytes,
    httpBytes,
    p2pShare: p2pBytes + httpBytes > 0 ? Math.round((p2pBytes / (p2pBytes + httpBytes)) * 10_000) / 10_000 : null,
    mismatchedSegments: check.mismatches.length,
    verifiedSegments: check.verified,
    verifiedP2pSegments: check.verifiedP2p,
    uncheckedSegments: check.unavailable.length,
    originSegmentBytes: origin.segmentBytes,
    keyRequests: origin.keyRequests,
    forbidden: origin.forbidden,
    startupMsMean: startups.length === 0 ? null : Math.round(startups.reduce((a, b) => a + b, 0) / startups.length),
    liveLatencySecMean: latencies.length === 0 ? null : round3(latencies.reduce((a, b) => a + b, 0) / latencies.length),
    wallMs: result.wallMs,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** One stream type: Swarmcast's figures over its modes, each mode's, and the plain player's baseline's. */
export interface FormatTypeFigures {
  readonly played: boolean;
  readonly stalls: number;
  readonly hlsErrors: number;
  readonly p2pBytes: number;
  readonly p2pShare: number | null;
  readonly mismatchedSegments: number;
  /** Live mode: Swarmcast viewers' mean live latency, s (null without a live run or a measure). */
  readonly liveLatencySec: number | null;
  /** Live mode: the plain baseline's, same run (null with --no-baseline). */
  readonly baselineLiveLatencySec: number | null;
  /** liveLatencySec - baselineLiveLatencySec: what Swarmcast adds to latency (issue #7's bound for LL-HLS: <= 0.5 s). */
  readonly latencyDeltaSec: number | null;
  readonly modes: Readonly<Record<string, FormatRunFigures>>;
  /** The plain player (hls.js, or Shaka Player for dash and shaka-hls) on the same type and modes; null with --no-baseline. */
  readonly baseline: { readonly played: boolean; readonly stalls: number; readonly hlsErrors: number; readonly modes: Readonly<Record<string, FormatRunFigures>> } | null;
}

export function typeFigures(modes: Readonly<Record<string, FormatRunFigures>>, baseline: Readonly<Record<string, FormatRunFigures>> | null): FormatTypeFigures {
  const runs = Object.values(modes);
  const p2pBytes = runs.reduce((s, r) => s + r.p2pBytes, 0);
  const httpBytes = runs.reduce((s, r) => s + r.httpBytes, 0);
  const base = baseline === null ? null : Object.values(baseline);
  const liveLatencySec = modes.live?.liveLatencySecMean ?? null;
  const baselineLiveLatencySec = baseline?.live?.liveLatencySecMean ?? null;
  return {
    played: runs.length > 0 && runs.every((r) => r.played),
    stalls: runs.reduce((s, r) => s + r.stalls, 0),
    hlsErrors: runs.reduce((s, r) => s + r.hlsErrors, 0),
    p2pBytes,
    p2pShare: p2pBytes + httpBytes > 0 ? Math.round((p2pBytes / (p2pBytes + httpBytes)) * 10_000) / 10_000 : null,
    mismatchedSegments: runs.reduce((s, r) => s + r.mismatchedSegments, 0),
    liveLatencySec,
    baselineLiveLatencySec,
    latencyDeltaSec: liveLatencySec === null || baselineLiveLatencySec === null ? null : round3(liveLatencySec - baselineLiveLatencySec),
    modes,
    baseline:
      base === null || baseline === null
        ? null
        : { played: base.every((r) => r.played), stalls: base.reduce((s, r) => s + r.stalls, 0), hlsErrors: base.reduce((s, r) => s + r.hlsErrors, 0), modes: baseline },
  };
}
