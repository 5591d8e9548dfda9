/** Resolves after `ms`, or at once when `signal` aborts (never rejects); the timer never outlives it. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Whether `signal` has aborted; a call, so checks after an await are not narrowed away by the compiler. */
export function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
