/** Command-line options of `npm run bench:startup`, checked: a bad value fails with a clear message. */
import { parseArgs } from 'node:util';
import type { BenchMode } from './args.js';

export interface StartupBenchArgs {
  /** Swarmcast viewers already playing when each measured viewer opens. */
  readonly residents: number;
  /** Measured joiners per variant (one of each variant per round, in turn). */
  readonly rounds: number;
  /** How long each joiner plays before its report is read, seconds. */
  readonly watchSec: number;
  readonly mode: BenchMode;
  readonly jsonFile: string;
}

export const STARTUP_BENCH_USAGE = 'usage: npm run bench:startup -- [--residents N] [--rounds R] [--watch S] [--mode live|vod] [--json FILE]';

export function parseStartupBenchArgs(argv: readonly string[], now: Date = new Date()): StartupBenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      residents: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '6' },
      watch: { type: 'string', default: '15' },
      mode: { type: 'string', default: 'live' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(STARTUP_BENCH_USAGE);
  const residents = Number(values.residents);
  if (!Number.isInteger(residents) || residents < 1 || residents > 11) throw new Error(`Invalid args: --residents must be an integer from 1 to 11, got ${values.residents}`);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error(`Invalid args: --rounds must be an integer from 1 to 50, got ${values.rounds}`);
  const watchSec = Number(values.watch);
  if (!Number.isFinite(watchSec) || watchSec < 5 || watchSec > 300) throw new Error(`Invalid args: --watch must be 5 to 300 seconds, got ${values.watch}`);
  if (values.mode !== 'live' && values.mode !== 'vod') throw new Error(`Invalid args: --mode must be live or vod, got ${values.mode}`);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return { residents, rounds, watchSec, mode: values.mode, jsonFile: values.json ?? `.bench-out/startup-${stamp}.json` };
}
