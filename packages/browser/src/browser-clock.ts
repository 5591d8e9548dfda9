import type { Clock, TimerHandle } from '@swarmcast/core';

/** The page's monotonic clock and timers. */
export const browserClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle: TimerHandle) => {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};
