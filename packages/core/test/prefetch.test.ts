/** The engine fetches the segment after the player's latest from peers once a neighbour holds it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testbed, firstSnFetchedBy, sameBytes, segmentUrl } from './support/testbed.ts';

const SEGMENT_BYTES = 60_000;
const ref = (sn: number): { rendition: string; sn: number } => ({ rendition: 'v0', sn });

async function twoViewers(prefetchNext: boolean): Promise<Testbed> {
  const bed = new Testbed({ seed: `prefetch-${String(prefetchNext)}`, trackerLatencyMs: 10, httpLatencyMs: 40 });
  bed.addEngine('A', { integrity: 'off', prefetchNext });
  bed.addEngine('B', { integrity: 'off', prefetchNext });
  await bed.connectAll();
  return bed;
}

void describe('prefetch', () => {
  void test('a segment a neighbour got arrives from it before the player asks, and the player then gets it without HTTP', async () => {
    const bed = await twoViewers(true);
    const a = bed.get('A');
    const b = bed.get('B');
    // A segment B fetches over HTTP as its fetcher (A, not one, would otherwise WANT it of B).
    const sn = firstSnFetchedBy(bed, ['A', 'B'], 'B', 'v0', 3);
    for (const s of [sn - 2, sn - 1, sn]) bed.publish(ref(s), SEGMENT_BYTES);
    // A's player asks for sn - 2 then sn - 1 (deadlines 2 s apart): the prefetcher learns the spacing.
    await bed.clock.settle(a.engine.loadSegment(bed.request(ref(sn - 2), 6_000)));
    await bed.clock.settle(a.engine.loadSegment(bed.request(ref(sn - 1), 8_000)));
    // B's player gets sn (over HTTP: nobody has it yet) and announces it.
    const viaB = await bed.clock.settle(b.engine.loadSegment(bed.request(ref(sn), 6_000)));
    await bed.clock.advance(500);
    assert.equal(a.engine.stats().segmentsPrefetched, 1, 'A fetched it from B before its player asked');
    const httpBefore = a.http.log.filter((e) => e.url === segmentUrl(ref(sn))).length;
    const loaded = await bed.clock.settle(a.engine.loadSegment(bed.request(ref(sn), 6_000)));
    assert.equal(loaded.fromStore, true);
    assert.equal(loaded.source, 'p2p');
    assert.ok(sameBytes(loaded.bytes, viaB.bytes));
    assert.equal(a.http.log.filter((e) => e.url === segmentUrl(ref(sn))).length, httpBefore, 'no HTTP request for it');
    assert.equal(httpBefore, 0);
    bed.destroyAll();
  });

  void test('off: nothing is fetched before the player asks', async () => {
    const bed = await twoViewers(false);
    const a = bed.get('A');
    for (const sn of [1, 2, 3]) bed.publish(ref(sn), SEGMENT_BYTES);
    await bed.clock.settle(a.engine.loadSegment(bed.request(ref(1), 6_000)));
    await bed.clock.settle(a.engine.loadSegment(bed.request(ref(2), 8_000)));
    await bed.clock.settle(bed.get('B').engine.loadSegment(bed.request(ref(3), 6_000)));
    await bed.clock.advance(500);
    assert.equal(a.engine.stats().segmentsPrefetched, 0);
    assert.equal(a.engine.stats().segmentsFromP2p + a.engine.stats().segmentsFromHttp, 2);
    bed.destroyAll();
  });

  void test('a prefetch no peer can serve ends quietly, and the player then gets the segment over HTTP', async () => {
    const bed = await twoViewers(true);
    const a = bed.get('A');
    const b = bed.get('B');
    for (const sn of [1, 2, 3]) bed.publish(ref(sn), SEGMENT_BYTES);
    await bed.clock.settle(a.engine.loadSegment(bed.request(ref(1), 6_000)));
    await bed.clock.settle(a.engine.loadSegment(bed.request(ref(2), 8_000)));
    await bed.clock.settle(b.engine.loadSegment(bed.request(ref(3), 6_000)));
    // B leaves right away: the prefetch it started in A has nobody to get 3 from.
    bed.removeEngine('B', 'crash', 100);
    await bed.clock.advance(8_000);
    const loaded = await bed.clock.settle(a.engine.loadSegment(bed.request(ref(3), 4_000)));
    assert.equal(loaded.bytes.length, SEGMENT_BYTES);
    assert.deepEqual(a.errors, []);
    bed.destroyAll();
  });
});
