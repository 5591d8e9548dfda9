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
