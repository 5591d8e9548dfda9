/** Whole runs: a small swarm's sanity, replay from a seed, byte-scale invariance, churn. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeMetrics, meanUploadMultiple, type SimResult } from '../src/metrics.ts';
import { parseCli, parseUploadMix, scenario, type ScenarioParams } from '../src/params.ts';
import { runScenario } from '../src/world.ts';

async function simulate(params: ScenarioParams): Promise<SimResult> {
  return computeMetrics(await runScenario(params));
}

/** The JSON minus what depends on the machine rather than the seed. */
function replayable(r: SimResult): string {
  const { wallSec: _w, cpuPerViewer: _c, cpuSec: _s, date: _d, ...rest } = r;
  return JSON.stringify(rest);
}

void describe('small swarm', () => {
  void test('8 peers for 60 s with ample uplinks: every load on time, most bytes from peers', async () => {
    const r = await simulate(scenario({ peers: 8, durationSec: 60, uploadMix: parseUploadMix('1:10'), seed: 'sanity' }));
    assert.equal(r.continuity, 1);
    assert.equal(r.stalls, 0);
    assert.ok(r.p2pShare > 0.5, `p2pShare ${r.p2pShare}`);
    assert.ok(r.shareOfLimit <= 1 + 1e-9);
    assert.equal(r.counts.engineErrors, 0);
    assert.equal(r.counts.callbackErrors, 0);
    assert.equal(r.counts.loadErrors, 0);
    assert.equal(r.counts.trackerRejected, 0);
    // Startup is one HTTP segment: playlist + TTFB + 100 kB at 25x the bitrate.
    assert.ok(r.startupMs.max < 400, `startup ${r.startupMs.max} ms`);
    // Started 3 segments behind the edge, no stall: latency between 3 and 5 segments.
    assert.ok(r.liveLatencySec.mean > 6 && r.liveLatencySec.mean < 10, `latency ${r.liveLatencySec.mean} s`);
    assert.ok(r.originEgressPerSegment >= 1, 'the origin sends every segment at least once');
    assert.ok(r.controlOverhead > 0 && r.controlOverhead < 0.05);
  });

  void test('the same seed gives the same result (all but the wall-clock figures); another seed does not', async () => {
    const params = scenario({ peers: 24, durationSec: 40, churn: 0.4, seed: 'replay' });
    const a = await simulate(params);
    const b = await simulate(params);
    assert.equal(replayable(a), replayable(b));
    assert.ok(a.sessions > 24, 'churn brought newcomers');
    const c = await simulate({ ...params, seed: 'other' });
    assert.notEqual(replayable(a), replayable(c));
  });

  // Not identical: control messages keep their real size on the wire while DATA is scaled, so a
  // byte more or less of header moves some events by microseconds, and a chaotic swarm may then
  // take another path. The engine's uplink meter sees scale-consistent buffers (SimLink.engineBytes).
  void test('holding segment bytes 4x smaller (the most a 4 KiB chunk allows) changes what the engines or the network do, summed over 64 seeds, by under 3 %', async () => {
    // Summed over 64 seeds: a swarm is chaotic (a header byte more or less per chunk changes which
    // peer answers first, and the run takes another path), the model's own bias is what is checked.
    // 16 seeds were too few: the first 16 put origin egress 2.3 % apart, then 5.0 % after a change
    // to when a peer is asked (MIN_PEER_TRY_MS), while over 64 seeds it moved from 1.1 % to 2.0 %.
    const seeds = Array.from({ length: 64 }, (_, i) => `scale-${i}`);
    const runs = await Promise.all(seeds.map(async (seed) => {
      const base = scenario({ peers: 16, durationSec: 30, seed, byteScale: 1 });
      return { full: await simulate(base), scaled: await simulate({ ...base, byteScale: 4 }) };
    }));
    const sum = (pick: (r: SimResult) => number, side: 'full' | 'scaled'): number => runs.reduce((total, run) => total + pick(run[side]), 0);
    const near = (pick: (r: SimResult) => number, what: string): void => {
      const a = sum(pick, 'scaled');
      const b = sum(pick, 'full');
      assert.ok(Math.abs(a - b) <= 0.03 * Math.max(Math.abs(a), Math.abs(b)), `${what}: ${a} at scale 4, ${b} at scale 1`);
    };
    for (const { full } of runs) assert.ok(full.p2pShare > 0.1, `p2pShare ${full.p2pShare}: too little P2P for the comparison to mean anything`);
    near((r) => r.p2pShare, 'p2pShare');
    near((r) => r.counts.dataChannelMessages ?? 0, 'DataChannel messages');
    near((r) => r.counts.originEgressBytes ?? 0, 'origin egress bytes');
    near((r) => r.startupMs.mean, 'startup');
  });

  void test("the issue's upload mix (a fifth of uplinks at half the bitrate): no honest peer is cut off, none left full at its connect timeout", async () => {
    const r = await simulate(scenario({ peers: 60, durationSec: 40, uploadMix: parseUploadMix('0.2:0.5,0.5:1.5,0.3:4'), seed: 'slow-uplinks' }));
    const violations = Object.entries(r.disconnectReasons).filter(([reason]) => reason.includes('violation'));
    assert.deepEqual(violations, [], 'honest peers cut off as liars');
    assert.equal(r.disconnectReasons['connect timeout'] ?? 0, 0, 'offers to full peers must be declined, not left to time out');
    assert.ok((r.disconnectReasons['declined: peer full'] ?? 0) > 0, 'the swarm filled up: some offers met full peers');
    assert.equal(r.continuity, 1);
    assert.equal(r.stalls, 0);
    assert.ok(r.p2pShare > 0.1, `p2pShare ${r.p2pShare}`);
  });

  void test('churn: leavers crash or leave, newcomers join, the swarm keeps playing', async () => {
    const r = await simulate(scenario({ peers: 30, durationSec: 60, churn: 0.5, crashShare: 0.5, crashDetectSec: 10, seed: 'churn' }));
    assert.ok(r.sessions > 30 + 10 && r.sessions <= 30 + 15, `${r.sessions} sessions: 15 leave, as many join (unless too late)`);
    assert.ok(r.continuity > 0.95, `continuity ${r.continuity}`);
    assert.equal(r.counts.engineErrors, 0);
    assert.equal(r.counts.callbackErrors, 0);
  });
});

void describe('uplinks that swing', () => {
  void test('12 peers at 1.6x the bitrate: swinging uplinks carry less, and the swarm still plays without a stall', async () => {
    const base = scenario({ peers: 12, durationSec: 40, uploadMix: parseUploadMix('1:1.6'), rttMinMs: 80, rttMaxMs: 80, seed: 'swing' });
    const steady = await simulate(base);
    const swinging = await simulate({ ...base, uplinkSwing: 0.5 });
    assert.equal(swinging.stalls, 0);
    assert.equal(swinging.counts.engineErrors, 0);
    // Half to all of the capacity, 0.72 of it on average: the swarm carries less.
    assert.ok(swinging.p2pShare < steady.p2pShare - 0.03, `swinging ${swinging.p2pShare} against steady ${steady.p2pShare}`);
    assert.ok(swinging.p2pShare > 0.1, `swinging ${swinging.p2pShare}`);
  });
});

void describe('scenario', () => {
  void test('parses the command line of the issue, and rhoMax follows the documented formula', () => {
    const { params, jsonPath } = parseCli(['--peers', '10000', '--duration', '600', '--upload-mix', '0.2:0.5,0.5:1.5,0.3:4', '--rtt-ms', '20-200', '--churn', '30', '--json', 'out.json']);
    assert.equal(params.peers, 10_000);
    assert.equal(params.churn, 0.3);
    assert.deepEqual([params.rttMinMs, params.rttMaxMs], [20, 200]);
    assert.equal(jsonPath, 'out.json');
    assert.ok(Math.abs(meanUploadMultiple(params) - 2.05) < 1e-9);
    assert.equal(params.byteScale, 4, 'large runs hold bytes chunkBytes / 1 KiB (4) times smaller by default');
    assert.throws(() => parseCli(['--peers', '10']), /required/);
    assert.throws(() => parseCli(['--peers', '10', '--duration', '5', '--upload-mix', '0.5:1']), /sum to 1/);
    assert.equal(params.uplinkSwing, 0, 'uplinks do not swing unless asked');
    assert.equal(parseCli(['--peers', '10', '--duration', '5', '--uplink-swing', '0.3']).params.uplinkSwing, 0.3);
    assert.throws(() => parseCli(['--peers', '10', '--duration', '5', '--uplink-swing', '1.5']), /uplink-swing/);
  });
});
