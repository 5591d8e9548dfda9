/**
 * The figures of a hostile-peer run, from the viewers' reports and the hostile page's log: who was
 * attacked, when each viewer cut the attacker off, what the viewers played meanwhile. Pure
 * functions (tested in test/e2e/hostile-figures.test.ts), shared by the e2e test and bench:hostile.
 */
import type { SegmentRecord, ViewerReport } from '@swarmcast/web';
import type { HostileReport } from '../hostile/hostile-report.js';

/** One segment duration of the test stream: the cut-off budget. */
export const SEGMENT_DURATION_MS = 2_000;

/** One attacked (or merely connected) viewer, seen from both sides. */
export interface VictimOutcome {
  /** Index of the viewer among the honest ones; null if no viewer had that tracker id. */
  readonly viewer: number | null;
  readonly identity: string;
  readonly variant: string;
  /** What the hostile page sent first that was bad, and when (epoch ms); null: never attacked. */
  readonly firstBad: string | null;
  readonly firstBadAtMs: number | null;
  /** The viewer's disconnect of that identity for a violation, and when (epoch ms). */
  readonly cutOffReason: string | null;
  readonly cutOffAtMs: number | null;
  /** cutOffAtMs - firstBadAtMs; null when not attacked or not cut off. */
  readonly cutOffMs: number | null;
}

export interface MeanMax {
  readonly mean: number | null;
  readonly max: number | null;
}

/** What the honest viewers played while one attack ran. */
export interface WindowFigures {
  /** Segments handed to the players in the window. */
  readonly segments: number;
  /** Of which differ from the origin's bytes (must be 0). */
  readonly badSegmentsPlayed: number;
  /** Of which the origin no longer had, so unchecked. */
  readonly uncheckedSegments: number;
  /** Per viewer stalled time / watch time within the window. */
  readonly honestStallRatio: MeanMax;
  /** 'waiting' events within the window, all viewers. */
  readonly stalls: number;
  /** Bytes of segments from peers / bytes of all segments handed to the players in the window. */
  readonly honestP2pShare: number;
  /** Per viewer, bytes of segments from peers in the window. */
  readonly p2pSegmentBytes: readonly number[];
}

/** SHA-256 of the origin's copy of a segment: hex, null if the origin did not have it, undefined if not asked. */
export type OriginHashLookup = (sn: number) => string | null | undefined;

/** A disconnect reason that means the viewer cut the peer off (rather than the link ending). */
export function isCutOff(reason: string): boolean {
  return reason.startsWith('protocol violation') || reason.startsWith('integrity violation');
}

export function victimOutcomes(hostile: HostileReport, viewers: readonly ViewerReport[]): VictimOutcome[] {
  return hostile.victims.map((log) => {
    const index = viewers.findIndex((v) => v.peerId === log.victim);
    const viewer = viewers[index];
    const cut = viewer?.disconnects.find((d) => d.peerId === log.identity && isCutOff(d.reason));
    const cutOffMs = cut && log.firstBadAtMs !== null ? cut.atMs - log.firstBadAtMs : null;
    return {
      viewer: index === -1 ? null : index,
      identity: log.identity,
      variant: log.variant,
      firstBad: log.firstBad,
      firstBadAtMs: log.firstBadAtMs,
      cutOffReason: cut?.reason ?? null,
      cutOffAtMs: cut?.atMs ?? null,
      cutOffMs,
    };
  });
}

/** Attacked victims only. */
export function attacked(outcomes: readonly VictimOutcome[]): VictimOutcome[] {
  return outcomes.filter((o) => o.firstBadAtMs !== null);
}

/** Max over attacked victims of the time to cut-off; Infinity when one was never cut off; null when none was attacked. */
export function maxCutOffMs(outcomes: readonly VictimOutcome[]): number | null {
  const hit = attacked(outcomes);
  if (hit.length === 0) return null;
  return Math.max(...hit.map((o) => o.cutOffMs ?? Number.POSITIVE_INFINITY));
}

/** Segments a viewer was handed after `before` (its report at the window's start). */
export function windowSegments(before: ViewerReport | undefined, after: ViewerReport): readonly SegmentRecord[] {
  return after.segments.slice(before?.segments.length ?? 0);
}

export function windowFigures(before: readonly ViewerReport[], after: readonly ViewerReport[], originHash: OriginHashLookup): WindowFigures {
  let segments = 0;
  let bad = 0;
  let unchecked = 0;
  let allBytes = 0;
  let p2pBytes = 0;
  let stalls = 0;
  const ratios: number[] = [];
  const perViewer: number[] = [];
  after.forEach((a, i) => {
    const b = before[i];
    let viewerP2p = 0;
    for (const s of windowSegments(b, a)) {
      segments += 1;
      const expected = originHash(s.sn);
      if (expected === undefined || expected === null) unchecked += 1;
      else if (expected !== s.sha256) bad += 1;
      allBytes += s.bytes;
      if (s.source === 'p2p') viewerP2p += s.bytes;
    }
    p2pBytes += viewerP2p;
    perViewer.push(viewerP2p);
    stalls += a.stalls - (b?.stalls ?? 0);
    const watchMs = a.watchMs - (b?.watchMs ?? 0);
    ratios.push(watchMs > 0 ? (a.stalledMs - (b?.stalledMs ?? 0)) / watchMs : 0);
  });
  return {
    segments,
    badSegmentsPlayed: bad,
    uncheckedSegments: unchecked,
    honestStallRatio: { mean: ratios.length === 0 ? null : ratios.reduce((x, y) => x + y, 0) / ratios.length, max: ratios.length === 0 ? null : Math.max(...ratios) },
    stalls,
    honestP2pShare: allBytes > 0 ? p2pBytes / allBytes : 0,
    p2pSegmentBytes: perViewer,
  };
}

/** What checking peers' bytes costs one viewer, per segment it takes from a peer. */
export interface VerificationFigures {
  /** Mean SHA-256 time per hashed segment + mean Ed25519 time per record, ms (mean over viewers). */
  readonly msPerSegment: number | null;
  /** msPerSegment as a share of one core with a segment every 2 s, in %. */
  readonly corePercentAt2sSegments: number | null;
  readonly hashMsPerSegment: number | null;
  readonly signatureMsPerRecord: number | null;
  readonly segmentsHashed: number;
  readonly signaturesChecked: number;
}

export function verificationFigures(viewers: readonly ViewerReport[]): VerificationFigures {
  const perViewer = viewers.flatMap((v) => {
    const i = v.integrity;
    if (i.segmentsHashed === 0 || i.signaturesChecked === 0) return [];
    return [{ hash: i.hashMs / i.segmentsHashed, signature: i.signatureMs / i.signaturesChecked }];
  });
  const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  const hash = mean(perViewer.map((v) => v.hash));
  const signature = mean(perViewer.map((v) => v.signature));
  const msPerSegment = hash === null || signature === null ? null : hash + signature;
  return {
    msPerSegment,
    corePercentAt2sSegments: msPerSegment === null ? null : (100 * msPerSegment) / SEGMENT_DURATION_MS,
    hashMsPerSegment: hash,
    signatureMsPerRecord: signature,
    segmentsHashed: viewers.reduce((n, v) => n + v.integrity.segmentsHashed, 0),
    signaturesChecked: viewers.reduce((n, v) => n + v.integrity.signaturesChecked, 0),
  };
}
