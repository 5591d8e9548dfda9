/**
 * `npm run sim -- --peers N --duration S [options]` (see params.ts USAGE): runs the real engine over
 * the simulated network and prints the figures; --json FILE writes them as JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import v8 from 'node:v8';
import { computeMetrics } from './metrics.ts';
import { parseCli, type CliOptions } from './params.ts';
import { formatSummary } from './summary.ts';
import { runScenario } from './world.ts';

/** Old-space heap a run needs: measured at ~60 KB per peer, with a margin. */
function heapNeededMb(peers: number): number {
  return Math.ceil(1024 + peers * 0.12);
}

/**
 * A young generation of 256 MB: at thousands of peers ~30 MB of short-lived objects (messages and
 * promises in flight) are alive at any moment, and with the default nursery every scavenge copies
 * them and promotes many to the old space. Measured: 5000 peers x 40 s took 76 s with 64 MB, 47 s
 * with 256 MB (512 MB and 1 GB: no better); 10 000 peers x 30 s 66 s with 256 MB, 71 s with 512 MB.
 */
const SEMI_SPACE_FLAG = '--max-semi-space-size=256';

/** Re-runs this process with the V8 flags a run needs when they are missing; returns true if it did. */
function relaunchWithFlags(peers: number): boolean {
  if (process.env.SWARMCAST_SIM_CHILD === '1') return false;
  const flags: string[] = [];
  const neededMb = heapNeededMb(peers);
  if (v8.getHeapStatistics().heap_size_limit / 2 ** 20 < neededMb) flags.push(`--max-old-space-size=${neededMb}`);
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  if (!given.includes('--max-semi-space-size')) flags.push(SEMI_SPACE_FLAG);
  if (flags.length === 0) return false;
  const script = process.argv[1] ?? '';
  const result = spawnSync(process.execPath, [...process.execArgv, ...flags, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, SWARMCAST_SIM_CHILD: '1' },
  });
  process.exitCode = result.status ?? 1;
  return true;
}

async function main(options: CliOptions): Promise<void> {
  const { params } = options;
  let unhandled = 0;
  process.on('unhandledRejection', (reason) => {
    unhandled += 1;
    if (unhandled <= 3) console.error('unhandled rejection:', reason);
  });
  const progress = options.progress ? (line: string): void => void process.stderr.write(`[sim] ${line}\n`) : undefined;
  const run = await runScenario(params, progress ? { progress } : {});
  const result = computeMetrics(run);
  result.counts.unhandledRejections = unhandled;
  console.log(formatSummary(result));
  if (options.jsonPath !== undefined) {
    const path = resolve(options.jsonPath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`  JSON: ${path}`);
  }
}

let options: CliOptions;
try {
  options = parseCli(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
if (!relaunchWithFlags(options.params.peers)) await main(options);
