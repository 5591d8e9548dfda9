/**
 * `npm run bench:tracker -- --peers N --duration S [--json FILE] ...` (usage: args.ts, README.md)
 *
 * Load mode: the same load shape against Swarmcast's tracker, then bittorrent-tracker's WebSocket
 * server, each alone in its own process; writes the JSON and prints a summary.
 * Soak mode (--soak): Swarmcast's tracker only, continuous churn, memory trend.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseTrackerBenchArgs } from './args.js';
import type { TrackerBenchArgs } from './args.js';
import { runContext } from './machine.js';
import { formatLoadSummary, loadResult } from './result.js';
import { checkFileLimit, liveChildren, measureTracker, openFileLimit } from './run-load.js';
import { formatSoakSummary, runSoak } from './soak.js';

const argv = process.argv.slice(2);
let args: TrackerBenchArgs;
try {
  args = parseTrackerBenchArgs(argv);
  checkFileLimit(args.peers);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const log = (line: string): void => {
  console.error(`[bench:tracker] ${line}`);
};
// Ctrl-C: kill every child by PID before leaving.
process.once('SIGINT', () => {
  log('interrupted: stopping children');
  void Promise.allSettled([...liveChildren].map((c) => c.stop())).then(() => process.exit(130));
});

const context = runContext(argv, openFileLimit(), args.pin);
log(`load average ${context.machine.loadAverage1m.toFixed(2)} at start (the machine may be shared)`);
let result: unknown;
let summary: string;
if (args.soak) {
  const soak = await runSoak(args, log);
  result = { ...context, soak };
  summary = formatSoakSummary(soak);
} else {
  const swarmcast = await measureTracker('swarmcast', args, log);
  const bittorrentTracker = args.skipBaseline ? null : await measureTracker('bittorrent-tracker', args, log);
  const load = loadResult(args, swarmcast, bittorrentTracker);
  result = { ...context, ...load };
  summary = formatLoadSummary(load);
}
const file = resolve(args.jsonFile);
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(summary);
console.log(`JSON: ${file}`);
