/**
 * `npm run bench:live -- --viewers N --duration S --join-spread S [--mode live|vod] [--json FILE]`
 *
 * Real-browser benchmark: the demo origin + tracker + N headless Chromium viewers with Swarmcast,
 * joining spread evenly over join-spread seconds, each playing `duration` seconds from its join and
 * then leaving; then the same with N plain hls.js viewers as the baseline (one warm-up viewer first,
 * so neither run pays for the browser's cold start). Writes the figures as JSON and
 * prints a summary table. Runs inside a loopback-only network namespace (scripts/in-netns.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseBenchArgs } from './lib/args.js';
import type { BenchArgs } from './lib/args.js';
import { machineInfo } from './lib/machine.js';
import { benchRun } from './lib/run.js';
import { warmUp } from './lib/warm-up.js';
import type { BenchRun } from './lib/run.js';
import { compareRuns } from './lib/stats.js';
import { formatSummaryTable } from './lib/table.js';
import { assertChromiumInstalled, launchBrowser } from '../test/e2e/harness/browser.js';
import { startStack } from '../test/e2e/harness/stack.js';
import { assertViewerBuilt } from '../test/e2e/harness/viewer.js';

let args: BenchArgs;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
assertChromiumInstalled();
assertViewerBuilt();

const log = (line: string): void => { console.error(`[bench] ${line}`); };
const verboseLog = args.verbose ? log : undefined;
const launched = await launchBrowser();
const stack = await startStack({ liveSource: 'loop' });
try {
  const plan = `${args.viewers} viewers, ${args.mode}, join over ${args.joinSpreadSec} s, ${args.durationSec} s each`;
  const src = args.mode === 'live' ? stack.origin.liveMasterUrl : stack.origin.vodMasterUrl;
  await warmUp(launched.browser, src, stack.tracker.url);
  log(`swarmcast run: ${plan}`);
  const swarmcast = await benchRun(launched.browser, stack, args, true, verboseLog);
  const trackerStats = stack.tracker.stats();
  let baseline: BenchRun | null = null;
  if (!args.skipBaseline) {
    log(`baseline run (plain hls.js): ${plan}`);
    baseline = await benchRun(launched.browser, stack, args, false, verboseLog);
  }
  const ratios = baseline ? compareRuns(swarmcast, baseline) : null;
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo(launched.version),
    params: { viewers: args.viewers, durationSec: args.durationSec, joinSpreadSec: args.joinSpreadSec, mode: args.mode },
    swarmcast: {
      ...swarmcast,
      tracker: {
        messagesIn: trackerStats.messagesIn,
        signalsRelayed: trackerStats.signalsRelayed,
        rejects: trackerStats.rejects,
      },
    },
    baseline,
    ratios,
  };
  const file = resolve(args.jsonFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatSummaryTable(swarmcast, baseline, ratios));
  console.log(`\nsegments checked against the origin: ${swarmcast.integrity.verified} ok (${swarmcast.integrity.verifiedP2p} from peers), ` +
    `${swarmcast.integrity.mismatches} mismatched, ${swarmcast.integrity.unchecked} unchecked`);
  const warnings = [...swarmcast.warnings, ...(baseline?.warnings ?? [])];
  for (const warning of warnings) console.log(`WARNING ${warning}`);
  console.log(`JSON: ${file}`);
  if (swarmcast.integrity.mismatches > 0) process.exitCode = 1;
} finally {
  await Promise.allSettled([launched.close(), stack.close()]);
}
