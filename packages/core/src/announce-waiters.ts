/** Loads waiting for a segment to be announced by a peer, woken by its announcement or at a time limit. */
import type { Clock } from './ports.js';

export class AnnounceWaiters {
  private readonly byKey = new Map<string, Set<() => void>>();

  constructor(private readonly clock: Clock) {}

  /**
   * Resolves when `key` is announced (wake), everything is woken (wakeAll), `signal` aborts or at
   * `untilMs`, when `onTimeout` runs first. Never rejects.
   */
  wait(key: string, untilMs: number, signal: AbortSignal, onTimeout?: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      let waiters = this.byKey.get(key);
      if (!waiters) this.byKey.set(key, (waiters = new Set()));
      const set = waiters;
      const wake = (): void => {
        this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        set.delete(wake);
        if (set.size === 0 && this.byKey.get(key) === set) this.byKey.delete(key);
        resolve();
      };
      const timer = this.clock.setTimeout(() => {
        onTimeout?.();
        wake();
      }, Math.max(0, untilMs - this.clock.now()));
      signal.addEventListener('abort', wake);
      set.add(wake);
    });
  }

  /** Wakes the loads waiting for `key`. */
  wake(key: string): void {
    const waiters = this.byKey.get(key);
    if (waiters) for (const wake of [...waiters]) wake();
  }

  /** Wakes every waiting load (their timers cleared). */
  wakeAll(): void {
    for (const waiters of [...this.byKey.values()]) for (const wake of [...waiters]) wake();
    this.byKey.clear();
  }
}
