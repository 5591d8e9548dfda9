import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SegmentRef } from '@swarmcast/protocol';
import { SegmentStore } from '../src/segment-store.ts';

const ref = (sn: number, rendition = 'v0'): SegmentRef => ({ rendition, sn });
const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

void describe('SegmentStore', () => {
  void test('keeps segments within the budget and returns them with their source', () => {
    const store = new SegmentStore(1_000, () => undefined);
    assert.equal(store.put(ref(1), bytes(400, 7), 'http'), true);
    assert.equal(store.put(ref(2), bytes(400), 'p2p'), true);
    assert.equal(store.sizeBytes, 800);
    assert.equal(store.get(ref(1))?.source, 'http');
    assert.equal(store.get(ref(1))?.bytes[0], 7);
    assert.equal(store.has(ref(2)), true);
    assert.equal(store.has(ref(2, 'v1')), false, 'renditions are separate segments');
  });

  void test('among the oldest, evicts what most neighbours already hold: scarce segments stay in the swarm', () => {
    const evicted: number[] = [];
    const replicas = new Map([[1, 0], [2, 3], [3, 1]]);
    const store = new SegmentStore(900, (r) => evicted.push(r.sn), (r) => replicas.get(r.sn) ?? 0);
    for (let sn = 1; sn <= 3; sn++) store.put(ref(sn), bytes(300), 'http');
    store.put(ref(4), bytes(300), 'http');
    assert.deepEqual(evicted, [2], 'sn 2, held by 3 neighbours, goes before the older sn 1 held by none');
    store.put(ref(5), bytes(300), 'http');
    assert.deepEqual(evicted, [2, 3]);
    store.put(ref(6), bytes(300), 'http');
    assert.deepEqual(evicted, [2, 3, 1], 'then the oldest of the equally held');
  });

  void test('evicts oldest insertions first, reporting each through onEvict, never passing the budget', () => {
    const evicted: number[] = [];
    const store = new SegmentStore(1_000, (r) => evicted.push(r.sn));
    for (let sn = 1; sn <= 10; sn++) {
      store.put(ref(sn), bytes(300), 'http');
      assert.ok(store.sizeBytes <= 1_000, `used ${store.sizeBytes}`);
    }
    assert.deepEqual(evicted, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(store.refs().map((r) => r.sn), [8, 9, 10]);
    // A big one pushes out as many old ones as it needs.
    store.put(ref(11), bytes(700), 'http');
    assert.deepEqual(evicted, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(store.refs().map((r) => r.sn), [10, 11]);
    assert.equal(store.sizeBytes, 1_000);
  });

  void test('a segment above the whole budget is refused without evicting anything', () => {
    const evicted: number[] = [];
    const store = new SegmentStore(1_000, (r) => evicted.push(r.sn));
    store.put(ref(1), bytes(500), 'http');
    assert.equal(store.put(ref(2), bytes(1_001), 'http'), false);
    assert.deepEqual(evicted, []);
    assert.equal(store.has(ref(2)), false);
    assert.equal(store.sizeBytes, 500);
  });

  void test('putting a held segment again replaces it (no double count) and makes it the newest', () => {
    const evicted: number[] = [];
    const store = new SegmentStore(1_000, (r) => evicted.push(r.sn));
    store.put(ref(1), bytes(400), 'http');
    store.put(ref(2), bytes(400), 'http');
    store.put(ref(1), bytes(400, 9), 'p2p');
    assert.equal(store.sizeBytes, 800);
    store.put(ref(3), bytes(400), 'http');
    assert.deepEqual(evicted, [2], 'the re-put segment 1 is now newer than 2');
    assert.equal(store.get(ref(1))?.bytes[0], 9);
    store.clear();
    assert.equal(store.sizeBytes, 0);
    assert.deepEqual(store.refs(), []);
  });
});
