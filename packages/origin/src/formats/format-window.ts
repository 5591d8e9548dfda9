/**
 * A VOD media playlist republished as live, looped, by the wall clock (as live-loop.ts does for
 * the bundled loop): the window is full at once, then one more segment every segment duration.
 * Media sequence sn plays entry sn % length; the loop point and the entries' own discontinuities
 * get EXT-X-DISCONTINUITY, and EXT-X-DISCONTINUITY-SEQUENCE counts those that slid out.
 */
export interface FormatWindow {
  firstSn: number;
  lastSn: number;
  /** Discontinuities at sn in [1, firstSn]: the ones no longer written in the playlist. */
  discontinuitySequence: number;
}

export interface LoopShape {
  readonly windowSegments: number;
  readonly segmentDurationMs: number;
  /** Per entry of the looped list: a discontinuity before it (entry 0's is the loop point). */
  readonly discontinuities: readonly boolean[];
}

/** Whether sn starts with a discontinuity: a loop point (sn > 0) or an entry that has one. */
export function discontinuityAt(sn: number, shape: LoopShape): boolean {
  const n = shape.discontinuities.length;
  const i = sn % n;
  return i === 0 ? sn > 0 : shape.discontinuities[i] === true;
}

/** Discontinuities at sn in [1, lastSn]. */
export function discontinuitiesUpTo(lastSn: number, shape: LoopShape): number {
  if (lastSn < 1) return 0;
  const n = shape.discontinuities.length;
  const inner = (upTo: number): number => shape.discontinuities.slice(1, upTo + 1).filter(Boolean).length;
  const loops = Math.floor(lastSn / n);
  return loops * (1 + inner(n - 1)) + inner(lastSn % n);
}

export function formatWindow(nowMs: number, startMs: number, shape: LoopShape): FormatWindow {
  const firstSn = Math.floor(Math.max(0, nowMs - startMs) / shape.segmentDurationMs);
  return { firstSn, lastSn: firstSn + shape.windowSegments - 1, discontinuitySequence: discontinuitiesUpTo(firstSn, shape) };
}
