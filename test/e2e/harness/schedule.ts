/** Timing helpers for runs with viewers joining over a spread of time. */
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms` (at once when <= 0); rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
}

/** When viewer i of n joins: spread evenly over [0, spreadMs], the first at 0 and the last at spreadMs. */
export function joinOffsetMs(i: number, n: number, spreadMs: number): number {
  return n <= 1 ? 0 : (i * spreadMs) / (n - 1);
}

/** Runs `tick` every `intervalMs`, one at a time, until stopped; a failing tick is reported, not thrown. */
export function every(intervalMs: number, tick: () => Promise<void>, onError: (error: unknown) => void): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        if (!stopped) await tick();
      })
      .catch(onError);
  }, intervalMs);
  return {
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** One viewer slot's churn: its page closes `leaveAfterMs` after the slot's join; a new one opens `rejoinDelayMs` later. */
export interface ChurnEvent {
  readonly slot: number;
  readonly leaveAfterMs: number;
  readonly rejoinDelayMs: number;
}

/** When one page of a slot is open, ms from the run's start. */
export interface SessionWindow {
  readonly openAtMs: number;
  readonly closeAtMs: number;
}

/**
 * The pages (sessions) one slot opens between its join and its end: one without churn, or one per
 * leave plus the replacement that plays to the slot's end. Leaves past the end are ignored.
 */
export function sessionWindows(joinAtMs: number, endAtMs: number, leavesAfterMs: readonly ChurnEvent[]): SessionWindow[] {
  const windows: SessionWindow[] = [];
  let openAtMs = joinAtMs;
  for (const leave of [...leavesAfterMs].sort((a, b) => a.leaveAfterMs - b.leaveAfterMs)) {
    const closeAtMs = joinAtMs + leave.leaveAfterMs;
    const nextOpenMs = closeAtMs + leave.rejoinDelayMs;
    if (closeAtMs <= openAtMs || nextOpenMs >= endAtMs) continue;
    windows.push({ openAtMs, closeAtMs });
    openAtMs = nextOpenMs;
  }
  windows.push({ openAtMs, closeAtMs: endAtMs });
  return windows;
}
