/** start() joins the swarm once the player started, or maxJoinDelayMs later at most (EngineConfig.maxJoinDelayMs). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Engine } from '../src/index.ts';
import { MemoryHttp } from './support/memory-http.ts';
import { MemoryNetwork } from './support/memory-network.ts';
import { MemoryTracker } from './support/memory-tracker.ts';
import { nodeCrypto } from './support/node-crypto.ts';
import { SeededRandom } from './support/seeded-random.ts';
import { TEST_SWARM, TEST_TRACKER_URL, Testbed } from './support/testbed.ts';
import { VirtualClock } from './support/virtual-clock.ts';

const REF = { rendition: 'v0', sn: 1 };

function bedWithPlayer(): Testbed {
  const bed = new Testbed({ seed: 'join-delay' });
  bed.addEngine('A');
  return bed;
}

void describe('joining after the player started', () => {
  void test('a viewer joins when the player says it started, not before; its first load goes over HTTP meanwhile', async () => {
    const bed = bedWithPlayer();
    const { bytes } = bed.publish(REF, 50_000);
    const b = bed.addEngine('B', { maxJoinDelayMs: 2_000 });
    const loaded = b.engine.loadSegment(bed.request(REF, 0));
    await bed.clock.advance(1_000);
    assert.equal((await loaded).source, 'http');
    assert.deepEqual((await loaded).bytes, bytes);
    assert.equal(b.engine.peerId, undefined, 'no tracker connection before the player started');
    assert.equal(bed.tracker.members(TEST_SWARM).length, 1);
    assert.equal(b.engine.stats().joinDelayMs, null);
    b.engine.playerStarted();
    await bed.connectAll(1, 2_000);
    assert.equal(bed.tracker.members(TEST_SWARM).length, 2);
    assert.equal(b.engine.stats().joinDelayMs, 1_000);
    // Said again (every fragment buffered says it): nothing more happens.
    b.engine.playerStarted();
    assert.equal(b.engine.stats().joinDelayMs, 1_000);
    bed.destroyAll();
  });

  void test('a player that never says it started (autoplay refused, no integration) joins after maxJoinDelayMs', async () => {
    const bed = bedWithPlayer();
    const b = bed.addEngine('B', { maxJoinDelayMs: 2_000 });
    await bed.clock.advance(1_990);
    assert.equal(b.engine.peerId, undefined);
    await bed.connectAll(1, 1_000);
    assert.equal(b.engine.stats().joinDelayMs, 2_000);
    bed.destroyAll();
  });

  void test('expectSeeder and seeder join at once: the edge serves even the first segment', async () => {
    const bed = bedWithPlayer();
    const office = bed.addEngine('B', { maxJoinDelayMs: 2_000, expectSeeder: true });
    const edge = bed.addEngine('C', { maxJoinDelayMs: 2_000, seeder: true });
    await bed.clock.advance(200);
    assert.notEqual(office.engine.peerId, undefined);
    assert.notEqual(edge.engine.peerId, undefined);
    assert.equal(office.engine.stats().joinDelayMs, 0);
    bed.destroyAll();
  });

  void test('a player that started before start() joins at start()', async () => {
    const clock = new VirtualClock(0);
    const tracker = new MemoryTracker({ clock: clock.view('tracker'), latencyMs: 10 });
    const engine = new Engine(
      { trackerUrl: TEST_TRACKER_URL, swarmId: TEST_SWARM, maxJoinDelayMs: 60_000 },
      { clock: clock.view('engine'), http: new MemoryHttp({ clock }), connector: new MemoryNetwork({ clock }).node('solo'), trackerSocket: tracker.socketFactory, random: new SeededRandom('early'), crypto: nodeCrypto },
    );
    engine.playerStarted();
    await clock.advance(1_000);
    assert.equal(engine.peerId, undefined, 'not started: nothing joins');
    engine.start();
    await clock.advance(100);
    assert.notEqual(engine.peerId, undefined);
    assert.equal(engine.stats().joinDelayMs, 0);
    engine.destroy();
  });

  void test('destroy() before joining clears the join timer: the engine never joins', async () => {
    const bed = bedWithPlayer();
    const b = bed.addEngine('B', { maxJoinDelayMs: 2_000 });
    assert.equal(bed.clock.pendingTimers(b.clockOwner), 1, 'the join timer');
    b.engine.destroy();
    assert.equal(bed.clock.pendingTimers(b.clockOwner), 0);
    await bed.clock.advance(3_000);
    assert.equal(b.engine.peerId, undefined);
    assert.equal(bed.tracker.members(TEST_SWARM).length, 1);
    bed.destroyAll();
  });
});
