/** Command-line options of `npm run bench:hostile`, checked: a bad value fails with a clear message. */
import { parseArgs } from 'node:util';

export interface HostileBenchArgs {
  /** Honest viewers. */
  readonly viewers: number;
  /** Length of each attack's window, in seconds. */
  readonly durationSec: number;
  /** Where the JSON result goes. */
  readonly jsonFile: string;
  /** Log progress and page errors. */
  readonly verbose: boolean;
}

export const HOSTILE_BENCH_USAGE = 'usage: npm run bench:hostile -- --viewers N --duration S [--json FILE] [--verbose]';

/** A real-browser swarm above this is not meaningful on a small machine (see MACHINE-NOTES). */
export const MAX_HONEST_VIEWERS = 12;

export function parseHostileBenchArgs(argv: readonly string[], now: Date = new Date()): HostileBenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      viewers: { type: 'string', default: '3' },
      duration: { type: 'string', default: '60' },
      json: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(HOSTILE_BENCH_USAGE);
  const viewers = Number(values.viewers);
  if (!Number.isInteger(viewers) || viewers < 2 || viewers > MAX_HONEST_VIEWERS) {
    throw new Error(`Invalid args: --viewers must be an integer from 2 to ${MAX_HONEST_VIEWERS} (honest viewers must share with each other), got ${values.viewers}`);
  }
  const durationSec = Number(values.duration);
  if (!Number.isFinite(durationSec) || durationSec < 20) {
    throw new Error(`Invalid args: --duration must be a number of seconds >= 20 (each attack's window), got ${values.duration}`);
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return { viewers, durationSec, jsonFile: values.json ?? `.bench-out/hostile-${stamp}.json`, verbose: values.verbose };
}
