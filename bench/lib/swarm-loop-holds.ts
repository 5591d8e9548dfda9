/**
 * When a bench:swarm peer process's event loop was held: a 50 ms ticker that runs more than
 * HELD_THRESHOLD_MS late marks the time in between as held (the process was busy or not scheduled
 * on a shared machine). A player cannot play or fetch while its loop is held, so a stall that
 * overlaps such spans is (partly) the process's lack of CPU, not the swarm's delivery.
 */

/** Ticker period, ms. */
const TICK_MS = 50;
/** A tick later than this marks a hold, ms (a healthy loop runs timers within a few ms). */
export const HELD_THRESHOLD_MS = 250;
/** Spans kept (the oldest are dropped first). */
const MAX_SPANS = 4_096;

export type Span = readonly [startMs: number, endMs: number];

export class LoopHolds {
  private readonly spans: Span[] = [];
  private lastMs = performance.now();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor() {
    this.timer = setInterval(() => { this.tick(); }, TICK_MS);
    this.timer.unref();
  }

  /** Total held time so far, ms. */
  totalMs(): number {
    return this.spans.reduce((a, [s, e]) => a + (e - s), 0);
  }

  /** How much of `intervals` (disjoint, performance.now() ms) fell in held spans, ms. */
  overlapMs(intervals: readonly Span[]): number {
    let total = 0;
    for (const [a, b] of intervals) {
      for (const [s, e] of this.spans) total += Math.max(0, Math.min(b, e) - Math.max(a, s));
    }
    return total;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = performance.now();
    const dueMs = this.lastMs + TICK_MS;
    if (now - dueMs > HELD_THRESHOLD_MS) {
      if (this.spans.length >= MAX_SPANS) this.spans.shift();
      this.spans.push([dueMs, now]);
    }
    this.lastMs = now;
  }
}
