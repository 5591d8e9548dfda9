/**
 * Moments when the whole machine stood still: the test's own Node process (origin, tracker, harness)
 * saw a timer fire far too late. On a shared 2-core VM every process is held then, plain hls.js and
 * Swarmcast alike (a bystander process measured up to 1.8 s); a stall that begins in such a window
 * belongs to the machine, not to the player under test. Times are wall-clock ms, as the pages'
 * stall records (performance.timeOrigin + now()).
 */

/** How often the probe timer is due. */
const PROBE_INTERVAL_MS = 50;
/** A timer of the test's own process this late marks a moment the whole machine stood still. */
export const FREEZE_MIN_LATE_MS = 500;
/** A stall that begins this soon after such a freeze is the freeze's: the buffer drained while it lasted. */
export const FREEZE_DRAIN_MS = 1000;

export interface FreezeWindow {
  /** When the late timer was due, ms since the epoch. */
  readonly fromMs: number;
  /** When it fired. */
  readonly toMs: number;
}

export class MachineFreezes {
  private readonly found: FreezeWindow[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private lastMs = performance.now();

  /** `minLateMs`: a timer this late marks a freeze. */
  constructor(private readonly minLateMs: number = FREEZE_MIN_LATE_MS) {
    this.timer = setInterval(() => {
      const nowMs = performance.now();
      const lateMs = nowMs - this.lastMs - PROBE_INTERVAL_MS;
      this.lastMs = nowMs;
      if (lateMs >= this.minLateMs) {
        const toMs = performance.timeOrigin + nowMs;
        this.found.push({ fromMs: toMs - lateMs, toMs });
      }
    }, PROBE_INTERVAL_MS);
  }

  get windows(): readonly FreezeWindow[] {
    return this.found;
  }

  /** Did a stall that began at `atMs` begin during a freeze or within `afterMs` of its end (a drained buffer)? */
  covers(atMs: number, afterMs: number): boolean {
    return this.found.some((w) => atMs >= w.fromMs && atMs <= w.toMs + afterMs);
  }

  /** Did a freeze overlap the span from `fromMs` to `toMs` (a seek that the machine held)? */
  overlaps(fromMs: number, toMs: number): boolean {
    return this.found.some((w) => w.fromMs <= toMs && w.toMs >= fromMs);
  }

  /** How many of a viewer's stalls are its own: all of them (the page logs only the first 20) but those logged as beginning in a freeze or its drain. */
  stallsOutside(r: { readonly stalls: number; readonly stallLog: readonly { readonly atMs: number }[] }): number {
    return r.stalls - r.stallLog.filter((s) => this.covers(s.atMs, FREEZE_DRAIN_MS)).length;
  }

  /** "the machine stood still 2 times (612 ms, 540 ms)", for the test log. */
  describe(): string {
    if (this.found.length === 0) return 'the machine never stood still';
    return `the machine stood still ${this.found.length} times (${this.found.map((w) => `${Math.round(w.toMs - w.fromMs)} ms`).join(', ')})`;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
