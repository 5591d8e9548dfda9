/** Cluster mode's Redis scripts: peer lists drawn fairly from a small swarm, and scripts run by SHA1 survive a flushed script cache. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { node, peersOf, redisFor } from './cluster-support.js';
import { OFFER, joined } from './test-client.js';
import type { TestClient } from './test-client.js';

const SWARM = 'http://origin.example/live/master.m3u8';

void describe('cluster Redis scripts', () => {
  void test('peer lists of a swarm smaller than the draw reach every member, not only the first to join', async (t) => {
    const redis = await redisFor(t);
    const a = await node(t, redis.url, 'node-a');
    const b = await node(t, redis.url, 'node-b');
    const members: TestClient[] = [];
    // 30 members (the draw is 2 x 20 + 1 = 41: HRANDFIELD returns the whole hash, in insertion order).
    for (let i = 0; i < 30; i++) members.push(await joined(t, (i % 2 === 0 ? a : b).url, SWARM));
    const asker = members[0];
    assert.ok(asker !== undefined);
    const seen = new Set<string>();
    // Each list holds 20 of the 29 others: one member is missed by 15 random lists with p = (9/29)^15 < 1e-7.
    for (let round = 0; round < 15; round++) for (const id of await peersOf(asker, SWARM)) seen.add(id);
    const others = members.slice(1).map((m) => m.peerId);
    assert.deepEqual([...seen].sort(), others.sort(), 'every other member was listed at least once');
  });

  void test('after Redis forgets its scripts (SCRIPT FLUSH), peer lists and cross-node signals still work', async (t) => {
    const redis = await redisFor(t);
    const a = await node(t, redis.url, 'node-a');
    const b = await node(t, redis.url, 'node-b');
    const a1 = await joined(t, a.url, SWARM);
    const b1 = await joined(t, b.url, SWARM);
    const raw = new Redis(redis.url);
    t.after(() => raw.quit());
    await raw.script('FLUSH');
    assert.deepEqual(await peersOf(a1, SWARM), [b1.peerId]);
    a1.send({ type: 'signal', swarm: SWARM, to: b1.peerId, data: OFFER });
    assert.deepEqual(await b1.skipTo('signal'), { type: 'signal', swarm: SWARM, from: a1.peerId, data: OFFER });
    assert.equal(a.stats().cluster?.redisErrors, 0);
  });
});
