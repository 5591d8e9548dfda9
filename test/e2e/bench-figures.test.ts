/**
 * The benchmark's figures (bench/lib/stats.ts) and argument parsing (bench/lib/args.ts). Pure
 * functions, no browser: kept here because test/e2e is the test group that covers bench/.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseBenchArgs } from '../../bench/lib/args.js';
import { compareRuns, summarizeRun } from '../../bench/lib/stats.js';
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
  assert.deepEqual(args, { viewers: 6, durationSec: 30, joinSpreadSec: 5, mode: 'vod', jsonFile: 'out.json', skipBaseline: false, verbose: false });
  const defaults = parseBenchArgs([], new Date('2025-01-02T03:04:05.678Z'));
  assert.equal(defaults.jsonFile, '.bench-out/live-2025-01-02T03-04-05-678Z.json');
  assert.throws(() => parseBenchArgs(['--viewers', '0']), /Invalid args: --viewers must be a positive integer/);
  assert.throws(() => parseBenchArgs(['--viewers', '2.5']), /--viewers must be a positive integer/);
  assert.throws(() => parseBenchArgs(['--duration', 'abc']), /--duration must be a positive number/);
  assert.throws(() => parseBenchArgs(['--join-spread=-1']), /--join-spread must be a number >= 0/);
  assert.throws(() => parseBenchArgs(['--mode', 'dvr']), /--mode must be live or vod/);
  assert.throws(() => parseBenchArgs(['--bogus']), /Unknown option/);
});
