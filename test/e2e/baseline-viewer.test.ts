/**
 * The baseline the benchmark compares against: the viewer page with p2p=0 (plain hls.js) plays the
 * live stream, counts its HTTP bytes as the origin does, and hashes exactly the origin's bytes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertChromiumInstalled,
  assertViewerBuilt,
  launchBrowser,
  OriginHashes,
  runSwarm,
  startStack,
} from './harness/index.js';
import type { LaunchedBrowser, Stack } from './harness/index.js';
import { describeReports } from './harness/swarm-assertions.js';

let browser: LaunchedBrowser | undefined;
let stack: Stack | undefined;

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  stack = await startStack({ liveSource: 'loop' });
  browser = await launchBrowser();
});

after(async () => {
  await Promise.allSettled([browser?.close(), stack?.close()]);
});

void test('baseline: plain hls.js viewer plays live, counts and hashes the origin bytes', { timeout: 60_000 }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const { origin, tracker } = stack;
  const hashes = new OriginHashes(origin, 'live');
  origin.resetStats();
  const [report] = await runSwarm({
    browser: browser.browser,
    src: origin.liveMasterUrl,
    tracker: tracker.url,
    p2p: false,
    viewers: 1,
    joinSpreadMs: 0,
    durationMs: 15_000,
    until: 'together',
    hashes,
    log: (line) => { t.diagnostic(line); },
  });
  assert.ok(report, 'the viewer reported');
  t.diagnostic(describeReports([report]));
  const originStats = origin.stats();
  assert.equal(report.p2p, false);
  assert.notEqual(report.startupMs, null, 'never started playing');
  assert.equal(report.stalls, 0, `stalled ${report.stalls} times`);
  assert.deepEqual(report.hlsErrors, []);
  assert.equal(report.p2pBytes, 0);
  assert.equal(report.peers, 0);
  assert.ok(report.segments.length >= 5, `only ${report.segments.length} segments in 15 s`);
  assert.ok(report.segments.every((s) => s.source === 'http'));
  const segmentSum = report.segments.reduce((sum, s) => sum + s.bytes, 0);
  assert.equal(report.httpBytes, segmentSum, 'httpBytes (FRAG_LOADED stats) = sum of recorded segment sizes');
  // The page keeps loading between its report and its close: allow one segment more at the origin.
  const largest = Math.max(...report.segments.map((s) => s.bytes));
  assert.ok(
    originStats.segmentBytes >= report.httpBytes && originStats.segmentBytes <= report.httpBytes + largest,
    `origin sent ${originStats.segmentBytes} segment bytes, the page counted ${report.httpBytes}`,
  );
  assert.ok(report.liveLatencySec !== null && report.liveLatencySec > 0, 'live latency measured');
  // The startup timeline: every step seen, in the order hls.js takes them, ending at the startup figure.
  const steps = report.startupTimeline;
  assert.ok(steps, 'the page reported its startup timeline');
  const order = [steps.manifestLoadedMs, steps.levelLoadedMs, steps.firstFragRequestMs, steps.firstFragLoadedMs, steps.firstFragBufferedMs, steps.playingMs]
    .filter((v): v is number => v !== null);
  assert.equal(order.length, 6, `a step is missing: ${JSON.stringify(steps)}`);
  assert.ok(order.every((v, i) => i === 0 || v >= (order[i - 1] ?? v)), `steps out of order: ${JSON.stringify(steps)}`);
  assert.ok(steps.playingMs !== null && Math.abs(steps.playingMs - (report.startupMs ?? 0)) <= 1, `playing at ${String(steps.playingMs)} ms, startup ${String(report.startupMs)} ms`);
  assert.ok(steps.scriptStartMs > 0, 'the page script ran after navigation start');
  const check = hashes.check([report]);
  assert.deepEqual(check.mismatches, []);
  assert.deepEqual(check.unavailable, []);
  assert.equal(check.verified, report.segments.length);
  assert.equal(tracker.stats().connections, 0, 'a p2p=0 page never connects to the tracker');
});
