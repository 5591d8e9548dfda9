/**
 * Whole swarms on the memory network, tracker and origin, on virtual time: a live stream as hls.js
 * plays it at its default live latency, with and without churn.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hash32 } from '../src/index.ts';
import { runLiveSchedule, type LiveReport } from './support/live-schedule.ts';
import { Testbed } from './support/testbed.ts';

/** 10-60 ms one-way between two nodes (the same both ways), 10 Mbit/s per direction. */
function wanProfile(from: string, to: string): { latencyMs: number; bandwidthBytesPerSec: number } {
  const pairKey = from < to ? `${from}|${to}` : `${to}|${from}`;
  return { latencyMs: 10 + (hash32(pairKey) % 51), bandwidthBytesPerSec: 1_250_000 };
}

function liveBed(seed: string): Testbed {
  return new Testbed({
    seed,
    profile: wanProfile,
    lowWaterBytes: 256 * 1024,
    trackerLatencyMs: 25,
    httpLatencyMs: 80,
    httpBandwidthBytesPerSec: 2_500_000,
  });
}

function summary(report: LiveReport): string {
  const late = report.late.map((l) => `${l.engine}#${l.sn}:${l.outcome}`).join(' ');
  const durations = report.loads.flatMap((l) => (l.doneAtMs === undefined ? [] : [l.doneAtMs - l.askedAtMs])).sort((a, b) => a - b);
  const pct = (p: number): number => Math.round(durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] ?? Number.NaN);
  return (
    `p2p share ${(report.p2pShare * 100).toFixed(1)}%, HTTP requests/segment ${report.httpRequestsPerSegment.toFixed(2)}, ` +
    `loads ${report.loads.length}, load time p50 ${pct(0.5)} ms / p95 ${pct(0.95)} ms / max ${pct(1)} ms, late ${report.late.length}${late ? ` (${late})` : ''}`
  );
}

void describe('swarm on the memory network', () => {
  void test('4 viewers of a live stream for 60 s: every load on time and exact, P2P share >= 0.6', async (t) => {
    const bed = liveBed('live-4');
    for (const name of ['A', 'B', 'C', 'D']) bed.addEngine(name);
    await bed.connectAll();
    const report = await runLiveSchedule(bed, { segments: 30 });
    t.diagnostic(summary(report));
    console.log(`[swarm] 4 viewers, 60 s live: ${summary(report)}`);
    assert.equal(report.loads.length, 4 * 30);
    const notOk = report.loads.filter((l) => l.outcome !== 'ok');
    assert.deepEqual(notOk, [], 'every load resolves with the exact bytes');
    assert.deepEqual(report.late, [], 'no load misses its deadline');
    assert.ok(report.p2pShare >= 0.6, `p2p share ${report.p2pShare}`);
    assert.ok(report.httpRequestsPerSegment <= 1.5, `HTTP requests per segment ${report.httpRequestsPerSegment}`);
    // Live near the edge: a viewer waits at most for the designated fetcher's own ask (within the
    // 2 s window) plus one download, never until the P2P give-up point (deadline - httpSafetyMs).
    const slowest = Math.max(...report.loads.map((l) => (l.doneAtMs ?? Number.POSITIVE_INFINITY) - l.askedAtMs));
    assert.ok(slowest < 3_000, `slowest load took ${slowest} ms`);
    for (const e of bed.engines.values()) {
      assert.deepEqual(e.errors, []);
      assert.equal(e.engine.stats().peerViolations, 0);
    }
    bed.destroyAll();
  });

  void test('the same run replays identically from its seed', async () => {
    const run = async (): Promise<string> => {
      const bed = liveBed('replay');
      for (const name of ['A', 'B', 'C']) bed.addEngine(name);
      await bed.connectAll();
      const report = await runLiveSchedule(bed, { segments: 8 });
      bed.destroyAll();
      return JSON.stringify(report.loads.map((l) => [l.engine, l.sn, l.askedAtMs, l.doneAtMs, l.source]));
    };
    assert.equal(await run(), await run());
  });

  void test(
    'after a tracker reconnect gives a viewer a new id, the swarm still agrees on who fetches each segment',
    async () => {
      const bed = liveBed('rejoin');
      for (const name of ['A', 'B', 'C', 'D']) bed.addEngine(name);
      await bed.connectAll();
      bed.tracker.kick(bed.idOf('A'), 'tracker restart');
      await bed.clock.advance(5_000);
      assert.equal(bed.get('A').engine.connectedPeerIds().length, 3, 'the P2P connections outlive the tracker connection');
      const report = await runLiveSchedule(bed, { segments: 20 });
      const slowest = Math.max(...report.loads.map((l) => (l.doneAtMs ?? Number.POSITIVE_INFINITY) - l.askedAtMs));
      bed.destroyAll();
      assert.ok(slowest < 3_000, `slowest load took ${slowest} ms: some segment had no designated fetcher`);
    },
  );

  void test('peers leave (gracefully and by crashing) and join mid-run: loads still meet their deadlines', async (t) => {
    const bed = liveBed('churn');
    for (const name of ['A', 'B', 'C', 'D', 'E', 'F']) bed.addEngine(name);
    await bed.connectAll();
    const report = await runLiveSchedule(bed, {
      segments: 30,
      actions: [
        { atMs: 11_300, run: () => bed.removeEngine('B', 'leave') },
        { atMs: 20_700, run: () => bed.removeEngine('C', 'crash', 10_000) },
        { atMs: 25_000, run: () => bed.addEngine('G') },
        { atMs: 33_100, run: () => bed.removeEngine('D', 'crash', 10_000) },
        { atMs: 40_000, run: () => bed.removeEngine('E', 'leave') },
        { atMs: 41_000, run: () => bed.addEngine('H') },
      ],
    });
    t.diagnostic(summary(report));
    console.log(`[swarm] 6 viewers with churn, 60 s live: ${summary(report)}`);
    const departedAt = new Map([
      ['B', 11_300],
      ['C', 20_700],
      ['D', 33_100],
      ['E', 40_000],
    ]);
    const t0 = report.loads[0]?.askedAtMs ?? 0;
    // Loads of engines still there at their deadline must all be on time and exact.
    const judged = report.loads.filter((l) => {
      const left = departedAt.get(l.engine);
      return left === undefined || l.deadlineMs < t0 + left - 2_000;
    });
    assert.ok(judged.length > 100);
    assert.deepEqual(
      judged.filter((l) => l.outcome !== 'ok').map((l) => `${l.engine}#${l.sn}:${l.outcome}:${String(l.error)}`),
      [],
    );
    assert.deepEqual(
      judged.filter((l) => l.doneAtMs === undefined || l.doneAtMs > l.deadlineMs).map((l) => `${l.engine}#${l.sn}`),
      [],
    );
    // Loads cut short by their own engine leaving are rejected, never left hanging.
    assert.ok(report.loads.every((l) => l.outcome !== 'pending'));
    assert.ok(report.p2pShare >= 0.5, `p2p share with churn ${report.p2pShare}`);
    for (const e of bed.engines.values()) assert.deepEqual(e.errors, []);
    bed.destroyAll();
  });
});
