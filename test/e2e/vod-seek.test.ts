/**
 * VOD seeking: 4 Swarmcast viewers and 4 plain hls.js viewers play the same VOD at the same time,
 * each jumping to a random position every 10 s for 2 minutes (seeded plans; baseline viewer i runs
 * Swarmcast viewer i's plan, so both sides are measured over the same 48 seek targets). A seek must
 * never interrupt playback longer with Swarmcast than without it: the target segment goes to HTTP at once (its deadline is now) and what the old position
 * still loaded is cancelled, so P2P only helps the buffer ahead of the playhead.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertChromiumInstalled, assertViewerBuilt, launchBrowser, OriginHashes, startStack } from './harness/index.js';
import type { LaunchedBrowser, Stack } from './harness/index.js';
import { runSeekingViewer, seekPlan } from './harness/seek-run.js';
import type { SeekingViewerResult } from './harness/seek-run.js';
import { describeStalls } from './harness/stall-report.js';
import { describeReports } from './harness/swarm-assertions.js';

const P2P_VIEWERS = 4;
const BASELINE_VIEWERS = P2P_VIEWERS;
const SEEKS = 12;
const SEEK_INTERVAL_MS = 10_000;
/** A 400 s VOD (20 loops of 20 s): most seeks land outside what the player has buffered. */
const VOD_LOOPS = 20;
const SEEK_MIN_SEC = 2;
const SEEK_MAX_SEC = 390;
/**
 * Swarmcast viewer i joins at i * JOIN_STEP_MS, plain viewer i half a step later: opening a playing
 * page costs more than a core for 2-3 s on this machine, and pages opened together starve the others.
 */
const JOIN_STEP_MS = 2000;
/** When every page has joined: the first seeks wait for it, so they are not timed against page opens. */
const LAST_JOIN_MS = (P2P_VIEWERS - 1) * JOIN_STEP_MS + JOIN_STEP_MS / 2;
/**
 * The pages' seeks are spread over each interval, one page every SEEK_INTERVAL_MS / 8 (Swarmcast
 * viewer i, then plain viewer i): 8 pages seeking at once starve each other (first seeks of 1-2 s on
 * both sides when they did), and the comparison would measure the pile-up.
 */
const SEEK_SPREAD_MS = SEEK_INTERVAL_MS / (P2P_VIEWERS + BASELINE_VIEWERS);
/**
 * Bounds on Swarmcast's seek waits against the baseline's, over the same 48 seek targets: the mean
 * (the startup bound, 150 ms), the 90th percentile, and the longest interruption (a seek or
 * a stall) with room for one seek that lost a second to the two busy cores (seen on both sides).
 * Measured here (6 runs, 2 cores, 8 pages): the mean 62-127 ms above the baseline's, the 90th
 * percentile 144-382 ms above: a Swarmcast page also serves its peers (15-25 MB each), on the same
 * starved cores. A seek that waited for peers would cost seconds, not these.
 */
const MEAN_NOISE_MS = 150;
const P90_NOISE_MS = 500;
const LONGEST_NOISE_MS = 1000;

let browser: LaunchedBrowser | undefined;
let stack: Stack | undefined;

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  stack = await startStack({ liveSource: 'loop', vodLoops: VOD_LOOPS });
  browser = await launchBrowser();
});

after(async () => {
  await Promise.allSettled([browser?.close(), stack?.close()]);
});

/**
 * Stalled ms from the first seek on. Stalls are counted apart from seeks by the page. Those before
 * (a page's startup, while other pages open on the two busy cores) are not what this test is about;
 * startup has its own tests and benchmark bounds.
 */
function seekPhaseStalledMs(result: SeekingViewerResult): number {
  // All stalled time but what the log places before the first seek (the page logs only the first
  // 20 stalls: any past those count).
  const before = result.report.stallLog.filter((s) => s.atMs < result.firstSeekAtMs).reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
  return result.report.stalledMs - before;
}

function longestInterruptionMs(result: SeekingViewerResult): number {
  return Math.max(...result.seekWaitsMs, seekPhaseStalledMs(result));
}

void test('vod: random seeks every 10 s for 2 minutes interrupt no longer than plain hls.js, peers still help', { timeout: 300_000 }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const { origin, tracker } = stack;
  const chromium = browser.browser;
  const abort = new AbortController();
  const run = (p2p: boolean, i: number): Promise<SeekingViewerResult> => {
    const joinAfterMs = i * JOIN_STEP_MS + (p2p ? 0 : JOIN_STEP_MS / 2);
    const seekSlot = 2 * i + (p2p ? 0 : 1);
    return runSeekingViewer(chromium, {
      src: origin.vodMasterUrl,
      tracker: tracker.url,
      p2p,
      joinAfterMs,
      plan: seekPlan(1000 + i, SEEKS, SEEK_MIN_SEC, SEEK_MAX_SEC),
      intervalMs: SEEK_INTERVAL_MS,
      firstSeekAfterMs: SEEK_INTERVAL_MS + LAST_JOIN_MS - joinAfterMs + seekSlot * SEEK_SPREAD_MS,
      signal: abort.signal,
    }).catch((error: unknown) => {
      abort.abort(error);
      throw error;
    });
  };
  const [swarm, baseline] = await Promise.all([
    Promise.all(Array.from({ length: P2P_VIEWERS }, (_, i) => run(true, i))),
    Promise.all(Array.from({ length: BASELINE_VIEWERS }, (_, i) => run(false, i))),
  ]);
  const reports = swarm.map((r) => r.report);
  t.diagnostic(describeReports(reports));
  const line = (name: string, r: SeekingViewerResult): string => `${name}: seek waits ${r.seekWaitsMs.join(' ')} ms, stalls ${r.report.stalls} (${r.report.stalledMs} ms; ${seekPhaseStalledMs(r)} ms from the first seek on)`;
  swarm.forEach((r, i) => { t.diagnostic(line(`swarmcast#${i}`, r)); });
  baseline.forEach((r, i) => { t.diagnostic(line(`baseline#${i}`, r)); });
  swarm.forEach((r, i) => { if (r.report.stalls > 0) t.diagnostic(`swarmcast#${i}: ${describeStalls(r.report)}`); });

  const baselineLongest = Math.max(...baseline.map(longestInterruptionMs));
  const swarmLongest = Math.max(...swarm.map(longestInterruptionMs));
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const p90 = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(0.9 * (xs.length - 1))] ?? 0;
  const swarmWaits = swarm.flatMap((r) => r.seekWaitsMs);
  const baselineWaits = baseline.flatMap((r) => r.seekWaitsMs);
  t.diagnostic(
    `longest interruption: swarmcast ${swarmLongest} ms, baseline ${baselineLongest} ms; seek wait mean swarmcast ` +
      `${mean(swarmWaits).toFixed(0)} ms, baseline ${mean(baselineWaits).toFixed(0)} ms; p90 swarmcast ${p90(swarmWaits)} ms, baseline ${p90(baselineWaits)} ms`,
  );

  for (const [i, r] of swarm.entries()) {
    assert.equal(r.seekWaitsMs.length, SEEKS, `swarmcast#${i} did every seek`);
    assert.deepEqual(r.report.hlsFatalErrors, [], `swarmcast#${i} had fatal hls.js errors`);
  }
  assert.ok(mean(swarmWaits) <= mean(baselineWaits) + MEAN_NOISE_MS, `mean seek wait: Swarmcast ${mean(swarmWaits).toFixed(0)} ms, plain hls.js ${mean(baselineWaits).toFixed(0)} ms`);
  assert.ok(p90(swarmWaits) <= p90(baselineWaits) + P90_NOISE_MS, `90th percentile seek wait: Swarmcast ${p90(swarmWaits)} ms, plain hls.js ${p90(baselineWaits)} ms`);
  assert.ok(
    swarmLongest <= baselineLongest + LONGEST_NOISE_MS,
    `a seek or stall interrupted a Swarmcast viewer ${swarmLongest} ms, plain hls.js at most ${baselineLongest} ms`,
  );
  const p2pBytes = reports.reduce((sum, r) => sum + r.p2pBytes, 0);
  assert.ok(p2pBytes > 0, 'seeking viewers got no bytes from peers');

  const hashes = new OriginHashes(origin, 'vod');
  await hashes.add(reports.flatMap((r) => r.segments.map((s) => s.sn)));
  const check = hashes.check(reports);
  t.diagnostic(`segments verified: ${check.verified} (${check.verifiedP2p} from peers); P2P bytes ${p2pBytes}`);
  assert.deepEqual(check.mismatches, [], 'segments differ from the origin');
  assert.deepEqual(check.unavailable, [], 'segments the origin does not have');
  assert.ok(check.verifiedP2p > 0, 'no segment from peers was verified');
});
