/**
 * The tracker's logging: a pino logger injected through TrackerConfig.logger (silent by default;
 * the CLI passes one at level 'info' to stdout), one child per module (`module` binding).
 *
 * Level rubric (docs/observability.md):
 * - error: a tracker bug (an exception while handling a message, a listener that threw) or a failed
 *   dependency (the HTTP server, the integrity authority).
 * - warn: a client refused or a limit hit (bad message, rate limit, tracker full, send buffer full,
 *   token refused...), at most one line per remote address per warnLogIntervalMs, the next line
 *   saying how many were suppressed.
 * - info: one line per lifecycle transition of the tracker itself: listening, closing, closed.
 *   Swarm created/emptied is NOT info: with thousands of streams and churning viewers it would fire
 *   many times a second; it is debug.
 * - debug: per connection (open/close), per swarm (created/emptied), per message, and the refusals
 *   that are routine (a signal to a peer that just left, a heartbeat timeout, a summary too soon).
 */
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger as TrackerLogger } from 'pino';

/** The default when no logger is configured: nothing is written. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** What the CLI uses: JSON lines on stdout at `level`. */
export function stdoutLogger(level = 'info'): Logger {
  return pino({ level, base: { name: 'swarmcast-tracker' } });
}

/** Whether `value` has the logger methods the tracker calls (config check). */
export function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['error', 'warn', 'info', 'debug', 'child', 'isLevelEnabled'].every((m) => typeof v[m] === 'function');
}

/**
 * At most one line per key per intervalMs. Bounded: past maxKeys keys the table starts afresh
 * (a flood from many addresses then logs one line per address again, which is still bounded by
 * the connection limits).
 */
export class WarnLimiter {
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #entries = new Map<string, { lastMs: number; suppressed: number }>();

  constructor(intervalMs: number, maxKeys = 10_000) {
    this.#intervalMs = intervalMs;
    this.#maxKeys = maxKeys;
  }

  /** undefined: stay quiet; a number: log now, mentioning that many lines suppressed since the last. */
  take(key: string, nowMs: number): number | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined && nowMs - entry.lastMs < this.#intervalMs) {
      entry.suppressed += 1;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    if (entry === undefined && this.#entries.size >= this.#maxKeys) this.#entries.clear();
    this.#entries.set(key, { lastMs: nowMs, suppressed: 0 });
    return suppressed;
  }
}
