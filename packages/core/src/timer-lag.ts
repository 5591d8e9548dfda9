/**
 * How late the engine's own timers fire: a recent high of their lateness, ms. A timer fires late
 * when the page (or process) waits for a CPU, and then every step of a delivery, a peer's relay and
 * the HTTP fallback alike, takes that much longer than planned. The acquisitions add it to the time
 * they keep for HTTP (see Acquisition.safetyMs), so a starved viewer leaves peers earlier instead of
 * stalling; on a machine with CPU to spare it stays within a few ms and changes nothing. Pure: the
 * injected clock measures it, and the simulator's clock is never late.
 */
import type { Clock, TimerHandle } from './ports.js';

export class TimerLag {
  private highMs = 0;
  private sampledAtMs = 0;

  /**
   * `halfLifeMs`: a high halves in this long (a burst of load fades, a steady one stays measured);
   * 0 turns the measure off (the lag reads 0, the clock is used as it is).
   */
  constructor(
    private readonly halfLifeMs: number,
    private readonly now: () => number,
  ) {}

  /** The lag now, ms: the highest lateness seen, halved every halfLifeMs since. */
  get ms(): number {
    if (this.highMs === 0) return 0;
    return this.highMs * 2 ** (-(this.now() - this.sampledAtMs) / this.halfLifeMs);
  }

  /** A timer fired `lateMs` after its time. */
  sample(lateMs: number): void {
    if (!Number.isFinite(lateMs) || lateMs <= 0) return;
    const current = this.ms;
    if (lateMs < current) return;
    this.highMs = lateMs;
    this.sampledAtMs = this.now();
  }

  /** `clock` whose timers report their lateness here (`clock` itself when the measure is off). */
  measuring(clock: Clock): Clock {
    if (this.halfLifeMs === 0) return clock;
    return {
      now: () => clock.now(),
      setTimeout: (fn: () => void, ms: number): TimerHandle => {
        const dueMs = clock.now() + Math.max(0, ms);
        return clock.setTimeout(() => {
          this.sample(clock.now() - dueMs);
          fn();
        }, ms);
      },
      clearTimeout: (handle: TimerHandle) => {
        clock.clearTimeout(handle);
      },
    };
  }
}
