import type { Clock, TimerHandle } from '@swarmcast/core';

/** Node's monotonic clock (performance.now(), ms) and timers. */
export const nodeClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle: TimerHandle) => {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};
