/**
 * bench:swarm in small: origin + integrity-signing tracker in this process, 6 Node peers (real
 * Engine on node-datachannel, simulated playback) in 2 child processes, 30 s of live. Every peer
 * plays, bytes come from peers, nobody starves, and every peer process has exited afterwards.
 * Also the simulated playback buffer's stall accounting, which the figures rest on.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { HELD_THRESHOLD_MS, LoopHolds } from '../../bench/lib/swarm-loop-holds.js';
import { peerFigures } from '../../bench/lib/swarm-peer-figures.js';
import { PlaybackBuffer } from '../../bench/lib/swarm-playback.js';
import { startSwarmRun, type SwarmRun } from '../../bench/lib/swarm-run.js';

const PARAMS = { peers: 6, processes: 2, durationSec: 30, joinSpreadSec: 5, maxPeers: 12, minPeers: 4, liveSyncSegments: 3 } as const;

let run: SwarmRun | undefined;
after(async () => {
  await run?.close();
});

void test('bench:swarm playback buffer: starts on the first segment, stalls exactly when the buffer runs dry', () => {
  const b = new PlaybackBuffer(1_000);
  assert.equal(b.msUntilNeeded(1_050), 0, 'before playback starts, segments are needed at once');
  b.append(2, 1_100); // plays from 1.1 s, 2 s of media
  assert.equal(b.msUntilNeeded(1_600), 1_500);
  b.append(2, 2_000); // buffered to media 4 s: dry at wall 5.1 s
  b.append(2, 6_100); // arrives 1 s late
  const f = b.figures(7_100);
  assert.deepEqual(f, { startupMs: 100, stalls: 1, stalledMs: 1_000, watchMs: 6_000 });
  assert.deepEqual(b.figures(10_100), { startupMs: 100, stalls: 2, stalledMs: 3_000, watchMs: 9_000 }, 'a stall still running at the end counts');
  assert.deepEqual(b.stallSpansUntil(10_100), [[5_100, 6_100], [8_100, 10_100]], 'stall spans, the running one to now');
});

void test('bench:swarm held-loop accounting: stall time within held spans is counted apart, starving stays the figure', async () => {
  const holds = new LoopHolds();
  const start = performance.now();
  const until = start + 600;
  while (performance.now() < until) { /* hold the loop 600 ms */ }
  await new Promise((resolve) => setTimeout(resolve, 120));
  holds.stop();
  const end = performance.now();
  assert.ok(holds.totalMs() >= 600 - 50 - HELD_THRESHOLD_MS, `held ${holds.totalMs()} ms`);
  const heldInStall = holds.overlapMs([[start, end]]);
  assert.ok(Math.abs(heldInStall - holds.totalMs()) < 1, 'a stall over the whole run covers every held span');
  assert.equal(holds.overlapMs([[end + 1, end + 1_000]]), 0);
  const base = {
    index: 0, stats: { httpBytes: 0, p2pBytes: 1_000, uploadedBytes: 0 }, tally: { http: 0, p2p: 10, failed: 0, skipped: 0 }, startSn: 0, lastExpectedSn: 9, received: 10,
    peersMax: 4, links: [], closeReasons: {}, errors: [],
  };
  const playback = { startupMs: 100, stalls: 1, stalledMs: 10_000, watchMs: 100_000 };
  const held = peerFigures({ ...base, playback, stalledWhileHeldMs: 8_000 });
  assert.equal(held.starving, true, '10 % stalled is starving, whatever the cause');
  assert.equal(held.starvingBesidesHeldLoop, false, '2 % of its own');
  const own = peerFigures({ ...base, playback, stalledWhileHeldMs: 2_000 });
  assert.equal(own.starvingBesidesHeldLoop, true);
});

void test('bench:swarm smoke: 6 Node peers in 2 processes play 30 s of live from each other, none starving', { timeout: 120_000 }, async (t) => {
  run = startSwarmRun(PARAMS, (line) => { t.diagnostic(line); });
  const f = await run.figures;
  t.diagnostic(`p2pShare ${f.p2pShare}, origin egress/segment ${f.originEgressPerSegment}, stalls ${f.stalls}, starving ${f.starvingPeers}, startup ${f.startupMs.mean} ms, cpuSec ${f.cpuSec.join(' ')}`);
  const detail = JSON.stringify(f.perPeer.map((p) => ({ i: p.i, received: p.received, expected: p.expected, stalledMs: p.stalledMs, errors: p.errors })));
  assert.equal(f.perPeer.length, PARAMS.peers, 'a peer process lost peers');
  assert.equal(f.peersPlayed, PARAMS.peers, `not every peer played: ${detail}`);
  assert.equal(f.starvingPeers, 0, `starving peers: ${detail}`);
  assert.ok(f.p2pShare > 0, 'no bytes came from peers');
  for (const p of f.perPeer) assert.ok(p.expected >= 10, `peer #${p.i} expected only ${p.expected} segments in 30 s`);
  assert.ok(f.originEgressPerSegment !== null && f.originEgressPerSegment < PARAMS.peers, `origin egress per segment ${f.originEgressPerSegment} is no better than plain HTTP`);
  assert.deepEqual(f.peersPerProcess, [3, 3]);
  for (const p of f.processes.slice(1)) {
    assert.throws(() => process.kill(p.pid, 0), { code: 'ESRCH' }, `peer process ${p.pid} still runs`);
  }
});
