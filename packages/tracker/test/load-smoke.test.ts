/**
 * Smoke test of the tracker load generator (bench/tracker-load): a few hundred peers for a few
 * seconds against both trackers, and a short soak. It checks that the load flows and every figure
 * is measured, never how fast anything is (the benchmark's job, docs/benchmarks.md).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseTrackerBenchArgs } from '../../../bench/tracker-load/args.js';
import { LatencyHistogram } from '../../../bench/tracker-load/histogram.js';
import { measureTracker } from '../../../bench/tracker-load/run-load.js';
import type { LoadShape, TrackerFigures } from '../../../bench/tracker-load/run-load.js';
import { runSoak } from '../../../bench/tracker-load/soak.js';
import { trend } from '../../../bench/tracker-load/trend.js';

const shape: LoadShape = {
  peers: 200,
  durationSec: 3,
  workers: 2,
  swarmSize: 20,
  exchangesPerSecPerPeer: 2,
  announceIntervalSec: 1,
  sdpBytes: 300,
  pin: false,
};
const quiet = (): void => undefined;

function checkFigures(f: TrackerFigures, name: string): void {
  assert.equal(f.peers, shape.peers, `${name}: every peer connected and joined`);
  assert.equal(f.connectFailed, 0, name);
  assert.ok(f.signalsRelayed > 0, `${name}: signals relayed`);
  assert.ok(f.exchangesCompleted > 0, `${name}: exchanges completed`);
  // Both directions of every completed exchange were relayed, and measured.
  assert.ok(f.signalsRelayed >= f.exchangesCompleted * 2, `${name}: ${f.signalsRelayed} relayed for ${f.exchangesCompleted} exchanges`);
  assert.ok(f.announcesAnswered > 0, `${name}: announces answered`);
  assert.ok(f.messagesPerSec > 0, name);
  const { p50, p99 } = f.relayLatencyMs;
  assert.ok(p50 !== null && p99 !== null && p50 > 0 && p50 <= p99, `${name}: latency p50 ${p50} p99 ${p99}`);
  assert.ok(f.cpuSec > 0, `${name}: tracker CPU measured`);
  assert.ok(f.memory.idle.rssBytes > 0 && f.memory.before.rssBytes > 0, `${name}: memory sampled`);
  assert.deepEqual(f.clientErrors, {}, `${name}: no client errors`);
}

void describe('tracker load generator (smoke)', () => {
  void test('relays offers and answers through Swarmcast and bittorrent-tracker, and measures them', async () => {
    const swarmcast = await measureTracker('swarmcast', shape, quiet);
    checkFigures(swarmcast, 'swarmcast');
    assert.deepEqual(swarmcast.trackerErrors, {}, 'the Swarmcast tracker refused nothing');
    const bt = await measureTracker('bittorrent-tracker', shape, quiet);
    checkFigures(bt, 'bittorrent-tracker');
  });

  void test('soak: churn replaces peers and the memory trend is computed', async () => {
    const args = { ...parseTrackerBenchArgs(['--soak', '--peers', '100', '--duration', '7', '--churn-per-sec', '10', '--sample-every', '1', '--rate', '1', '--workers', '2', '--no-pin']) };
    const soak = await runSoak(args, quiet);
    assert.equal(soak.peers, 100);
    assert.ok(soak.peersReplaced > 0, 'peers were replaced');
    assert.ok(soak.samples.length >= 5, `${soak.samples.length} samples`);
    // Each sample tells V8's committed heap and the memory outside it apart from RSS.
    for (const s of soak.samples) assert.ok(s.heapTotalBytes >= s.heapUsedBytes && s.externalBytes > 0 && s.rssBytes > s.heapTotalBytes, JSON.stringify(s));
    assert.ok(Number.isFinite(soak.heap.slopePerMin) && soak.heap.firstQuarterMean > 0);
    assert.ok(soak.exchangesCompleted > 0);
  });

  void test('histogram quantiles and trend slope', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) h.record(i / 10);
    assert.equal(h.quantileMs(0.5), 5.05);
    assert.equal(h.quantileMs(0.99), 9.95);
    h.record(20_000);
    const merged = new LatencyHistogram(h.toArray());
    assert.equal(merged.total, 101);
    assert.equal(merged.quantileMs(1), 10_000);
    assert.equal(new LatencyHistogram().quantileMs(0.5), null);
    const t = [0, 60, 120, 180, 240];
    assert.equal(trend(t, t.map((x) => 1000 + x * 2)).slopePerMin, 120);
    assert.equal(trend(t, [5, 5, 5, 5, 5]).quarterGrowth, 0);
  });
});
