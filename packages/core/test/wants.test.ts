/** WANT (protocol 5): the first viewer to ask for a segment nobody near it has makes its HTTP fetcher fetch it at once. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SegmentUrls } from '../src/segment-urls.ts';
import { Testbed, firstSnFetchedBy, segmentUrl, type TestEngine } from './support/testbed.ts';

const SEGMENT_BYTES = 60_000;
const ref = (sn: number): { rendition: string; sn: number } => ({ rendition: 'v0', sn });

/** A, B, C connected; the first sn from 10 whose only HTTP fetcher (3 peers: one per segment) is B. */
async function threeViewers(seed: string): Promise<{ bed: Testbed; a: TestEngine; b: TestEngine; c: TestEngine; sn: number }> {
  const bed = new Testbed({ seed, trackerLatencyMs: 10, httpLatencyMs: 40 });
  const a = bed.addEngine('A', { integrity: 'off' });
  const b = bed.addEngine('B', { integrity: 'off' });
  const c = bed.addEngine('C', { integrity: 'off' });
  await bed.connectAll();
  const sn = firstSnFetchedBy(bed, ['A', 'B', 'C'], 'B', 'v0', 10);
  for (let s = sn - 2; s <= sn + 1; s++) bed.publish(ref(s), SEGMENT_BYTES);
  return { bed, a, b, c, sn };
}

/** B's player plays sn - 2 and sn - 1 (deadlines 2 s apart): B knows its URLs' naming and its spacing. */
async function bPlaysUpTo(bed: Testbed, b: TestEngine, sn: number): Promise<void> {
  await bed.clock.settle(b.engine.loadSegment(bed.request(ref(sn - 2), 6_000)));
  await bed.clock.advance(2_000);
  await bed.clock.settle(b.engine.loadSegment(bed.request(ref(sn - 1), 6_000)));
}

void describe('SegmentUrls', () => {
  test('predicts the next name when the last two carried their sequence numbers', () => {
    const urls = new SegmentUrls();
    urls.asked(ref(41), 'https://cdn/live/seg-41.ts?t=1');
    assert.equal(urls.predict(ref(42)), undefined, 'one name is not a pattern');
    urls.asked(ref(42), 'https://cdn/live/seg-42.ts?t=1');
    assert.equal(urls.predict(ref(43)), 'https://cdn/live/seg-43.ts?t=1');
    const padded = new SegmentUrls();
    padded.asked(ref(99), 'https://cdn/a2/chunk_00099.m4s');
    padded.asked(ref(100), 'https://cdn/a2/chunk_00100.m4s');
    assert.equal(padded.predict(ref(101)), 'https://cdn/a2/chunk_00101.m4s');
    const growing = new SegmentUrls();
    growing.asked(ref(9), 'https://cdn/s9.ts');
    growing.asked(ref(10), 'https://cdn/s10.ts');
    assert.equal(growing.predict(ref(11)), 'https://cdn/s11.ts');
  });

  test('gives nothing for names that are not sequence numbers', () => {
    const stamps = new SegmentUrls();
    stamps.asked(ref(41), 'https://cdn/live/1700000000.ts');
    stamps.asked(ref(42), 'https://cdn/live/1700000002.ts');
    assert.equal(stamps.predict(ref(43)), undefined);
    const ids = new SegmentUrls();
    ids.asked(ref(41), 'https://cdn/live/seg-41.ts');
    ids.asked(ref(42), 'https://cdn/live/other-42.ts');
    assert.equal(ids.predict(ref(43)), undefined, 'the previous name does not follow the latest');
    const query = new SegmentUrls();
    query.asked(ref(41), 'https://cdn/live/seg.ts?n=41');
    query.asked(ref(42), 'https://cdn/live/seg.ts?n=42');
    assert.equal(query.predict(ref(43)), undefined, 'a number in the query is not the name');
  });
});

void describe('WANT', () => {
  test("the first viewer's ask makes the segment's fetcher get it at once; its player then gets it from the store", async () => {
    const { bed, a, b, c, sn } = await threeViewers('wants-1');
    await bPlaysUpTo(bed, b, sn);
    const url = segmentUrl(ref(sn));
    assert.equal(b.http.requestsFor(url).length, 0);
    const askedAtMs = bed.clock.now();
    const viaA = await bed.clock.settle(a.engine.loadSegment(bed.request(ref(sn), 6_000)));
    const fetches = b.http.requestsFor(url);
    assert.equal(fetches.length, 1, 'B fetched the segment before its player asked');
    const startedAfterMs = (fetches[0]?.startedAtMs ?? Number.NaN) - askedAtMs;
    assert.ok(startedAfterMs < 200, `B's fetch started ${startedAfterMs} ms after A asked (one message on the way)`);
    assert.equal(viaA.source, 'p2p', 'A got it from B');
    assert.equal(a.http.requestsFor(url).length, 0);
    assert.equal(a.engine.stats().wantsSent, 1);
    assert.equal(b.engine.stats().wantFetches, 1);
    // B's player asks in its own time: no second fetch.
    await bed.clock.advance(1_500);
    const viaB = await bed.clock.settle(b.engine.loadSegment(bed.request(ref(sn), 4_000)));
    assert.equal(viaB.fromStore, true);
    assert.equal(b.http.requestsFor(url).length, 1);
    // C asks last: the segment is held near it, so no WANT.
    await bed.clock.settle(c.engine.loadSegment(bed.request(ref(sn), 6_000)));
    assert.equal(c.engine.stats().wantsSent, 0);
    assert.equal(c.http.requestsFor(url).length, 0);
    assert.deepEqual([...a.errors, ...b.errors, ...c.errors], []);
    bed.destroyAll();
  });

  test('a fetcher whose player is not about to need the segment does not fetch it early', async () => {
    const { bed, a, b, sn } = await threeViewers('wants-2');
    // B's player is two segments behind: sn is not its next one.
    await bed.clock.settle(b.engine.loadSegment(bed.request(ref(sn - 3), 6_000)).catch(() => undefined));
    await bed.clock.settle(b.engine.loadSegment(bed.request(ref(sn - 2), 8_000)));
    await bed.clock.settle(a.engine.loadSegment(bed.request(ref(sn), 6_000)));
    assert.equal(a.engine.stats().wantsSent, 1);
    assert.equal(b.engine.stats().wantsReceived, 1);
    assert.equal(b.engine.stats().wantFetches, 0);
    assert.equal(b.http.requestsFor(segmentUrl(ref(sn))).length, 0);
    bed.destroyAll();
  });

  test('a fetch from a predicted URL the player then names otherwise is dropped and fetched again from the player URL', async () => {
    const { bed, a, b, sn } = await threeViewers('wants-3');
    await bPlaysUpTo(bed, b, sn);
    const predicted = segmentUrl(ref(sn));
    const viaA = a.engine.loadSegment(bed.request(ref(sn), 6_000));
    for (let i = 0; i < 100 && b.http.requestsFor(predicted).length === 0; i++) await bed.clock.advance(5);
    assert.equal(b.engine.stats().wantFetches, 1);
    // The playlist names sn otherwise (say, after a discontinuity): the player's URL wins.
    const other = bed.publish({ rendition: 'elsewhere', sn }, SEGMENT_BYTES);
    const viaB = await bed.clock.settle(b.engine.loadSegment({ ref: ref(sn), url: other.url, deadlineMs: bed.clock.now() + 4_000 }));
    assert.deepEqual(viaB.bytes, other.bytes);
    assert.equal(b.engine.stats().wantUrlMismatches, 1);
    assert.equal(b.http.requestsFor(predicted)[0]?.outcome, 'aborted');
    await bed.clock.settle(viaA);
    assert.deepEqual([...a.errors, ...b.errors], []);
    bed.destroyAll();
  });
});
