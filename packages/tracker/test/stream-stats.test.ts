import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PeerSummary } from '@swarmcast/protocol';
import { TrackerError } from '../src/errors.js';
import { StreamHistory } from '../src/observability/stream-history.js';
import { StreamStats, gaugesOf, p2pShareOf } from '../src/observability/stream-stats.js';
import type { StreamTotals } from '../src/observability/stream-stats.js';

function summary(swarm: string, fields: Partial<PeerSummary> = {}): PeerSummary {
  return {
    type: 'summary',
    swarm,
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    segmentsHttp: 0,
    segmentsP2p: 0,
    stalls: 0,
    stalledMs: 0,
    liveLatencyMs: null,
    peers: 0,
    ...fields,
  };
}

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TrackerError);
    assert.equal(error.fatal, false, 'an ignored summary never closes the connection');
    return error.code;
  }
  assert.fail('expected the summary to be ignored');
}

void describe('stream stats: aggregation of peer summaries', () => {
  void test('totals add each peer\'s increments; departed peers stay counted; gauges come from connected reporters', () => {
    const deltas: StreamTotals[] = [];
    const stats = new StreamStats({ summaryIntervalMs: 5_000, maxStreamsTracked: 10 }, (_swarm, delta) => deltas.push({ ...delta }));
    stats.report('A', summary('s', { httpBytes: 1000, p2pBytes: 0, liveLatencyMs: 6000, peers: 2 }), 0);
    stats.report('B', summary('s', { httpBytes: 200, p2pBytes: 800, liveLatencyMs: 8000, peers: 4, stalls: 1, stalledMs: 300 }), 100);
    stats.report('A', summary('s', { httpBytes: 1500, p2pBytes: 500, liveLatencyMs: 7000, peers: 3 }), 5_000);
    const s = stats.get('s');
    assert.ok(s);
    assert.deepEqual(s.totals, { httpBytes: 1700, p2pBytes: 1300, uploadedBytes: 0, segmentsHttp: 0, segmentsP2p: 0, stalls: 1, stalledMs: 300 });
    assert.equal(p2pShareOf(s.totals), 1300 / 3000);
    assert.deepEqual(gaugesOf(s), { reporters: 2, liveLatencyMs: 7500, peersMean: 3.5 });
    assert.deepEqual(deltas.map((d) => d.httpBytes), [1000, 200, 500], 'each accepted report passes on its increments');

    stats.departed('s', 'B', 6_000);
    assert.deepEqual(gaugesOf(s), { reporters: 1, liveLatencyMs: 7000, peersMean: 3 }, 'B\'s gauges go');
    assert.equal(s.totals.p2pBytes, 1300, 'B\'s bytes stay');
    // A report lost in between loses nothing: the next one carries the cumulative counters.
    stats.report('A', summary('s', { httpBytes: 1600, p2pBytes: 2500 }), 15_000);
    assert.deepEqual([s.totals.httpBytes, s.totals.p2pBytes], [1800, 3300]);
    assert.deepEqual([stats.totals().httpBytes, stats.totals().p2pBytes], [1800, 3300]);
  });

  void test('a peer\'s reports closer than half the interval are ignored, as are counters that go down', () => {
    const stats = new StreamStats({ summaryIntervalMs: 5_000, maxStreamsTracked: 10 });
    stats.report('A', summary('s', { p2pBytes: 100 }), 0);
    assert.equal(refusal(() => { stats.report('A', summary('s', { p2pBytes: 900 }), 2_499); }), 'SUMMARY_TOO_FREQUENT');
    assert.equal(stats.get('s')?.totals.p2pBytes, 100, 'the ignored report added nothing');
    stats.report('A', summary('s', { p2pBytes: 900 }), 2_500);
    assert.equal(refusal(() => { stats.report('A', summary('s', { p2pBytes: 800 }), 10_000); }), 'SUMMARY_REGRESSED');
    assert.equal(stats.get('s')?.totals.p2pBytes, 900);
    // Another peer is limited on its own.
    stats.report('B', summary('s', { p2pBytes: 1 }), 2_501);
  });

  void test('at most maxStreamsTracked streams: the idlest one without reporters is evicted, else the new stream is refused', () => {
    const stats = new StreamStats({ summaryIntervalMs: 1_000, maxStreamsTracked: 2 });
    stats.report('A', summary('s1', { httpBytes: 10 }), 0);
    stats.report('B', summary('s2', { httpBytes: 20 }), 10);
    assert.equal(refusal(() => { stats.report('C', summary('s3'), 20); }), 'SUMMARY_UNTRACKED');
    stats.departed('s2', 'B', 20);
    stats.report('C', summary('s3', { httpBytes: 30 }), 30);
    assert.deepEqual([...stats.streams()].map((s) => s.id), ['s1', 's3']);
    assert.equal(stats.totals().httpBytes, 60, 'the tracker-wide totals keep what evicted streams had');
    stats.departed('s1', 'A', 40);
    stats.forgetIdle(35);
    assert.deepEqual([...stats.streams()].map((s) => s.id), ['s1', 's3'], 's1 was updated at 40: kept');
    stats.forgetIdle(50);
    assert.deepEqual([...stats.streams()].map((s) => s.id), ['s3'], 'idle and empty: forgotten; s3 still has a reporter');
  });
});

void describe('stream history ring', () => {
  void test('keeps the newest samples in order, and those after a time on request', () => {
    const ring = new StreamHistory(3);
    for (let i = 1; i <= 5; i++) ring.push({ t: i, viewers: i * 10, httpBytes: 0, p2pBytes: i, uploadedBytes: 0, stalls: 0, liveLatencyMs: i === 5 ? Number.NaN : 100 });
    assert.equal(ring.length, 3);
    const all = ring.series();
    assert.deepEqual(all.t, [3, 4, 5]);
    assert.deepEqual(all.viewers, [30, 40, 50]);
    assert.deepEqual(all.liveLatencyMs, [100, 100, null], 'unknown latency is null');
    assert.deepEqual(ring.series(4).t, [5]);
    assert.deepEqual(new StreamHistory(4).series().t, []);
  });
});
