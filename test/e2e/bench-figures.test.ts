/**
 * The benchmark's figures (bench/lib/stats.ts) and argument parsing (bench/lib/args.ts). Pure
 * functions, no browser: kept here because test/e2e is the test group that covers bench/.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseBenchArgs } from '../../bench/lib/args.js';
import { planChurn } from '../../bench/lib/churn.js';
import { httpCopies } from '../../bench/lib/http-copies.js';
import { maxWindowKbps } from '../../bench/lib/shaping-monitor.js';
import { startupSteps } from '../../bench/lib/startup-steps.js';
import { BITRATE_KBPS, simCheckScenario } from '../../bench/lib/sim-check.js';
import { compareRuns, summarizeRun, wirePerChannelByte } from '../../bench/lib/stats.js';
import { formatOverheadByType, formatPeerAttempts } from '../../bench/lib/table.js';
import { sessionWindows } from './harness/schedule.js';
import { parseViewerParams } from '../../packages/web/src/viewer-params.js';
import { viewerUrl } from './harness/viewer.js';
import type { ViewerFigures } from '../../bench/lib/stats.js';

function viewer(overrides: Partial<ViewerFigures>): ViewerFigures {
  return {
    startupMs: 500,
    stalls: 0,
    stalledMs: 0,
    watchMs: 60_000,
    liveLatencySec: 6,
    httpBytes: 0,
    p2pBytes: 0,
    controlBytes: 0,
    hlsErrors: [],
    ...overrides,
  };
}

void test('summarizeRun: shares, ratios and means over viewers', () => {
  const s = summarizeRun(
    [
      viewer({ httpBytes: 300, p2pBytes: 100, controlBytes: 10, startupMs: 400, liveLatencySec: 5 }),
      viewer({ httpBytes: 100, p2pBytes: 500, controlBytes: 20, startupMs: 800, stalls: 2, stalledMs: 6000, hlsErrors: ['a:b'] }),
      viewer({ startupMs: null, liveLatencySec: null, watchMs: 0 }),
    ],
    { durationSec: 60, segmentBytesFromOrigin: 1234 },
  );
  assert.equal(s.viewers, 3);
  assert.equal(s.startedViewers, 2);
  assert.equal(s.p2pShare, 600 / 1000);
  assert.equal(s.segmentBytesFromOrigin, 1234);
  assert.deepEqual(s.stallRatio, { mean: (0 + 0.1 + 0) / 3, max: 0.1 });
  assert.equal(s.stalls, 2);
  assert.deepEqual(s.startupMs, { mean: 600, max: 800 });
  assert.deepEqual(s.liveLatencySec, { mean: 5.5 });
  assert.equal(s.controlOverhead, 30 / 600);
  assert.equal(s.hlsErrors, 1);
  assert.equal(s.offloadLimit, 1 - 1 / 3);
  assert.equal(s.shareOfLimit, 0.6 / (1 - 1 / 3));
  assert.equal(s.lagSpreadSec, 1, 'latencies 5 and 6 s');
  assert.equal(s.originEgressPerSegment, null, 'no segment lists');
});

void test('summarizeRun: origin egress per segment over one copy of each distinct segment played; lag spread null for VOD', () => {
  const seg = (sn: number, bytes: number): { rendition: string; sn: number; bytes: number } => ({ rendition: 'v0', sn, bytes });
  const s = summarizeRun(
    [viewer({ httpBytes: 300, segments: [seg(1, 100), seg(2, 200)] }), viewer({ p2pBytes: 300, segments: [seg(1, 100), seg(2, 200)] })],
    { durationSec: 60, segmentBytesFromOrigin: 450 },
  );
  assert.equal(s.originEgressPerSegment, 1.5);
  assert.equal(s.offloadLimit, 0.5);
  assert.equal(s.shareOfLimit, 1);
  const vod = summarizeRun([viewer({ liveLatencySec: null, httpBytes: 10 })], { durationSec: 10, segmentBytesFromOrigin: 10 });
  assert.equal(vod.lagSpreadSec, null);
  assert.equal(vod.offloadLimit, 0, 'one viewer: nothing to share');
  assert.equal(vod.shareOfLimit, 0);
});

void test('summarizeRun: no bytes, no viewers, VOD (no latency) give zeros and nulls, not NaN', () => {
  const empty = summarizeRun([], { durationSec: 10, segmentBytesFromOrigin: 0 });
  assert.equal(empty.p2pShare, 0);
  assert.equal(empty.controlOverhead, 0);
  assert.deepEqual(empty.startupMs, { mean: null, max: null });
  assert.deepEqual(empty.liveLatencySec, { mean: null });
  const vod = summarizeRun([viewer({ liveLatencySec: null, httpBytes: 10 })], { durationSec: 10, segmentBytesFromOrigin: 10 });
  assert.equal(vod.liveLatencySec.mean, null);
  assert.equal(vod.controlOverhead, 0);
});

void test('summarizeRun: p2pShare in [0, 1] and every figure finite', () => {
  const figures = fc.record({
    startupMs: fc.option(fc.nat(60_000)),
    stalls: fc.nat(10),
    stalledMs: fc.nat(10_000),
    watchMs: fc.nat(120_000),
    liveLatencySec: fc.option(fc.double({ min: 0, max: 60, noNaN: true })),
    httpBytes: fc.nat(),
    p2pBytes: fc.nat(),
    controlBytes: fc.nat(),
    hlsErrors: fc.array(fc.string(), { maxLength: 3 }),
  });
  fc.assert(
    fc.property(fc.array(figures, { maxLength: 12 }), (reports) => {
      const s = summarizeRun(reports, { durationSec: 60, segmentBytesFromOrigin: 0 });
      assert.ok(s.p2pShare >= 0 && s.p2pShare <= 1);
      assert.ok(Number.isFinite(s.controlOverhead));
      for (const v of [s.stallRatio.mean, s.stallRatio.max, s.startupMs.mean, s.liveLatencySec.mean]) {
        assert.ok(v === null || Number.isFinite(v));
      }
    }),
  );
});

void test('compareRuns: origin ratio and deltas, null when undefined', () => {
  const a = summarizeRun([viewer({ startupMs: 700, liveLatencySec: 7, p2pBytes: 3, httpBytes: 1 })], { durationSec: 60, segmentBytesFromOrigin: 250 });
  const b = summarizeRun([viewer({ startupMs: 500, liveLatencySec: 6, httpBytes: 4 })], { durationSec: 60, segmentBytesFromOrigin: 1000 });
  assert.deepEqual(compareRuns(a, b), { originBytes: 0.25, startupDeltaMs: 200, latencyDeltaSec: 1 });
  const none = summarizeRun([], { durationSec: 60, segmentBytesFromOrigin: 0 });
  assert.deepEqual(compareRuns(a, none), { originBytes: null, startupDeltaMs: null, latencyDeltaSec: null });
});

void test('parseBenchArgs: reads the options and rejects bad values clearly', () => {
  const args = parseBenchArgs(['--viewers', '6', '--duration', '30', '--join-spread', '5', '--mode', 'vod', '--json', 'out.json']);
  assert.deepEqual(args, { viewers: 6, durationSec: 30, joinSpreadSec: 5, mode: 'vod', jsonFile: 'out.json', skipBaseline: false, verbose: false,
    churnPct: 0, uploadKbps: null, rttMs: null, paintVideo: false, engineCapKbps: null, engineDelayTargetMs: null, engineOverrides: {} });
  assert.deepEqual(parseBenchArgs(['--engine', 'uploadAdmissionDelayMs=250,uploadSlots=2']).engineOverrides, { uploadAdmissionDelayMs: 250, uploadSlots: 2 });
  assert.throws(() => parseBenchArgs(['--engine', 'uploadAdmisionDelayMs=250']), /--engine: the engine has no numeric setting "uploadAdmisionDelayMs"/);
  assert.throws(() => parseBenchArgs(['--engine', 'seeder=1']), /no numeric setting "seeder"/);
  assert.throws(() => parseBenchArgs(['--engine', 'uploadSlots']), /--engine: engine settings are name=number pairs/);
  assert.throws(() => parseBenchArgs(['--engine', 'uploadSlots=two']), /--engine: engine settings are name=number pairs/);
  assert.throws(() => parseBenchArgs(['--engine', 'chunkBytes=100']), /--engine: .*chunkBytes must be 1024-/);
  assert.throws(() => parseBenchArgs(['--engine', 'minPeers=9,maxPeers=4']), /minPeers \(9\) must not exceed maxPeers \(4\)/);
  const constrained = parseBenchArgs(['--churn', '25', '--upload-kbps', '720', '--rtt-ms', '40', '--paint-video']);
  assert.deepEqual([constrained.churnPct, constrained.uploadKbps, constrained.rttMs, constrained.paintVideo], [25, 720, 40, true]);
  assert.equal(parseBenchArgs(['--engine-cap-kbps', '640']).engineCapKbps, 640);
  assert.equal(parseBenchArgs(['--engine-delay-target-ms', '0']).engineDelayTargetMs, 0);
  assert.equal(parseBenchArgs(['--engine-delay-target-ms', '150']).engineDelayTargetMs, 150);
  assert.throws(() => parseBenchArgs(['--engine-delay-target-ms', '5']), /--engine-delay-target-ms must be 0 \(no delay-based pace\) or a whole number of ms from 10/);
  assert.throws(() => parseBenchArgs(['--engine-cap-kbps', '6.5']), /--engine-cap-kbps must be a positive integer/);
  assert.throws(() => parseBenchArgs(['--engine-cap-kbps', '65']), /--engine-cap-kbps must be at least 66 \(two of the engine's chunks a second\)/);
  assert.equal(parseBenchArgs(['--engine-cap-kbps', '66']).engineCapKbps, 66);
  assert.throws(() => parseBenchArgs(['--churn', '101']), /--churn must be a percentage from 0 to 100/);
  assert.throws(() => parseBenchArgs(['--upload-kbps', '10']), /--upload-kbps must be at least 64/);
  assert.throws(() => parseBenchArgs(['--rtt-ms=-5']), /--rtt-ms must be a number >= 0/);
  const defaults = parseBenchArgs([], new Date('2025-01-02T03:04:05.678Z'));
  assert.equal(defaults.jsonFile, '.bench-out/live-2025-01-02T03-04-05-678Z.json');
  assert.throws(() => parseBenchArgs(['--viewers', '0']), /Invalid args: --viewers must be a positive integer/);
  assert.throws(() => parseBenchArgs(['--viewers', '2.5']), /--viewers must be a positive integer/);
  assert.throws(() => parseBenchArgs(['--duration', 'abc']), /--duration must be a positive number/);
  assert.throws(() => parseBenchArgs(['--join-spread=-1']), /--join-spread must be a number >= 0/);
  assert.throws(() => parseBenchArgs(['--mode', 'dvr']), /--mode must be live or vod/);
  assert.throws(() => parseBenchArgs(['--bogus']), /Unknown option/);
});

void test('planChurn: round(N x pct) distinct slots, leaving mid-play, replaced within 2 s', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 100 }), (viewers, pct) => {
      const plan = planChurn(viewers, pct, 60_000);
      assert.equal(plan.length, Math.round((viewers * pct) / 100));
      assert.equal(new Set(plan.map((c) => c.slot)).size, plan.length);
      for (const c of plan) {
        assert.ok(c.slot >= 0 && c.slot < viewers);
        assert.ok(c.leaveAfterMs >= 12_000 && c.leaveAfterMs <= 48_000);
        assert.ok(c.rejoinDelayMs >= 0 && c.rejoinDelayMs <= 2000);
      }
    }),
  );
});

void test('sessionWindows: one page without churn, a replacement after each leave', () => {
  assert.deepEqual(sessionWindows(1000, 61_000, []), [{ openAtMs: 1000, closeAtMs: 61_000 }]);
  assert.deepEqual(sessionWindows(1000, 61_000, [{ slot: 0, leaveAfterMs: 20_000, rejoinDelayMs: 1500 }]), [
    { openAtMs: 1000, closeAtMs: 21_000 },
    { openAtMs: 22_500, closeAtMs: 61_000 },
  ]);
  // A replacement that would join after the slot's end is not opened.
  assert.equal(sessionWindows(0, 10_000, [{ slot: 0, leaveAfterMs: 9000, rejoinDelayMs: 2000 }]).length, 1);
});

void test('maxWindowKbps: the largest rate over windows of at least the given length', () => {
  const samples = [0, 1, 2, 3, 4].map((atSec) => ({ atSec, bytes: atSec < 2 ? 0 : (atSec - 1) * 125_000 }));
  // 0..2 s: 125 kB = 500 kbit/s; 2..4 s: 250 kB over 2 s = 1000 kbit/s.
  assert.equal(maxWindowKbps(samples, 2), 1000);
  assert.equal(maxWindowKbps(samples.slice(0, 2), 2), 0);
});

void test('httpCopies: startup fetches apart, extra steady copies of one segment counted', () => {
  const seg = (sn: number, source: string): { rendition: string; sn: number; source: string } => ({ rendition: 'r', sn, source });
  const c = httpCopies(
    [
      [seg(1, 'http'), seg(2, 'http'), seg(3, 'http'), seg(4, 'http'), seg(5, 'p2p')],
      [seg(3, 'http'), seg(4, 'p2p'), seg(5, 'http'), seg(6, 'http')],
      [seg(4, 'http'), seg(5, 'p2p'), seg(6, 'http')],
    ],
    1,
  );
  assert.deepEqual(c, { segments: 6, httpFetches: 9, startupFetches: 3, extraSteadyFetches: 1, segmentsWithoutSteadyHttp: 1 });
});

void test('startupSteps: the mean of each step over the viewers that reached it; pages without a timeline left out', () => {
  const timeline = (firstFragLoadedMs: number | null, playingMs: number | null) => ({
    scriptStartMs: 100, manifestLoadedMs: 10, levelLoadedMs: 20, firstFragRequestMs: 30, firstFragLoadedMs,
    firstFragBufferedMs: null, secondFragRequestMs: null, secondFragLoadedMs: null, playingMs,
  });
  const s = startupSteps([timeline(200, 500), timeline(400, null), undefined, timeline(301, 700)]);
  assert.equal(s.viewers, 3);
  assert.equal(s.firstFragLoadedMs, 300);
  assert.equal(s.playingMs, 600);
  assert.equal(s.firstFragBufferedMs, null);
  assert.equal(s.scriptStartMs, 100);
  assert.equal(startupSteps([]).viewers, 0);
});

void test('formatPeerAttempts: counts and the mean time delivered and late requests had; no NaN without any', () => {
  const line = formatPeerAttempts({ delivered: 4, deliveredWithinMs: 10_000, deliveredFirstByteMs: 1_200, deliveredRelay: 3, late: 2, lateWithinMs: 1_500, lateRelay: 1, handedOver: 1, lateUnstarted: 1, lateQueued: 1, stalled: 0, busy: 3, failed: 1 });
  assert.equal(line, 'requests to peers delivered 4 (had 2500 ms on average, first byte after 300 ms; 3 from relays), late 2 (had 750 ms; 1 from relays, 1 of them handed to a holder; 1 without a byte, 1 of them queued), stalled 0, busy 3, failed 1');
  assert.equal(formatPeerAttempts({}), 'requests to peers delivered 0 (had - on average, first byte after -; 0 from relays), late 0 (had -; 0 from relays, 0 of them handed to a holder; 0 without a byte, 0 of them queued), stalled 0, busy 0, failed 0');
});

void test('controlOverheadByType: each message type\'s control bytes over all P2P bytes, summed over viewers; formatted largest first', () => {
  const run = summarizeRun(
    [viewer({ p2pBytes: 100_000, httpBytes: 10_000, controlBytes: 600, controlBytesByType: { data: 300, have: 200, busy: 100 } }), viewer({ p2pBytes: 100_000, controlBytes: 400, controlBytesByType: { data: 300, have: 100, busy: 0 } }), viewer({ httpBytes: 50_000, controlBytesByType: null })],
    { durationSec: 60, segmentBytesFromOrigin: 60_000 },
  );
  assert.deepEqual(run.controlOverheadByType, { data: 0.003, have: 0.0015, busy: 0.0005 });
  assert.equal(run.controlOverhead, 0.005);
  assert.equal(formatOverheadByType(run.controlOverheadByType), 'DATA headers 0.30 %, have 0.15 %, busy 0.05 %');
  assert.equal(formatOverheadByType({}), 'none');
  assert.deepEqual(summarizeRun([viewer({ httpBytes: 1 })], { durationSec: 60, segmentBytesFromOrigin: 1 }).controlOverheadByType, {}, 'no P2P bytes: nothing');
});


void test('the viewer URL carries --engine settings to the page as it reads them', () => {
  const href = viewerUrl({ src: 'http://origin.test/live/master.m3u8', tracker: 'ws://tracker.test/', p2p: true, engine: { uploadAdmissionDelayMs: 250, httpSafetyMs: 1500.5 } });
  const params = parseViewerParams(new URL(href) as unknown as Location);
  assert.deepEqual(params.engineOverrides, { uploadAdmissionDelayMs: 250, httpSafetyMs: 1500.5 });
  assert.equal(new URL(viewerUrl({ src: 'http://origin.test/a.m3u8', tracker: 'ws://t.test/', p2p: true })).searchParams.has('engine'), false);
});

void test('simCheckScenario: a shaped run simulates what the testbed does (viewers 2 x rtt apart, the origin rtt away); loopback stays at 1 ms', () => {
  const input = { viewers: 12, durationSec: 120, joinSpreadSec: 20, churnPct: 0, uploadKbps: 720, rttMs: 40 };
  const shaped = simCheckScenario(input, 'bench-1');
  assert.deepEqual([shaped.rttMinMs, shaped.rttMaxMs], [80, 80], 'a viewer reaches another over two access links');
  assert.ok(shaped.originTtfbMinMs >= 40 && shaped.originTtfbMaxMs <= 50, `origin ${String(shaped.originTtfbMinMs)}-${String(shaped.originTtfbMaxMs)} ms`);
  assert.ok(BITRATE_KBPS > 300 && BITRATE_KBPS < 450, `the loop's mean bitrate, ${String(BITRATE_KBPS)} kbit/s`);
  assert.equal(shaped.uploadMix[0]?.multiple, 720 / BITRATE_KBPS);
  assert.equal(shaped.bitrateKbps, BITRATE_KBPS, 'segments of the loop\'s mean size');
  assert.equal(shaped.transportOverhead, true, 'the uplinks carry WebRTC\'s headers and SACKs, as tbf counts them');
  const loopback = simCheckScenario({ ...input, uploadKbps: null, rttMs: null }, 'bench-1');
  assert.deepEqual([loopback.rttMinMs, loopback.rttMaxMs], [1, 1]);
  assert.ok(loopback.originTtfbMaxMs <= 10, 'the loopback origin answers in a few ms');
  assert.equal(loopback.uploadMix[0]?.multiple, 25);
});

void test('wirePerChannelByte: tbf bytes over the DataChannel bytes (segments and control) of every viewer; null when none went to peers', () => {
  assert.equal(wirePerChannelByte(1_250, [{ uploadedBytes: 600, controlBytes: 100 }, { uploadedBytes: 280, controlBytes: 20 }]), 1.25);
  assert.equal(wirePerChannelByte(5_000, [{ uploadedBytes: 0, controlBytes: 0 }]), null);
  assert.equal(wirePerChannelByte(0, []), null);
});
