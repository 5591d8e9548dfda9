/** abortable(): a wait on a shared promise that one caller may give up on. */
import { EngineError } from './errors.js';

/**
 * `promise`, or a LOAD_ABORTED rejection once `signal` aborts; the promise itself goes on (other
 * loads may share it). Without a signal, `promise` as it is.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new EngineError('LOAD_ABORTED', 'segment load aborted'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
