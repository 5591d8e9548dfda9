/** Engine lifecycle: destroy(), the tracker connection, and the events around peers. */
import { nodeCrypto } from './support/node-crypto.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Engine, EngineError } from '../src/index.ts';
import { MemoryHttp } from './support/memory-http.ts';
import { MemoryNetwork } from './support/memory-network.ts';
import { MemoryTracker } from './support/memory-tracker.ts';
import { SeededRandom } from './support/seeded-random.ts';
import { TEST_SWARM, TEST_TRACKER_URL, Testbed } from './support/testbed.ts';
import { VirtualClock } from './support/virtual-clock.ts';

void describe('destroy()', () => {
  void test('mid-activity: no timer of the engine remains, every link closes on both sides, loads reject', async () => {
    const bed = new Testbed({ seed: 'destroy', bandwidthBytesPerSec: 300_000, lowWaterBytes: 16 * 1024 });
    const e = bed.addEngine('E', { sendHighWaterBytes: 64 * 1024 });
    bed.addEngine('F');
    bed.addEngine('G');
    await bed.connectAll();
    // Something of everything in flight: an HTTP download, an upload to F, a wait for an announcement.
    const held = { rendition: 'v0', sn: 1 };
    bed.publish(held, 600_000);
    await bed.clock.settle(e.engine.loadSegment(bed.request(held, 1_000)));
    await bed.clock.advance(100);
    const fLoad = bed.get('F').engine.loadSegment(bed.request(held, 20_000));
    const httpRef = { rendition: 'v0', sn: 2 };
    bed.publish(httpRef, 100_000);
    e.http.latencyMs = 5_000;
    const eLoads = [e.engine.loadSegment(bed.request(httpRef, 1_500))];
    for (let sn = 3; sn < 8; sn++) {
      bed.publish({ rendition: 'v0', sn }, 10_000);
      eLoads.push(e.engine.loadSegment(bed.request({ rendition: 'v0', sn }, 30_000)));
    }
    const outcomes = eLoads.map((p) => p.then(() => 'resolved', (err: unknown) => (err instanceof EngineError ? err.code : String(err))));
    await bed.clock.advance(300);
    assert.ok(bed.clock.pendingTimers(e.clockOwner) > 0, 'the engine had timers running');
    assert.ok((e.node.linkToPeer(bed.idOf('F'))?.bufferedAmountBytes ?? 0) > 0, 'an upload to F was in flight');

    const eId = bed.idOf('E');
    e.engine.destroy();
    e.engine.destroy(); // idempotent
    await bed.clock.advance(0);
    assert.equal(bed.clock.pendingTimers(e.clockOwner), 0, `engine timers left: ${JSON.stringify(bed.clock.pendingByOwner())}`);
    assert.equal(bed.clock.pendingTimers('http:E'), 0, 'its HTTP request was aborted');
    assert.equal(e.node.links.size, 0, 'its own side of every link is closed');
    assert.deepEqual(await Promise.all(outcomes), Array(6).fill('LOAD_ABORTED'));
    await bed.clock.advance(1_000);
    assert.deepEqual(
      bed.network.liveLinks().filter((l) => l.node.name === 'E' || l.remoteNode === 'E'),
      [],
      'the other side of every link closed too',
    );
    for (const other of ['F', 'G']) {
      assert.ok(!bed.get(other).engine.connectedPeerIds().includes(eId));
      assert.ok(bed.get(other).disconnects.some((d) => d.peerId === eId));
    }
    assert.ok(!bed.tracker.members(TEST_SWARM).includes(eId), 'E left the swarm at the tracker');
    // F's download from E broke off; F finishes it over HTTP.
    assert.equal((await bed.clock.settle(fLoad)).bytes.length, 600_000);
    await assert.rejects(e.engine.loadSegment(bed.request(held, 1_000)), { code: 'ENGINE_DESTROYED' });
    assert.throws(() => e.engine.start(), { code: 'ENGINE_DESTROYED' });
    bed.destroyAll();
  });

  void test('destroying every engine leaves nothing on the clock, the network or the tracker', async () => {
    const bed = new Testbed({ seed: 'destroy-all' });
    for (const n of ['A', 'B', 'C']) bed.addEngine(n);
    await bed.connectAll();
    const ref = { rendition: 'v0', sn: 1 };
    bed.publish(ref, 50_000);
    await bed.clock.settle(bed.get('A').engine.loadSegment(bed.request(ref, 1_000)));
    void bed.get('B').engine.loadSegment(bed.request(ref, 10_000)).catch(() => undefined);
    await bed.clock.advance(20);
    bed.destroyAll();
    await bed.clock.advance(1_000);
    assert.equal(bed.clock.pendingTimers(), 0, JSON.stringify(bed.clock.pendingByOwner()));
    assert.deepEqual(bed.network.liveLinks(), []);
    assert.equal(bed.tracker.connectionCount, 0);
  });
});

/** One engine alone with a tracker, for tracker-connection tests. */
function loneEngine(tracker: Partial<ConstructorParameters<typeof MemoryTracker>[0]> = {}): {
  clock: VirtualClock;
  tracker: MemoryTracker;
  engine: Engine;
  log: string[];
} {
  const clock = new VirtualClock(0);
  const mt = new MemoryTracker({ clock: clock.view('tracker'), latencyMs: 10, ...tracker });
  const engine = new Engine(
    { trackerUrl: TEST_TRACKER_URL, swarmId: TEST_SWARM, trackerReconnectBaseMs: 1_000, trackerReconnectMaxMs: 8_000, maxJoinDelayMs: 0 },
    {
      clock: clock.view('engine'),
      http: new MemoryHttp({ clock }),
      connector: new MemoryNetwork({ clock }).node('solo'),
      trackerSocket: mt.socketFactory,
      random: new SeededRandom('lone'),
      crypto: nodeCrypto,
    },
  );
  const log: string[] = [];
  engine.on('tracker-connected', (e) => log.push(`connected ${e.peerId} @${clock.now()}`));
  engine.on('tracker-disconnected', (e) => log.push(`disconnected ${e.reason} @${clock.now()}`));
  engine.start();
  return { clock, tracker: mt, engine, log };
}

void describe('tracker connection', () => {
  void test('joins, keeps the connection alive with pings, and leaves on destroy', async () => {
    const { clock, tracker, engine, log } = loneEngine({ heartbeatMs: 5_000 });
    await clock.advance(100);
    assert.equal(engine.peerId, 'p1');
    assert.deepEqual(tracker.members(TEST_SWARM), ['p1']);
    assert.deepEqual(log, ['connected p1 @40']);
    await clock.advance(40_000);
    // A ping every 0.8 x heartbeatMs.
    assert.equal(tracker.messageCounts.get('ping'), 10);
    engine.destroy();
    await clock.advance(100);
    assert.equal(tracker.messageCounts.get('leave'), 1);
    assert.equal(tracker.connectionCount, 0);
    assert.equal(clock.pendingTimers(), 0);
  });

  void test('reconnects with jittered, growing, capped backoff while the tracker is down, then rejoins', async () => {
    const { clock, tracker, engine, log } = loneEngine();
    await clock.advance(100);
    tracker.refuseConnections = true;
    tracker.kick('p1', 'restart');
    await clock.advance(60_000);
    const times = log.filter((l) => l.startsWith('disconnected')).map((l) => Number(l.split('@')[1]));
    assert.ok(times.length >= 6, log.join('\n'));
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0) - 10); // minus the refused attempt's 10 ms
    gaps.forEach((gap, k) => {
      const cap = Math.min(8_000, 1_000 * 2 ** k);
      assert.ok(gap >= cap / 2 && gap <= cap, `attempt ${k}: waited ${gap} ms, expected ${cap / 2}-${cap}`);
    });
    tracker.refuseConnections = false;
    await clock.advance(10_000);
    assert.equal(engine.peerId, 'p2');
    assert.deepEqual(tracker.members(TEST_SWARM), ['p2']);
    engine.destroy();
  });

  void test('a tracker that sends garbage is dropped and reconnected to', async () => {
    const { clock, tracker, engine, log } = loneEngine();
    await clock.advance(100);
    tracker.sendRaw('p1', 'this is not json');
    await clock.advance(3_000);
    assert.match(log[1] ?? '', /^disconnected TRACKER_MSG_NOT_JSON/);
    assert.equal(engine.peerId, 'p2');
    assert.equal(tracker.connectionCount, 1, 'the old connection was closed');
    engine.destroy();
  });

  void test("a dropped socket's late close event does not tear down the new connection", async () => {
    // The closing handshake of the dropped socket outlasts the reconnect delay (a slow or dead tracker).
    const { clock, tracker, engine, log } = loneEngine({ closeHandshakeMs: 5_000 });
    await clock.advance(100);
    tracker.sendRaw('p1', '{"type":"nonsense"}');
    await clock.advance(20_000);
    assert.equal(engine.peerId, 'p2', log.join('\n'));
    assert.equal(tracker.connectionCount, 1, 'one connection, not a leaked one plus a new one');
    assert.equal(log.filter((l) => l.startsWith('disconnected')).length, 1, log.join('\n'));
    engine.destroy();
  });
});

void describe('peer events', () => {
  void test('peer-connected after HELLO; peer-disconnected for every closed connection, with its reason', async () => {
    const bed = new Testbed({ seed: 'events' });
    const silent = bed.addScriptedPeer('S');
    silent.acceptOffers = false;
    await bed.clock.advance(100);
    const e = bed.addEngine('E', { connectTimeoutMs: 2_000 });
    const connected: string[] = [];
    e.engine.on('peer-connected', (ev) => connected.push(ev.peerId));
    bed.addEngine('G');
    await bed.clock.advance(2_500);
    const gId = bed.idOf('G');
    const sId = silent.peerId ?? '';
    assert.deepEqual(connected, [gId]);
    bed.removeEngine('G');
    await bed.clock.advance(1_000);
    // Also reported: an attempt that never opened (it had no peer-connected). Count peers with stats().peers.
    assert.deepEqual(e.disconnects, [
      { peerId: sId, reason: 'connect timeout' },
      { peerId: gId, reason: 'link closed: remote peer closed the connection' },
    ]);
    assert.equal(e.engine.stats().peers, 0);
    bed.destroyAll();
  });
});
