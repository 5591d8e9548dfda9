/**
 * `npm run bench:churn -- [--viewers 8] [--duration 180] [--interval 30] [--share 0.333] [--json FILE] [--verbose]`
 *
 * Churn: `viewers` Chromium viewers play a live stream for `duration` s; every `interval` s a share
 * of them (a third by default) leave and new ones (fresh context, new peer id, empty cache) join
 * 0-2 s later. Then the plain hls.js baseline with the same schedule. Acceptance: Swarmcast stalls no
 * more than the baseline of the same run. Loopback-only network namespace (scripts/in-netns.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchArgs } from './lib/args.js';
import { planPeriodicChurn } from './lib/churn.js';
import { setUpEnvironment } from './lib/environment.js';
import { loadSample } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import { benchRun } from './lib/run.js';
import { compareRuns } from './lib/stats.js';
import { formatExtraLines, formatSummaryTable } from './lib/table.js';
import { warmUp } from './lib/warm-up.js';
import { assertChromiumInstalled } from '../test/e2e/harness/browser.js';
import { joinOffsetMs } from '../test/e2e/harness/schedule.js';
import { assertViewerBuilt } from '../test/e2e/harness/viewer.js';

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '8' },
    duration: { type: 'string', default: '180' },
    interval: { type: 'string', default: '30' },
    share: { type: 'string', default: String(1 / 3) },
    'join-spread': { type: 'string', default: '5' },
    json: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});
const num = (name: string, raw: string, min: number, maxValue: number): number => {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > maxValue) throw new Error(`Invalid args: --${name} must be a number from ${min} to ${maxValue}, got ${raw}`);
  return v;
};
const viewers = Math.round(num('viewers', values.viewers, 2, 16));
const durationSec = num('duration', values.duration, 30, 3600);
const intervalSec = num('interval', values.interval, 5, durationSec);
const share = num('share', values.share, 0.01, 1);
const joinSpreadSec = num('join-spread', values['join-spread'], 0, 60);
assertChromiumInstalled();
assertViewerBuilt();

const args: BenchArgs = {
  viewers,
  durationSec,
  joinSpreadSec,
  mode: 'live',
  jsonFile: values.json ?? `.bench-out/churn-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  skipBaseline: false,
  verbose: values.verbose,
  churnPct: 0,
  uploadKbps: null,
  rttMs: null,
  engineCapKbps: null,
  engineDelayTargetMs: null,
  engineOverrides: {},
  // As its documented figures were measured.
  paintVideo: true,
};
const log = (line: string): void => { console.error(`[bench:churn] ${line}`); };
const churn = planPeriodicChurn(viewers, durationSec * 1000, intervalSec * 1000, share, (slot) => joinOffsetMs(slot, viewers, joinSpreadSec * 1000));
const loadBefore = loadSample();
const env = await setUpEnvironment(args);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    env.closeNow();
    void env.close().finally(() => process.exit(130));
  });
}
try {
  const { stack, browsers } = env;
  await warmUp(env.allBrowsers[0] ?? browsers.browserFor(0), stack.origin.liveMasterUrl, stack.tracker.url);
  const plan = `${viewers} viewers, ${durationSec} s, every ${intervalSec} s ${Math.max(1, Math.round(viewers * share))} leave and are replaced (${churn.length} replacements)`;
  log(`swarmcast run: ${plan}`);
  const swarmcast = await benchRun(browsers, stack, args, true, churn, args.verbose ? log : undefined);
  log(`baseline run (plain hls.js): ${plan}`);
  const baseline = await benchRun(browsers, stack, args, false, churn, args.verbose ? log : undefined);
  const ratios = compareRuns(swarmcast, baseline);
  const acceptance = {
    rule: 'Swarmcast stalls no more than the plain hls.js baseline of the same run (count and stall ratio max)',
    pass: swarmcast.stalls <= baseline.stalls && (swarmcast.stallRatio.max ?? 0) <= (baseline.stallRatio.max ?? 0) + 0.001,
  };
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo(env.chromiumVersion),
    load: { before: loadBefore, after: loadSample() },
    params: { viewers, durationSec, intervalSec, share, joinSpreadSec, mode: 'live' },
    churn: { events: churn },
    swarmcast,
    baseline,
    ratios,
    acceptance,
  };
  const file = resolve(args.jsonFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`bench:churn: ${plan}; load ${loadBefore.loadavg.join(' ')} -> ${result.load.after.loadavg.join(' ')}`);
  console.log(formatSummaryTable(swarmcast, baseline, ratios));
  console.log(formatExtraLines(swarmcast, baseline, null));
  console.log(`acceptance (${acceptance.rule}): ${acceptance.pass ? 'PASS' : 'FAIL'}`);
  for (const warning of [...swarmcast.warnings, ...baseline.warnings]) console.log(`WARNING ${warning}`);
  console.log(`JSON: ${file}`);
  if (swarmcast.integrity.mismatches > 0) process.exitCode = 1;
} finally {
  await env.close();
}
