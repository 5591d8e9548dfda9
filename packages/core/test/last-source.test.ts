/** A viewer asks the peer that last delivered to it in time first, until that peer is late. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SegmentRef } from '@swarmcast/protocol';
import { Testbed } from './support/testbed.ts';

const SIZE = 100_000;
const ref = (sn: number): SegmentRef => ({ rendition: 'v0', sn });
/** A's uplink to V: a segment takes 4 s on it. */
const SLOW_BYTES_PER_SEC = 25_000;

test('the last source in time is asked before a holder with more upload; once late, it is not', async () => {
  const bed = new Testbed({
    seed: 'last-source',
    profile: (from, to) => (from === 'A' && to === 'V' ? { bandwidthBytesPerSec: SLOW_BYTES_PER_SEC } : undefined),
  });
  try {
    for (let sn = 1; sn <= 4; sn++) bed.publish(ref(sn), SIZE);
    // A alone holds segment 1; A and B both hold 2-4; B announces the larger uplink.
    const a = bed.addEngine('A', { uploadKbps: 1_000 });
    assert.equal((await bed.clock.settle(a.engine.loadSegment(bed.request(ref(1), 20_000)))).source, 'http');
    const b = bed.addEngine('B', { uploadKbps: 10_000 });
    await bed.connectAll(1);
    for (let sn = 2; sn <= 4; sn++) {
      await bed.clock.settle(b.engine.loadSegment(bed.request(ref(sn), 20_000)));
      await bed.clock.settle(a.engine.loadSegment(bed.request(ref(sn), 20_000)));
    }
    const v = bed.addEngine('V');
    await bed.connectAll(2);
    /** V loads segment `sn` from peers, due in 20 s: the bytes A and B uploaded for it. */
    const servedBy = async (sn: number): Promise<{ a: number; b: number }> => {
      const before = { a: a.engine.stats().uploadedBytes, b: b.engine.stats().uploadedBytes };
      assert.equal((await bed.clock.settle(v.engine.loadSegment(bed.request(ref(sn), 20_000)))).source, 'p2p');
      return { a: a.engine.stats().uploadedBytes - before.a, b: b.engine.stats().uploadedBytes - before.b };
    };

    // Segment 1: only A holds it, so A delivers it (in time: 4 s of 20).
    assert.deepEqual(await servedBy(1), { a: SIZE, b: 0 });
    // Segment 2: B ranks first by upload, but A, the last source, is asked first and delivers.
    assert.deepEqual(await servedBy(2), { a: SIZE, b: 0 });

    // Segment 3, due in 3 s: A is asked and cannot make it (the rest comes over HTTP).
    const late = v.engine.stats().peerAttempts.late;
    await bed.clock.settle(v.engine.loadSegment(bed.request(ref(3), 3_000)));
    assert.equal(v.engine.stats().peerAttempts.late, late + 1);

    // Segment 4: A was late since its last delivery in time, so the usual order holds: B first.
    assert.deepEqual(await servedBy(4), { a: 0, b: SIZE });
  } finally {
    bed.destroyAll();
  }
});
