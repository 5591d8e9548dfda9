/**
 * `npm run bench:live -- --viewers N --duration S --join-spread S [--mode live|vod] [--churn PCT]
 *  [--upload-kbps K] [--rtt-ms R] [--json FILE]`
 *
 * Real-browser benchmark: the demo origin + tracker + N headless Chromium viewers with Swarmcast,
 * joining spread evenly over join-spread seconds, each playing `duration` seconds from its join and
 * then leaving; then the same with N plain hls.js viewers as the baseline (one warm-up viewer first,
 * so neither run pays for the browser's cold start). `--churn` replaces that share of viewers mid-run;
 * `--upload-kbps`/`--rtt-ms` put each viewer in its own shaped network namespace (lib/netns-testbed.ts).
 * Writes the figures as JSON and prints a summary table. Runs inside a loopback-only network
 * namespace (scripts/in-netns.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseBenchArgs } from './lib/args.js';
import type { BenchArgs } from './lib/args.js';
import { planChurn } from './lib/churn.js';
import { setUpEnvironment } from './lib/environment.js';
import type { BenchEnvironment } from './lib/environment.js';
import { machineInfo } from './lib/machine.js';
import { benchRun } from './lib/run.js';
import { warmUp } from './lib/warm-up.js';
import type { BenchRun } from './lib/run.js';
import { compareRuns } from './lib/stats.js';
import { formatExtraLines, formatSummaryTable } from './lib/table.js';
import { assertChromiumInstalled } from '../test/e2e/harness/browser.js';
import { assertViewerBuilt } from '../test/e2e/harness/viewer.js';
import { assertTestbedPossible } from './lib/netns-testbed.js';
import { isConstrained } from './lib/args.js';
import { checkShaping } from './lib/shaping-check.js';
import { simulatorCheck } from './lib/sim-check.js';

let args: BenchArgs;
try {
  args = parseBenchArgs(process.argv.slice(2));
  assertChromiumInstalled();
  assertViewerBuilt();
  if (isConstrained(args)) assertTestbedPossible();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const log = (line: string): void => { console.error(`[bench] ${line}`); };
const verboseLog = args.verbose ? log : undefined;
let env: BenchEnvironment | null = null;
const SIGNAL_CLOSE_TIMEOUT_MS = 5000;
// Ctrl-C or a kill: remove the namespaces, links, browsers and temp dirs before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    // Chromium may be dying from the same Ctrl-C, so an orderly close can hang: do the sure part now.
    env?.closeNow();
    const orderly = env?.close() ?? Promise.resolve();
    void Promise.race([orderly, new Promise((resolve) => setTimeout(resolve, SIGNAL_CLOSE_TIMEOUT_MS))]).finally(() => process.exit(130));
  });
}
env = await setUpEnvironment(args);
try {
  const { stack, browsers } = env;
  const constraints = isConstrained(args) ? { uploadKbps: args.uploadKbps, rttMs: args.rttMs } : null;
  const shapingCheck = env.testbed ? await checkShaping(env.testbed) : null;
  if (shapingCheck) log(`shaping check: ${shapingCheck.summary}`);
  const churn = planChurn(args.viewers, args.churnPct, args.durationSec * 1000);
  const plan = `${args.viewers} viewers, ${args.mode}, join over ${args.joinSpreadSec} s, ${args.durationSec} s each` +
    (churn.length > 0 ? `, ${churn.length} replaced mid-run` : '') +
    (constraints ? `, upload ${args.uploadKbps ?? '∞'} kbit/s, rtt ${args.rttMs ?? 0} ms` : '') +
    (args.engineCapKbps === null ? '' : `, Swarmcast viewers' own upload cap ${args.engineCapKbps} kbit/s`) +
    (args.engineDelayTargetMs === null ? '' : `, upload delay target ${args.engineDelayTargetMs} ms`) +
    (Object.keys(args.engineOverrides).length === 0 ? '' : `, engine ${Object.entries(args.engineOverrides).map(([k, v]) => `${k}=${v}`).join(',')}`);
  const src = args.mode === 'live' ? stack.origin.liveMasterUrl : stack.origin.vodMasterUrl;
  await Promise.all(env.allBrowsers.map((b) => warmUp(b, src, stack.tracker.url)));
  log(`swarmcast run: ${plan}`);
  const swarmcast = await benchRun(browsers, stack, args, true, churn, verboseLog);
  const trackerStats = stack.tracker.stats();
  let baseline: BenchRun | null = null;
  if (!args.skipBaseline) {
    log(`baseline run (plain hls.js): ${plan}`);
    baseline = await benchRun(browsers, stack, args, false, churn, verboseLog);
  }
  const ratios = baseline ? compareRuns(swarmcast, baseline) : null;
  // The simulator models live streams only.
  const simulator = args.mode === 'live' ? await simulatorCheck(args) : null;
  const simAgreement = simulator
    ? { browserP2pShare: swarmcast.p2pShare, simP2pShare: simulator.p2pShare, differencePoints: 100 * (simulator.p2pShare - swarmcast.p2pShare) }
    : null;
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo(env.chromiumVersion),
    params: { viewers: args.viewers, durationSec: args.durationSec, joinSpreadSec: args.joinSpreadSec, mode: args.mode, paintVideo: args.paintVideo, engineCapKbps: args.engineCapKbps, engineDelayTargetMs: args.engineDelayTargetMs, engineOverrides: args.engineOverrides },
    constraints,
    churn: { pct: args.churnPct, events: churn },
    shapingCheck,
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
    simulator,
    simAgreement,
  };
  const file = resolve(args.jsonFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatSummaryTable(swarmcast, baseline, ratios));
  console.log(formatExtraLines(swarmcast, baseline, args.uploadKbps));
  console.log(`\nsegments checked against the origin: ${swarmcast.integrity.verified} ok (${swarmcast.integrity.verifiedP2p} from peers), ` +
    `${swarmcast.integrity.mismatches} mismatched, ${swarmcast.integrity.unchecked} unchecked`);
  if (simAgreement && simulator) {
    console.log(`simulator, same scenario (${simulator.scenario.seeds.length} seeds): P2P share ${(100 * simulator.p2pShare).toFixed(1)} % ` +
      `against ${(100 * swarmcast.p2pShare).toFixed(1)} % in the browsers (${simAgreement.differencePoints >= 0 ? '+' : ''}${simAgreement.differencePoints.toFixed(1)} points)`);
  }
  const warnings = [...swarmcast.warnings, ...(baseline?.warnings ?? [])];
  for (const warning of warnings) console.log(`WARNING ${warning}`);
  console.log(`JSON: ${file}`);
  if (swarmcast.integrity.mismatches > 0) process.exitCode = 1;
} finally {
  await env.close();
}
