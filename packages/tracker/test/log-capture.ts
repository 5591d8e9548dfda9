/** A pino logger that keeps its lines in memory, for tests that assert what the tracker logs. */
import { pino } from 'pino';
import type { Logger } from 'pino';

/** One parsed log line (pino's numeric level and message, plus the bindings and fields). */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** pino's numeric levels. */
export const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: LogLine[];
  /** Lines at exactly `level`. */
  at(level: keyof typeof LEVELS): LogLine[];
}

export function captureLog(level = 'debug'): CapturedLog {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (text: string) => { lines.push(JSON.parse(text) as LogLine); } });
  return { logger, lines, at: (name) => lines.filter((l) => l.level === LEVELS[name]) };
}
