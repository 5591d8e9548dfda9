/**
 * `npm run bench:outage -- [--viewers 12] [--outage 60] [--before 30] [--after 45] [--join-spread 10]
 *  [--signer sidecar|tracker] [--json FILE] [--no-baseline] [--verbose]`
 *
 * Tracker outage: N Chromium viewers play a live stream; the tracker process is killed (SIGKILL) for
 * `outage` s and started again on the same port. Figures: stalls (against the plain hls.js baseline
 * of the same run, which the kill does not touch), P2P bytes during the outage, each viewer's
 * re-join time after the restart (`rejoinSec`) and its reconnect delays (jittered backoff).
 * `--signer`: who signs the segments. `sidecar` (default): `swarmcast sign` beside the origin,
 * publishing to the tracker and serving the records over HTTP (viewers' integrityRecordsUrl), so
 * peers keep trading through the outage; `tracker`: the tracker's own authority, whose records die
 * with it (segments of the outage then come over HTTP).
 * Loopback-only network namespace (scripts/in-netns.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSample } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import { startOutageStack } from './lib/outage-stack.js';
import { outageRun } from './lib/outage-run.js';
import type { OutageRun } from './lib/outage-run.js';
import { formatSummaryTable } from './lib/table.js';
import { warmUp } from './lib/warm-up.js';
import { assertChromiumInstalled, launchBrowser } from '../test/e2e/harness/browser.js';
import { closeAll } from '../test/e2e/harness/close-all.js';
import { assertViewerBuilt } from '../test/e2e/harness/viewer.js';

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '12' },
    outage: { type: 'string', default: '60' },
    before: { type: 'string', default: '30' },
    after: { type: 'string', default: '45' },
    'join-spread': { type: 'string', default: '10' },
    json: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    signer: { type: 'string', default: 'sidecar' },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});
const num = (name: string, raw: string, min: number, maxValue: number): number => {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > maxValue) throw new Error(`Invalid args: --${name} must be a number from ${min} to ${maxValue}, got ${raw}`);
  return v;
};
const params = {
  viewers: Math.round(num('viewers', values.viewers, 1, 16)),
  outageSec: num('outage', values.outage, 1, 600),
  beforeSec: num('before', values.before, 5, 600),
  afterSec: num('after', values.after, 5, 600),
  joinSpreadSec: num('join-spread', values['join-spread'], 0, 60),
};
const signer = values.signer;
if (signer !== 'sidecar' && signer !== 'tracker') throw new Error(`Invalid args: --signer must be sidecar or tracker, got ${signer}`);
assertChromiumInstalled();
assertViewerBuilt();
const jsonFile = resolve(values.json ?? `.bench-out/outage-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const log = (line: string): void => { console.error(`[bench:outage] ${line}`); };

const loadBefore = loadSample();
// The tracker process first: tsx compiles it on start, slow enough on a loaded machine without a browser starting too.
const stack = await startOutageStack(signer);
const browser = await launchBrowser().catch(async (error: unknown) => {
  await stack.close();
  throw error;
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void closeAll([() => browser.close(), () => stack.close()]).finally(() => process.exit(130));
  });
}
try {
  await warmUp(browser.browser, stack.origin.liveMasterUrl, stack.trackerUrl);
  const runOptions = { ...params, ...(values.verbose ? { log } : {}) };
  log(`swarmcast run: ${params.viewers} viewers, tracker down ${params.outageSec} s after ${params.beforeSec} s`);
  const swarmcast = await outageRun(stack, browser.browser, { ...runOptions, p2p: true });
  let baseline: OutageRun | null = null;
  if (!values['no-baseline']) {
    log('baseline run (plain hls.js), same schedule');
    baseline = await outageRun(stack, browser.browser, { ...runOptions, p2p: false });
  }
  const rejoinLimitSec = 30;
  const acceptance = {
    noStallBeyondBaseline: swarmcast.stalls <= (baseline?.stalls ?? 0),
    // P2P keeps flowing: during the outage at least half the share of before it.
    p2pDuringOutage: swarmcast.p2pBytesDuringOutage > 0 && (swarmcast.p2pShareDuringOutage ?? 0) >= 0.5 * (swarmcast.p2pShareBeforeOutage ?? 0),
    allRejoinedWithin30s: swarmcast.notRejoined === 0 && (swarmcast.rejoinSec.max ?? Infinity) <= rejoinLimitSec,
  };
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo(browser.version),
    load: { before: loadBefore, after: loadSample() },
    params: { ...params, signer },
    swarmcast,
    baseline,
    acceptance,
  };
  await mkdir(dirname(jsonFile), { recursive: true });
  await writeFile(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MiB`;
  console.log(`bench:outage: ${params.viewers} viewers, tracker killed for ${params.outageSec} s; load ${loadBefore.loadavg.join(' ')} -> ${result.load.after.loadavg.join(' ')}`);
  console.log(formatSummaryTable(swarmcast, baseline, null));
  const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
  console.log(`signer: ${signer}; P2P share before the kill ${pct(swarmcast.p2pShareBeforeOutage)}, during the outage ${pct(swarmcast.p2pShareDuringOutage)}`);
  console.log(`during the outage: P2P ${mib(swarmcast.p2pBytesDuringOutage)}, HTTP ${mib(swarmcast.httpBytesDuringOutage)}, stalls ${swarmcast.stallsDuringOutage}, peers per viewer at the restart ${swarmcast.peersAtRestart ?? '–'}`);
  console.log(`re-join after the restart: mean ${swarmcast.rejoinSec.mean ?? '–'} s, max ${swarmcast.rejoinSec.max ?? '–'} s, not re-joined ${swarmcast.notRejoined}`);
  console.log(`  per viewer (s): ${swarmcast.rejoinSecPerViewer.map((v) => (v === null ? '–' : v.toFixed(1))).join(' ')}`);
  console.log('reconnect delays by attempt (min-max over viewers, s): ' +
    swarmcast.reconnectDelaySpreadSec.map((a) => `#${a.attempt} ${a.min.toFixed(2)}-${a.max.toFixed(2)} (${a.viewers})`).join(', '));
  console.log(`acceptance: no stall beyond baseline ${acceptance.noStallBeyondBaseline ? 'PASS' : 'FAIL'}, P2P keeps flowing (share during >= half of before) ${acceptance.p2pDuringOutage ? 'PASS' : 'FAIL'}, all re-joined within ${rejoinLimitSec} s ${acceptance.allRejoinedWithin30s ? 'PASS' : 'FAIL'}`);
  console.log(`JSON: ${jsonFile}`);
} finally {
  await closeAll([() => browser.close(), () => stack.close()]);
}
