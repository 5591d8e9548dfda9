import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LIMITS } from '@swarmcast/protocol';
import { resolveEngineConfig } from '../src/config.ts';
import { SummaryReporter, type DeliveryCounters, type SummaryFields } from '../src/summary-reporter.ts';
import { VirtualClock } from './support/virtual-clock.ts';

interface Rig {
  clock: VirtualClock;
  reporter: SummaryReporter;
  sent: SummaryFields[];
  counters: DeliveryCounters;
  tracker: { peerId: string | undefined; intervalMs: number | undefined };
}

function rig(summaryIntervalMs: number, trackerIntervalMs: number | undefined): Rig {
  const clock = new VirtualClock();
  const sent: SummaryFields[] = [];
  const r: Rig = {
    clock,
    sent,
    counters: { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, segmentsHttp: 0, segmentsP2p: 0, peers: 0 },
    tracker: { peerId: 'A', intervalMs: trackerIntervalMs },
    reporter: undefined as unknown as SummaryReporter,
  };
  r.reporter = new SummaryReporter({ summaryIntervalMs }, clock.view('reporter'), {
    peerId: () => r.tracker.peerId,
    trackerIntervalMs: () => r.tracker.intervalMs,
    counters: () => r.counters,
    send: (s) => sent.push(s),
  });
  return r;
}

void describe('summary reporter', () => {
  void test('sends cumulative counters and the player figures every interval, only to a tracker that asked', async () => {
    const r = rig(5_000, undefined);
    r.reporter.start();
    await r.clock.advance(20_000);
    assert.equal(r.sent.length, 0, 'a tracker that announced no summaryIntervalMs gets none');
    r.tracker.intervalMs = 5_000;
    r.counters = { httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 500, segmentsHttp: 1, segmentsP2p: 3, peers: 2 };
    r.reporter.reportPlayback({ stalls: 1, stalledMs: 420.6, liveLatencySec: 6.25 });
    await r.clock.advance(5_000);
    assert.deepEqual(r.sent, [
      { httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 500, segmentsHttp: 1, segmentsP2p: 3, stalls: 1, stalledMs: 421, liveLatencyMs: 6250, peers: 2 },
    ]);
    r.counters = { ...r.counters, p2pBytes: 9000 };
    r.reporter.reportPlayback({ stalls: Number.NaN, stalledMs: -1, liveLatencySec: null });
    await r.clock.advance(5_000);
    assert.equal(r.sent.length, 2);
    assert.equal(r.sent[1]?.p2pBytes, 9000, 'cumulative, not a delta');
    assert.equal(r.sent[1].stalls, 1, 'a bad figure is ignored, the last good one kept');
    assert.equal(r.sent[1].liveLatencyMs, null);
    r.reporter.stop();
    assert.equal(r.clock.pendingTimers('reporter'), 0, 'stop() clears its timer');
  });

  void test('never more often than the tracker allows', async () => {
    const r = rig(5_000, 12_000);
    r.reporter.start();
    await r.clock.advance(60_000);
    // Ticks every 5 s, sends when 12 s passed since the last: at 5, 20, 35 and 50 s.
    assert.equal(r.sent.length, 4);
    r.reporter.stop();
  });

  void test('a new tracker connection is sent only what the previous one was not told', async () => {
    const r = rig(5_000, 5_000);
    r.reporter.start();
    r.counters = { ...r.counters, httpBytes: 100, p2pBytes: 200 };
    await r.clock.advance(5_000);
    r.counters = { ...r.counters, httpBytes: 150, p2pBytes: 260 };
    r.tracker.peerId = undefined;
    await r.clock.advance(5_000);
    assert.equal(r.sent.length, 1, 'nothing sent while disconnected');
    r.tracker.peerId = 'B';
    r.counters = { ...r.counters, httpBytes: 170, p2pBytes: 300 };
    await r.clock.advance(5_000);
    assert.deepEqual([r.sent[1]?.httpBytes, r.sent[1]?.p2pBytes], [70, 100], 'what came after the last report to A, nothing twice');
    r.reporter.stop();
  });

  void test('values are clamped into the protocol bounds; 0 turns summaries off', async () => {
    const r = rig(5_000, 5_000);
    r.counters = { httpBytes: 2 ** 60, p2pBytes: 1.5, uploadedBytes: 0, segmentsHttp: 2 ** 40, segmentsP2p: 0, peers: 1e6 };
    r.reporter.start();
    await r.clock.advance(5_000);
    assert.deepEqual(
      [r.sent[0]?.httpBytes, r.sent[0]?.p2pBytes, r.sent[0]?.segmentsHttp, r.sent[0]?.peers],
      [LIMITS.maxSummaryBytes, 2, 0xffff_ffff, LIMITS.maxSummaryPeers],
    );
    r.reporter.stop();
    const off = rig(0, 5_000);
    off.reporter.start();
    await off.clock.advance(60_000);
    assert.equal(off.sent.length, 0);
    assert.equal(off.clock.pendingTimers('reporter'), 0);
  });

  void test('config: summaryIntervalMs is 0 or at least 1000', () => {
    const base = { trackerUrl: 'ws://t.test/', swarmId: 's' };
    assert.equal(resolveEngineConfig(base).summaryIntervalMs, 5_000);
    assert.equal(resolveEngineConfig({ ...base, summaryIntervalMs: 0 }).summaryIntervalMs, 0);
    assert.throws(() => resolveEngineConfig({ ...base, summaryIntervalMs: 10 }), /Invalid Swarmcast config: summaryIntervalMs must be 0 \(off\) or at least 1000/);
  });
});
