/**
 * `npm run bench:tracker -- --peers N --duration S [--json FILE] ...` (usage: args.ts, README.md)
 *
 * Load mode: the same load shape against Swarmcast's tracker, then bittorrent-tracker's WebSocket
 * server, each alone in its own process; writes the JSON and prints a summary.
 * Soak mode (--soak): Swarmcast's tracker only, continuous churn, memory trend.
 * Cluster mode (--redis --nodes N): N Swarmcast tracker nodes sharing swarms through Redis.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseTrackerBenchArgs } from './args.js';
import type { TrackerBenchArgs } from './args.js';
import { measureCluster } from './cluster-load.js';
import { clusterResult, formatClusterSummary } from './cluster-result.js';
import { checkClusterFileLimits } from './cluster-session.js';
import { runContext } from './machine.js';
import { formatLoadSummary, loadResult } from './result.js';
import { checkFileLimit, liveChildren, measureTracker, openFileLimit } from './run-load.js';
import { formatSoakSummary, runSoak } from './soak.js';

const argv = process.argv.slice(2);
let args: TrackerBenchArgs;
try {
  args = parseTrackerBenchArgs(argv);
  if (args.redis) checkClusterFileLimits(args);
  else checkFileLimit(args.peers);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const log = (line: string): void => {
  console.error(`[bench:tracker] ${line}`);
};
// Ctrl-C: kill every child by PID before leaving (children in the same process group may already
// have died of the same SIGINT: the run's promises then fail, and that failure is not reported).
const state = { interrupted: false };
process.once('SIGINT', () => {
  state.interrupted = true;
  log('interrupted: stopping children');
  void Promise.allSettled([...liveChildren].map((c) => c.stop())).then(() => process.exit(130));
});

async function run(): Promise<{ result: unknown; summary: string }> {
  const context = runContext(argv, openFileLimit(), args.pin);
  log(`load average ${context.machine.loadAverage1m.toFixed(2)} at start (the machine may be shared)`);
  if (args.redis) {
    const cluster = clusterResult(args, await measureCluster(args, log));
    return { result: { ...context, ...cluster }, summary: formatClusterSummary(cluster) };
  }
  if (args.soak) {
    const soak = await runSoak(args, log);
    return { result: { ...context, soak }, summary: formatSoakSummary(soak) };
  }
  const swarmcast = await measureTracker('swarmcast', args, log);
  const bittorrentTracker = args.skipBaseline ? null : await measureTracker('bittorrent-tracker', args, log);
  const load = loadResult(args, swarmcast, bittorrentTracker);
  return { result: { ...context, ...load }, summary: formatLoadSummary(load) };
}

try {
  const { result, summary } = await run();
  const file = resolve(args.jsonFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(summary);
  console.log(`JSON: ${file}`);
} catch (error) {
  // The run's own finally blocks have stopped its children; anything left is stopped here.
  await Promise.allSettled([...liveChildren].map((c) => c.stop()));
  if (!state.interrupted) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  }
}
