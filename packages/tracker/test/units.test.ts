import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenBucket } from '../src/rate-limiter.js';
import { SwarmRegistry } from '../src/swarm-registry.js';

const member = (peerId: string): { peerId: string } => ({ peerId });

void describe('SwarmRegistry', () => {
  void test('join, leave and counts; empty swarms are dropped', () => {
    const registry = new SwarmRegistry<{ peerId: string }>();
    assert.equal(registry.join('s', member('a')), true);
    assert.equal(registry.join('s', member('a')), false);
    registry.join('s', member('b'));
    registry.join('t', member('a'));
    assert.equal(registry.swarmCount, 2);
    assert.equal(registry.membershipCount, 3);
    assert.equal(registry.has('s', 'b'), true);
    assert.equal(registry.leave('s', 'a'), true);
    assert.equal(registry.leave('s', 'a'), false);
    assert.equal(registry.leave('nope', 'a'), false);
    registry.leave('t', 'a');
    assert.deepEqual(registry.detail(), { s: { peers: 1 } });
    registry.leave('s', 'b');
    assert.equal(registry.swarmCount, 0);
    assert.equal(registry.membershipCount, 0);
  });

  void test('a swarm named __proto__ is an ordinary key in detail()', () => {
    const registry = new SwarmRegistry<{ peerId: string }>();
    registry.join('__proto__', member('a'));
    const detail = registry.detail();
    assert.deepEqual(Object.keys(detail), ['__proto__']);
    assert.equal(Object.getPrototypeOf(detail), Object.prototype);
    assert.equal(JSON.stringify(detail), '{"__proto__":{"peers":1}}');
  });

  void test('samples are distinct, bounded, exclude the asker and survive swap-removals', () => {
    const registry = new SwarmRegistry<{ peerId: string }>();
    for (let i = 0; i < 500; i++) registry.join('big', member(`p${i}`));
    for (let i = 0; i < 500; i += 3) registry.leave('big', `p${i}`);
    const alive = new Set(Array.from({ length: 500 }, (_, i) => `p${i}`).filter((_, i) => i % 3 !== 0));
    const seen = new Set<string>();
    for (let round = 0; round < 200; round++) {
      for (const max of [1, 20, 64]) {
        const sample = registry.sample('big', 'p1', max);
        assert.equal(sample.length, max);
        assert.equal(new Set(sample).size, max);
        for (const id of sample) {
          assert.ok(alive.has(id) && id !== 'p1', id);
          seen.add(id);
        }
      }
    }
    // Every live member but the asker turns up sooner or later.
    assert.equal(seen.size, alive.size - 1);
  });

  void test('small swarms return every other member', () => {
    const registry = new SwarmRegistry<{ peerId: string }>();
    for (const id of ['a', 'b', 'c']) registry.join('s', member(id));
    assert.deepEqual(registry.sample('s', 'b', 20).sort(), ['a', 'c']);
    assert.deepEqual(registry.sample('s', 'outsider', 20).sort(), ['a', 'b', 'c']);
    assert.deepEqual(registry.sample('none', 'a', 20), []);
  });

  void test('groups: members meet only their own group; leaving keeps the other groups intact', () => {
    const registry = new SwarmRegistry<{ peerId: string }>();
    for (const id of ['a1', 'a2', 'a3']) registry.join('s', member(id), 'office-a');
    for (const id of ['b1', 'b2']) registry.join('s', member(id), 'office-b');
    for (const id of ['x', 'y']) registry.join('s', member(id));
    assert.deepEqual(registry.sample('s', 'a1', 20).sort(), ['a2', 'a3']);
    assert.deepEqual(registry.sample('s', 'b2', 20).sort(), ['b1']);
    assert.deepEqual(registry.sample('s', 'x', 20).sort(), ['y']);
    assert.deepEqual(registry.sample('s', 'outsider', 20, 'office-b').sort(), ['b1', 'b2']);
    assert.equal(registry.groupOf('s', 'b1'), 'office-b');
    assert.equal(registry.groupOf('s', 'x'), '');
    assert.equal(registry.groupOf('s', 'nobody'), undefined);
    assert.equal(registry.memberCount('s'), 7);
    // Swap-removal within a group.
    registry.leave('s', 'a1');
    assert.deepEqual(registry.sample('s', 'a3', 20).sort(), ['a2']);
    registry.leave('s', 'b1');
    registry.leave('s', 'b2');
    assert.deepEqual(registry.sample('s', 'outsider', 20, 'office-b'), []);
    assert.deepEqual(registry.sample('s', 'y', 20), ['x']);
    assert.equal(registry.membershipCount, 4);
  });
});

void describe('TokenBucket', () => {
  void test('allows a burst, then refills at the given rate', () => {
    const bucket = new TokenBucket({ refillPerSec: 10, capacity: 3 }, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
    assert.equal(bucket.take(50), false); // half a token
    assert.equal(bucket.take(100), true);
    assert.equal(bucket.take(100), false);
    // A long pause refills only up to capacity.
    assert.deepEqual([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)], [true, true, true, false]);
  });
});
