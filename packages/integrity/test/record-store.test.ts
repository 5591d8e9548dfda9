import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SegmentRecord } from '@swarmcast/protocol';
import { RecordStore } from '../src/index.js';

function record(rendition: string, sn: number, tag = 'a'): SegmentRecord {
  return { rendition, sn, sizeBytes: 1000 + sn, sha256: tag.repeat(64), keyId: 'k', signature: tag.repeat(86) };
}

void describe('RecordStore', () => {
  void test('get returns held records in the order asked, absent ones skipped; add returns only new or changed ones', () => {
    const store = new RecordStore({ maxSwarms: 4, maxRenditionsPerSwarm: 4, recentPerSwarm: 10 });
    assert.equal(store.add('s', [record('r', 1), record('r', 2)], 100).length, 2);
    assert.deepEqual(store.add('s', [record('r', 2)], 100), []);
    assert.deepEqual(store.add('s', [record('r', 2, 'b')], 100), [record('r', 2, 'b')]);
    assert.deepEqual(store.get('s', 'r', [2, 7, 1, 2]), [record('r', 2, 'b'), record('r', 1)]);
    assert.deepEqual(store.get('s', 'other', [1]), []);
    assert.deepEqual(store.get('nope', 'r', [1]), []);
    // The replaced version is not recent any more.
    assert.deepEqual(store.recent('s', 10), [record('r', 1), record('r', 2, 'b')]);
    assert.equal(store.size, 2);
  });

  void test('every level is bounded: records per rendition, renditions per swarm, swarms, recent', () => {
    const store = new RecordStore({ maxSwarms: 2, maxRenditionsPerSwarm: 2, recentPerSwarm: 3 });
    store.add('s', Array.from({ length: 10 }, (_, sn) => record('r', sn)), 4);
    assert.deepEqual(
      store.get('s', 'r', [0, 5, 6, 7, 8, 9]).map((r) => r.sn),
      [6, 7, 8, 9],
    );
    assert.deepEqual(
      store.recent('s', 100).map((r) => r.sn),
      [7, 8, 9],
    );
    store.add('s', [record('q', 1)], 4);
    store.add('s', [record('p', 1)], 4);
    assert.deepEqual(store.get('s', 'r', [9]), [], 'the least recently updated rendition went first');
    assert.equal(store.all('s').length, 2);
    store.add('t', [record('r', 1)], 4);
    store.add('u', [record('r', 1)], 4);
    assert.equal(store.has('s'), false);
    assert.deepEqual(store.swarms(), ['t', 'u']);
    assert.equal(store.size, 2);
  });
});
