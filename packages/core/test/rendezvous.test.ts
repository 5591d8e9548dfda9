import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hash32, rendezvousTop } from '../src/rendezvous.ts';

const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
const equal = ids.map((id) => ({ id, weight: 0 }));

void describe('rendezvous hashing', () => {
  void test('is deterministic and independent of the order candidates are listed in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(ids, { minLength: 1 }), fc.string({ maxLength: 20 }), fc.integer({ min: 1, max: 3 }), (subset, key, count) => {
        const candidates = subset.map((id) => ({ id, weight: 0 }));
        const first = rendezvousTop(candidates, key, count);
        assert.deepEqual(rendezvousTop([...candidates].reverse(), key, count), first);
        assert.deepEqual(rendezvousTop(candidates, key, count), first);
        assert.equal(first.length, Math.min(count, subset.length));
        assert.equal(new Set(first).size, first.length);
      }),
      { seed: 42, numRuns: 300 },
    );
    assert.equal(hash32('v0/1'), hash32('v0/1'));
  });

  void test('every member of a swarm agrees on the fetchers of a segment, whoever computes it', () => {
    // Each peer knows the same full mesh but lists itself first, as Engine.isDesignatedFetcher does.
    for (let sn = 0; sn < 200; sn++) {
      const key = `v0/${sn}`;
      const views = ids.map((self) => rendezvousTop([{ id: self, weight: 0 }, ...equal.filter((c) => c.id !== self)], key, 2));
      for (const view of views) assert.deepEqual(view, views[0]);
      const designated = ids.filter((self) => views[0]?.includes(self));
      assert.equal(designated.length, 2, 'exactly httpFetchersPerSegment peers think they are designated');
    }
  });

  void test('spreads 10k keys roughly uniformly over equal candidates', () => {
    const wins = new Map<string, number>(ids.map((id) => [id, 0]));
    const n = 10_000;
    for (let sn = 0; sn < n; sn++) {
      const top = rendezvousTop(equal, `v0/${sn}`, 1)[0] ?? '';
      wins.set(top, (wins.get(top) ?? 0) + 1);
    }
    const expected = n / ids.length;
    let chi2 = 0;
    for (const count of wins.values()) {
      assert.ok(Math.abs(count - expected) < expected * 0.1, `count ${count} vs ${expected}`);
      chi2 += (count - expected) ** 2 / expected;
    }
    // 7 degrees of freedom: p = 0.001 at 24.3.
    assert.ok(chi2 < 24.3, `chi2 ${chi2.toFixed(1)}`);
  });

  void test('weights bias the choice in proportion (weight <= 0 counts as 1)', () => {
    const weighted = [
      { id: 'a', weight: 1 },
      { id: 'b', weight: 0 },
      { id: 'c', weight: 2 },
      { id: 'd', weight: 4 },
    ];
    const wins: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    const n = 20_000;
    for (let sn = 0; sn < n; sn++) {
      const top = rendezvousTop(weighted, `live/${sn}`, 1)[0] ?? '';
      wins[top] = (wins[top] ?? 0) + 1;
    }
    const share = (id: string): number => (wins[id] ?? 0) / n;
    assert.ok(Math.abs(share('a') - 1 / 8) < 0.02, `a ${share('a')}`);
    assert.ok(Math.abs(share('b') - 1 / 8) < 0.02, `b ${share('b')}`);
    assert.ok(Math.abs(share('c') - 2 / 8) < 0.02, `c ${share('c')}`);
    assert.ok(Math.abs(share('d') - 4 / 8) < 0.02, `d ${share('d')}`);
  });

  void test('removing a candidate only moves the keys it held', () => {
    const without = equal.filter((c) => c.id !== 'p3');
    for (let sn = 0; sn < 2_000; sn++) {
      const before = rendezvousTop(equal, `v0/${sn}`, 1)[0];
      const after = rendezvousTop(without, `v0/${sn}`, 1)[0];
      if (before !== 'p3') assert.equal(after, before);
    }
  });
});
