/** Several tracker URLs: the client moves to the next after a lost connection, promptly when a node shuts down. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRACKER_SHUTDOWN_CODE } from '@swarmcast/protocol';
import { Engine, resolveEngineConfig } from '../src/index.ts';
import { MemoryHttp } from './support/memory-http.ts';
import { MemoryNetwork } from './support/memory-network.ts';
import { MemoryTracker } from './support/memory-tracker.ts';
import { nodeCrypto } from './support/node-crypto.ts';
import { SeededRandom } from './support/seeded-random.ts';
import { TEST_SWARM } from './support/testbed.ts';
import { VirtualClock } from './support/virtual-clock.ts';

const URL_A = 'ws://node-a.test/';
const URL_B = 'ws://node-b.test/';

/** One engine with two tracker nodes, A first in its list. */
function twoNodes(): { clock: VirtualClock; a: MemoryTracker; b: MemoryTracker; engine: Engine; log: string[] } {
  const clock = new VirtualClock(0);
  const a = new MemoryTracker({ clock: clock.view('tracker-a'), latencyMs: 10 });
  const b = new MemoryTracker({ clock: clock.view('tracker-b'), latencyMs: 10 });
  const engine = new Engine(
    { trackerUrls: [URL_A, URL_B], swarmId: TEST_SWARM, trackerReconnectBaseMs: 1_000, trackerReconnectMaxMs: 8_000, maxJoinDelayMs: 0 },
    {
      clock: clock.view('engine'),
      http: new MemoryHttp({ clock }),
      connector: new MemoryNetwork({ clock }).node('solo'),
      trackerSocket: (url, events) => (url === URL_A ? a : b).socketFactory(url, events),
      random: new SeededRandom('urls'),
      crypto: nodeCrypto,
    },
  );
  const log: string[] = [];
  engine.on('tracker-connected', (e) => log.push(`connected ${e.peerId} @${clock.now()}`));
  engine.on('tracker-disconnected', (e) => log.push(`disconnected ${e.reason} @${clock.now()}`));
  engine.start();
  return { clock, a, b, engine, log };
}

void describe('tracker URLs', () => {
  void test('starts with the first URL and moves to the next after each lost connection, with the usual backoff', async () => {
    const { clock, a, b, engine, log } = twoNodes();
    await clock.advance(100);
    assert.deepEqual(a.members(TEST_SWARM), ['p1']);
    assert.equal(b.connectionCount, 0);

    a.kick('p1', 'node died');
    await clock.advance(2_000);
    assert.deepEqual(a.members(TEST_SWARM), []);
    assert.deepEqual(b.members(TEST_SWARM), ['p1'], 'rejoined through node B');
    const lost = Number(log[1]?.split('@')[1]);
    const back = Number(log[2]?.split('@')[1]);
    // Equal jitter on the first attempt: 500-1000 ms, plus the connection's round trips.
    assert.ok(back - lost >= 500 && back - lost <= 1_100, log.join('\n'));

    // And round again: B lost, back to A.
    b.kick('p1', 'node died');
    await clock.advance(2_000);
    assert.deepEqual(a.members(TEST_SWARM), ['p2']);
    engine.destroy();
    await clock.advance(100);
  });

  void test('a node announcing its shutdown is left at once for the next URL, without backoff growth', async () => {
    const { clock, a, b, engine, log } = twoNodes();
    await clock.advance(100);
    const shutdown = JSON.stringify({ type: 'error', code: TRACKER_SHUTDOWN_CODE, message: 'going away' });
    for (let i = 0; i < 4; i++) {
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
      const id = from.members(TEST_SWARM)[0] ?? '';
      const before = clock.now();
      from.sendRaw(id, shutdown);
      // Within one base delay (1 s) plus round trips, every time: no exponential growth.
      await clock.advance(1_100);
      assert.equal(to.members(TEST_SWARM).length, 1, `shutdown ${i}: rejoined the other node within 1.1 s of ${before}\n${log.join('\n')}`);
      assert.equal(from.members(TEST_SWARM).length, 0);
    }
    assert.ok(log.some((l) => l.startsWith('disconnected tracker node going away')), log.join('\n'));
    engine.destroy();
    await clock.advance(100);
  });

  void test('config: trackerUrls are checked; trackerUrl defaults to the first; trackerUrl alone still works', () => {
    const c = resolveEngineConfig({ trackerUrls: [URL_A, URL_B], swarmId: 's' });
    assert.equal(c.trackerUrl, URL_A);
    assert.deepEqual(c.trackerUrls, [URL_A, URL_B]);
    assert.deepEqual(resolveEngineConfig({ trackerUrl: URL_B, swarmId: 's' }).trackerUrls, []);
    // Wrappers pass options through as undefined when their user left them out.
    assert.deepEqual(resolveEngineConfig({ trackerUrl: URL_B, trackerUrls: undefined, swarmId: 's' }).trackerUrls, []);
    assert.equal(resolveEngineConfig({ trackerUrl: undefined, trackerUrls: [URL_A], swarmId: 's' }).trackerUrl, URL_A);
    assert.throws(() => resolveEngineConfig({ trackerUrls: ['http://x/'], swarmId: 's' }), /trackerUrls must be a list of at most 16 ws:\/\/ or wss:\/\/ URLs/);
    assert.throws(() => resolveEngineConfig({ trackerUrls: Array<string>(17).fill(URL_A), swarmId: 's' }), /at most 16/);
    assert.throws(() => resolveEngineConfig({ swarmId: 's' }), /trackerUrl must be a ws:\/\/ or wss:\/\/ URL/);
  });
});
