/**
 * The benchmark's figures, computed from the viewers' reports and the origin's byte counter.
 * Definitions follow the project's shared metrics (docs: ARCHITECTURE "Metrics everyone uses").
 */

/** A played segment's identity and size (a ViewerReport segment record has them). */
export interface SegmentSize {
  readonly rendition: string;
  readonly sn: number;
  readonly bytes: number;
}

/** What the figures need from one viewer report. */
export interface ViewerFigures {
  readonly startupMs: number | null;
  readonly stalls: number;
  readonly stalledMs: number;
  readonly watchMs: number;
  readonly liveLatencySec: number | null;
  readonly httpBytes: number;
  readonly p2pBytes: number;
  readonly controlBytes: number;
  /** The segments the viewer played (ViewerReport.segments); absent where a bench keeps none. */
  readonly segments?: readonly SegmentSize[];
  /** controlBytes by message type; absent or null without P2P. */
  readonly controlBytesByType?: Readonly<Record<string, number>> | null;
  readonly hlsErrors: readonly string[];
}

export interface MeanMax {
  readonly mean: number | null;
  readonly max: number | null;
}

export interface RunSummary {
  /** Viewer slots: concurrent viewers at full strength. */
  readonly viewers: number;
  /** Pages opened: viewers plus one per churn replacement. Per-viewer figures are per session. */
  readonly sessions: number;
  /** Viewers that reached 'playing'. */
  readonly startedViewers: number;
  readonly durationSec: number;
  /** Sum of p2pBytes / sum of (p2pBytes + httpBytes) over viewers; 0 when no bytes. */
  readonly p2pShare: number;
  /** The most peers can carry when every viewer plays every segment: 1 - 1/viewers (0 for one viewer). */
  readonly offloadLimit: number;
  /** p2pShare / offloadLimit; 0 when the limit is 0. */
  readonly shareOfLimit: number;
  /**
   * Segment bytes the origin sent / bytes of one copy of each distinct segment the viewers played
   * (1 is a swarm's floor, `viewers` a CDN's); null without the viewers' segment lists or segments.
   */
  readonly originEgressPerSegment: number | null;
  /** Segment bytes the origin sent during the run (its own counter). */
  readonly segmentBytesFromOrigin: number;
  /** Per viewer stalledMs / watchMs. */
  readonly stallRatio: MeanMax;
  /** Total stall count. */
  readonly stalls: number;
  /** Over viewers that started. */
  readonly startupMs: MeanMax;
  /** Mean of the viewers' mean live latency; null for VOD. */
  readonly liveLatencySec: { readonly mean: number | null };
  /** Largest minus smallest of the viewers' mean live latencies: how far apart they play; null for VOD. */
  readonly lagSpreadSec: number | null;
  /** Sum of controlBytes / sum of p2pBytes; 0 when no P2P bytes. */
  readonly controlOverhead: number;
  /** controlOverhead by message type ('data': the DATA headers), from the viewers' controlBytesByType; empty without P2P. */
  readonly controlOverheadByType: Readonly<Record<string, number>>;
  /** Count of hls.js errors (fatal or not) over viewers. */
  readonly hlsErrors: number;
}

export interface RunRatios {
  /** Origin segment bytes with Swarmcast / without; null when the baseline sent none. */
  readonly originBytes: number | null;
  /** Mean startup with Swarmcast - mean without, in ms. */
  readonly startupDeltaMs: number | null;
  /** Mean live latency with Swarmcast - without, in s. */
  readonly latencyDeltaSec: number | null;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export function max(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function meanMax(values: readonly number[]): MeanMax {
  return { mean: mean(values), max: max(values) };
}

export function summarizeRun(
  reports: readonly ViewerFigures[],
  run: { readonly durationSec: number; readonly segmentBytesFromOrigin: number; readonly viewers?: number },
): RunSummary {
  const p2pBytes = sum(reports.map((r) => r.p2pBytes));
  const allBytes = p2pBytes + sum(reports.map((r) => r.httpBytes));
  const startups = reports.flatMap((r) => (r.startupMs === null ? [] : [r.startupMs]));
  const latencies = reports.flatMap((r) => (r.liveLatencySec === null ? [] : [r.liveLatencySec]));
  const viewers = run.viewers ?? reports.length;
  const p2pShare = allBytes > 0 ? p2pBytes / allBytes : 0;
  const offloadLimit = viewers > 1 ? 1 - 1 / viewers : 0;
  return {
    viewers,
    sessions: reports.length,
    startedViewers: startups.length,
    durationSec: run.durationSec,
    p2pShare,
    offloadLimit,
    shareOfLimit: offloadLimit > 0 ? p2pShare / offloadLimit : 0,
    originEgressPerSegment: originEgressPerSegment(run.segmentBytesFromOrigin, reports),
    segmentBytesFromOrigin: run.segmentBytesFromOrigin,
    stallRatio: meanMax(reports.map((r) => (r.watchMs > 0 ? r.stalledMs / r.watchMs : 0))),
    stalls: sum(reports.map((r) => r.stalls)),
    startupMs: meanMax(startups),
    liveLatencySec: { mean: mean(latencies) },
    lagSpreadSec: latencies.length > 0 ? Math.max(...latencies) - Math.min(...latencies) : null,
    controlOverhead: p2pBytes > 0 ? sum(reports.map((r) => r.controlBytes)) / p2pBytes : 0,
    controlOverheadByType: overheadByType(reports, p2pBytes),
    hlsErrors: sum(reports.map((r) => r.hlsErrors.length)),
  };
}

/** Bytes of one copy of each distinct segment (rendition + sn) any viewer played (0 without segment lists). */
export function uniqueSegmentBytes(reports: readonly { readonly segments?: readonly SegmentSize[] }[]): number {
  const sizes = new Map<string, number>();
  for (const r of reports) for (const s of r.segments ?? []) sizes.set(`${s.rendition}/${s.sn}`, s.bytes);
  let total = 0;
  for (const bytes of sizes.values()) total += bytes;
  return total;
}

/**
 * Origin egress per segment (docs ARCHITECTURE "Metrics"): segment bytes the origin sent / bytes of
 * one copy of each segment played; 1.0 is the floor for a swarm. null when nothing was played.
 */
export function originEgressPerSegment(originSegmentBytes: number, reports: readonly { readonly segments?: readonly SegmentSize[] }[]): number | null {
  const unique = uniqueSegmentBytes(reports);
  return unique > 0 ? Math.round((originSegmentBytes / unique) * 1000) / 1000 : null;
}

function overheadByType(reports: readonly ViewerFigures[], p2pBytes: number): Record<string, number> {
  const bytes: Record<string, number> = {};
  for (const r of reports) for (const [type, n] of Object.entries(r.controlBytesByType ?? {})) bytes[type] = (bytes[type] ?? 0) + n;
  return p2pBytes > 0 ? Object.fromEntries(Object.entries(bytes).map(([type, n]) => [type, n / p2pBytes])) : {};
}

export function compareRuns(swarmcast: RunSummary, baseline: RunSummary): RunRatios {
  return {
    originBytes: baseline.segmentBytesFromOrigin > 0 ? swarmcast.segmentBytesFromOrigin / baseline.segmentBytesFromOrigin : null,
    startupDeltaMs: delta(swarmcast.startupMs.mean, baseline.startupMs.mean),
    latencyDeltaSec: delta(swarmcast.liveLatencySec.mean, baseline.liveLatencySec.mean),
  };
}

function delta(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

/** Bytes out of the viewers' tbf per byte they handed their DataChannels (segments and control); null when they sent none. */
export function wirePerChannelByte(wireBytes: number, reports: readonly { readonly uploadedBytes: number; readonly controlBytes: number }[]): number | null {
  const channelBytes = reports.reduce((sum, r) => sum + r.uploadedBytes + r.controlBytes, 0);
  return channelBytes > 0 ? Math.round((wireBytes / channelBytes) * 1000) / 1000 : null;
}
