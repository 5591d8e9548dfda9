/**
 * VOD seeking: 4 Swarmcast viewers and 4 plain hls.js viewers play the same VOD at the same time,
 * each jumping to a random position every 10 s for 2 minutes (seeded plans; baseline viewer i runs
 * Swarmcast viewer i's plan, so both sides are measured over the same 48 seek targets), both
 * buffering 30 s ahead. A seek must never interrupt playback longer with Swarmcast than without it:
 * the target segment goes to HTTP at once (its deadline is now) and what the old position still
 * loaded is cancelled, so P2P only helps the buffer ahead of the playhead. Slow seeks are listed with
 * when the player asked for each segment and when it had it, so a failure says whose time it was.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertChromiumInstalled, assertViewerBuilt, launchBrowser, OriginHashes, startStack } from './harness/index.js';
import type { LaunchedBrowser, Stack } from './harness/index.js';
import { runSeekingViewer, seekPlan } from './harness/seek-run.js';
import type { SeekingViewerResult } from './harness/seek-run.js';
import { MachineFreezes } from './harness/machine-freezes.js';
import { describeStalls } from './harness/stall-report.js';
import { describeReports } from './harness/swarm-assertions.js';

const P2P_VIEWERS = 4;
const BASELINE_VIEWERS = P2P_VIEWERS;
const SEEKS = 12;
const SEEK_INTERVAL_MS = 10_000;
/**
 * A 400 s VOD (20 loops of 20 s): about half the seeks land outside what the player buffered (it
 * keeps what it played: 2-7 of each page's 12 seeks landed in it, on both sides alike).
 */
const VOD_LOOPS = 20;
/**
 * How far ahead both players buffer (the page's `buffer` param). hls.js's own goal grows with its
 * 60 MB maxBufferSize to the whole of this low-rate VOD: the plain players, fed by loopback HTTP,
 * held all 400 s within ~15 s and then idled, while Swarmcast's, filling at the pace of peers, were
 * still loading (and transmuxing) when the seeks began. Seeks then compared a busy page against idle
 * ones, and targets out of one buffer against targets in the other (a CI run failed on a 2.1 s first
 * seek; under a CPU hog one waited 665 ms for hls.js to ask, behind the fragment it was appending).
 * With the same 30 s on both sides, both keep loading after every seek and as many seeks land in
 * the buffer on one side as on the other (see VOD_LOOPS).
 */
const BUFFER_SEC = 30;
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
 * Bounds on Swarmcast's seek waits against the baseline's, over the same 48 seek targets: the
 * typical seek (the median of the 48 paired differences, Swarmcast's seek k against the plain
 * viewer's seek k to the same target) within the issue's startup bound, 150 ms; the 90th
 * percentile; and the longest interruption (a seek or a stall) with room for one seek that lost a
 * second to the two busy cores (seen on both sides).
 * The typical seek is bounded by the median of paired differences, not by the difference of the two
 * means: on 8 pages and 2 cores single seeks take 0.25-3.2 s on either side, so a mean of 48 moves by
 * ~80 ms from run to run, and one CI run failed a +150 ms bound on means (+187 ms) where the median
 * paired difference was +94 ms. Measured here: the median paired difference +40 to +94 ms: a
 * Swarmcast page also serves its peers (15-25 MB each) on the same starved cores. A seek that waited
 * for peers would cost seconds, not these.
 */
const PAIRED_MEDIAN_NOISE_MS = 150;
const P90_NOISE_MS = 500;
const LONGEST_NOISE_MS = 1000;

/** The median of xs (the mean of the middle two for an even count). */
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** Seeks slower than this are listed with what the page was handed during them. */
const SLOW_SEEK_MS = 700;

/**
 * One line per slow seek: its wait, and the segments handed from its start to its end (ms after the
 * start; with when the player asked for them: a late ask is the player's or the page's time, a late
 * hand-over after an early ask the load's).
 */
function describeSlowSeeks(r: SeekingViewerResult, slowMs: number): string {
  return r.seekWaitsMs
    .flatMap((waitMs, k) => {
      const startMs = r.seeksAtMs[k];
      if (waitMs <= slowMs || startMs === undefined) return [];
      const at = (ms: number): string => `${ms >= startMs ? '+' : ''}${Math.round(ms - startMs)}`;
      const handedWithin = (fromMs: number, toMs: number): string =>
        r.report.segments
          .filter((seg) => seg.atMs >= fromMs && seg.atMs <= toMs)
          .map((seg) => `${seg.sn}:${seg.source}${at(seg.atMs)}${seg.atMs >= startMs ? ` (asked ${at(seg.atMs - seg.loadMs)})` : ''}`)
          .join(' ') || 'none';
      // What the player loaded just before the seek, during it, and just after: what the seek waited for.
      return [`seek ${k}${r.seeksInBuffer[k] === true ? ' (in the buffer)' : ''} waited ${waitMs} ms; handed: ${handedWithin(startMs, startMs + waitMs)} (2 s before: ${handedWithin(startMs - 2000, startMs - 1)}; 1 s after: ${handedWithin(startMs + waitMs + 1, startMs + waitMs + 1000)})`];
    })
    .join('\n  ');
}

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

/** Did a machine freeze overlap seek `k` (the whole VM stood still, plain hls.js and Swarmcast alike: see MachineFreezes)? */
function heldByFreeze(result: SeekingViewerResult, k: number, freezes: MachineFreezes): boolean {
  const startMs = result.seeksAtMs[k] ?? 0;
  return freezes.overlaps(startMs, startMs + (result.seekWaitsMs[k] ?? 0));
}

/** The longest seek or stall, less seeks a machine freeze held. */
function longestInterruptionMs(result: SeekingViewerResult, freezes: MachineFreezes): number {
  const waits = result.seekWaitsMs.filter((_, k) => !heldByFreeze(result, k, freezes));
  return Math.max(...waits, seekPhaseStalledMs(result));
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
      bufferSec: BUFFER_SEC,
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
  const freezes = new MachineFreezes();
  const [swarm, baseline] = await Promise.all([
    Promise.all(Array.from({ length: P2P_VIEWERS }, (_, i) => run(true, i))),
    Promise.all(Array.from({ length: BASELINE_VIEWERS }, (_, i) => run(false, i))),
  ]).finally(() => { freezes.stop(); });
  if (freezes.windows.length > 0) {
    const held = (group: readonly SeekingViewerResult[]): number => group.reduce((n, r) => n + r.seekWaitsMs.filter((_, k) => heldByFreeze(r, k, freezes)).length, 0);
    t.diagnostic(`${freezes.describe()}; seeks it held, left out of the longest interruption: swarmcast ${held(swarm)}, plain hls.js ${held(baseline)}`);
  }
  const reports = swarm.map((r) => r.report);
  t.diagnostic(describeReports(reports));
  const line = (name: string, r: SeekingViewerResult): string => `${name}: seek waits ${r.seekWaitsMs.join(' ')} ms (${r.seeksInBuffer.filter(Boolean).length} in the buffer), stalls ${r.report.stalls} (${r.report.stalledMs} ms; ${seekPhaseStalledMs(r)} ms from the first seek on)`;
  swarm.forEach((r, i) => { t.diagnostic(line(`swarmcast#${i}`, r)); });
  baseline.forEach((r, i) => { t.diagnostic(line(`baseline#${i}`, r)); });
  swarm.forEach((r, i) => { if (r.report.stalls > 0) t.diagnostic(`swarmcast#${i}: ${describeStalls(r.report)}`); });
  for (const [name, group] of [['swarmcast', swarm], ['baseline', baseline]] as const) {
    group.forEach((r, i) => {
      const slow = describeSlowSeeks(r, SLOW_SEEK_MS);
      if (slow !== '') t.diagnostic(`${name}#${i} seeks over ${SLOW_SEEK_MS} ms:\n  ${slow}`);
    });
  }

  const baselineLongest = Math.max(...baseline.map((r) => longestInterruptionMs(r, freezes)));
  const swarmLongest = Math.max(...swarm.map((r) => longestInterruptionMs(r, freezes)));
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const p90 = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(0.9 * (xs.length - 1))] ?? 0;
  const swarmWaits = swarm.flatMap((r) => r.seekWaitsMs);
  const baselineWaits = baseline.flatMap((r) => r.seekWaitsMs);
  // Viewer i of both sides ran the same plan: seek k of one against seek k of the other.
  const paired = swarmWaits.map((w, k) => w - (baselineWaits[k] ?? Number.NaN));
  const pairedMedianMs = median(paired);
  t.diagnostic(
    `longest interruption: swarmcast ${swarmLongest} ms, baseline ${baselineLongest} ms; seek wait mean swarmcast ` +
      `${mean(swarmWaits).toFixed(0)} ms, baseline ${mean(baselineWaits).toFixed(0)} ms; p90 swarmcast ${p90(swarmWaits)} ms, baseline ${p90(baselineWaits)} ms; ` +
      `median paired difference ${pairedMedianMs} ms`,
  );

  for (const [i, r] of swarm.entries()) {
    assert.equal(r.seekWaitsMs.length, SEEKS, `swarmcast#${i} did every seek`);
    assert.deepEqual(r.report.hlsFatalErrors, [], `swarmcast#${i} had fatal hls.js errors`);
  }
  assert.ok(
    pairedMedianMs <= PAIRED_MEDIAN_NOISE_MS,
    `typical seek (median of paired differences): Swarmcast ${pairedMedianMs} ms slower than plain hls.js (means ${mean(swarmWaits).toFixed(0)} / ${mean(baselineWaits).toFixed(0)} ms)`,
  );
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
