/** How a load with little time gets its segment: startup, a thin buffer (a seeder's or a holder's short try), a joiner waiting for its peers' HAVE-MAPs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SegmentRef } from '@swarmcast/protocol';
import { CHUNK, pairOfEngines, requestIds } from './support/acquisition-setup.ts';
import { engineAndScripted, loadBeforeJoin, trickle } from './support/holder-pair.ts';
import { Testbed, sameBytes } from './support/testbed.ts';

void describe('acquisition', () => {
  void test('startup: with less than httpSafetyMs left, HTTP at once even though a peer has the segment', async () => {
    const { bed, e, g } = await pairOfEngines('startup');
    const ref = { rendition: 'v0', sn: 1 };
    const seg = bed.publish(ref, 100_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    await bed.clock.advance(100);
    const t0 = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_400)));
    assert.equal(got.source, 'http');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.log[0]?.startedAtMs, t0, 'the HTTP request left at once');
    assert.equal(e.engine.stats().p2pBytes, 0);
    assert.equal(e.engine.stats().urgentPeerAttempts, 0);
    bed.destroyAll();
  });

  void test('a thin buffer (less than minP2pSlackMs left, more than httpSafetyMs): a holder never late is asked, and delivers', async () => {
    const { bed, e, g } = await pairOfEngines('urgent-holder');
    const ref = { rendition: 'v0', sn: 1 };
    const seg = bed.publish(ref, 100_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    await bed.clock.advance(100);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_900)));
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 0);
    assert.equal(e.engine.stats().urgentPeerAttempts, 1);
    assert.equal(e.engine.stats().urgentPeerDeliveries, 1);
    bed.destroyAll();
  });

  void test('a thin buffer and a slow holder: the rest comes over HTTP by Range once urgentPeerWaitMs is up', async () => {
    const ref = { rendition: 'v0', sn: 4 };
    const { bed, e, link, bytes } = await engineAndScripted('urgent-slow', ref, 8 * CHUNK);
    trickle(bed, link, bytes, 150);
    const t0 = bed.clock.now();
    const request = bed.request(ref, 1_900);
    const got = await bed.clock.settle(e.engine.loadSegment(request));
    assert.ok(sameBytes(got.bytes, bytes));
    assert.equal(requestIds(link).length, 1, 'the holder was asked once');
    assert.equal(link.messages('request')[0]?.withinMs, e.engine.config.urgentPeerWaitMs, 'the request says how long the holder has: the urgent try');
    const [range] = e.http.log;
    assert.equal(range?.startedAtMs, t0 + e.engine.config.urgentPeerWaitMs, 'HTTP took over at urgentPeerWaitMs');
    assert.ok((range.range?.startBytes ?? 0) > 0, 'the Range continues from the holder bytes');
    assert.equal(range.range?.startBytes, e.engine.stats().p2pBytes);
    assert.ok(bed.clock.now() <= request.deadlineMs, 'in time');
    assert.equal(e.engine.stats().urgentPeerAttempts, 1);
    assert.equal(e.engine.stats().urgentPeerDeliveries, 0);
    bed.destroyAll();
  });

  void test('a holder that was late is not asked on a thin buffer, until the late delivery is forgiven 10 s later', async () => {
    const first = { rendition: 'v0', sn: 4 };
    const { bed, e, link, bytes } = await engineAndScripted('late-forgiven', first, 8 * CHUNK);
    trickle(bed, link, bytes, 150);
    await bed.clock.settle(e.engine.loadSegment(bed.request(first, 1_900)));
    assert.equal(e.engine.stats().urgentPeerAttempts, 1, 'asked once, too slow');
    const published = new Map<number, Uint8Array>();
    const announce = async (sn: number): Promise<SegmentRef> => {
      const ref = { rendition: 'v0', sn };
      published.set(sn, bed.publish(ref, 8 * CHUNK).bytes);
      link.send({ type: 'have', ...ref, sizeBytes: 8 * CHUNK });
      await bed.clock.advance(100);
      return ref;
    };
    const soon = await announce(5);
    assert.equal((await bed.clock.settle(e.engine.loadSegment(bed.request(soon, 1_900)))).source, 'http');
    assert.equal(e.engine.stats().urgentPeerAttempts, 1, 'the late holder is not asked right after');
    // Now it serves at once: after 10 s it is asked again.
    link.owner.onMessage = (msg, l) => {
      if (msg.type !== 'request') return;
      const seg = published.get(msg.sn);
      if (seg) for (let o = 0; o < seg.length; o += CHUNK) l.send({ type: 'data', requestId: msg.requestId, offsetBytes: o, totalBytes: seg.length, payload: seg.subarray(o, o + CHUNK) });
    };
    await bed.clock.advance(10_000);
    const later = await announce(6);
    assert.equal((await bed.clock.settle(e.engine.loadSegment(bed.request(later, 1_900)))).source, 'p2p');
    assert.equal(e.engine.stats().urgentPeerAttempts, 2);
    assert.equal(e.engine.stats().urgentPeerDeliveries, 1);
    bed.destroyAll();
  });

  void test('a joiner whose connections are still being made waits for their HAVE-MAPs instead of fetching as the only member it knows', async () => {
    const bed = new Testbed({ seed: 'joining' });
    const g = bed.addEngine('G');
    const ref = { rendition: 'v0', sn: 3 };
    const seg = bed.publish(ref, 100_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    const e = bed.addEngine('E');
    // The tracker's answer is in (about 85 ms here) and E's offer left; the connection is not up (about 190 ms).
    await bed.clock.advance(100);
    assert.equal(e.engine.connectedPeerIds().length, 0, 'no peer ready yet');
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 6_000)));
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 0);
    bed.destroyAll();
  });

  void test('a joiner whose tracker has not answered yet waits for the HAVE-MAPs too, not as the only member it knows', async () => {
    const bed = new Testbed({ seed: 'joining-tracker' });
    const g = bed.addEngine('G');
    const ref = { rendition: 'v0', sn: 3 };
    const seg = bed.publish(ref, 100_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    const e = bed.addEngine('E');
    // Its join is on its way to the tracker (whose answer comes about 85 ms after start here).
    await bed.clock.advance(10);
    assert.equal(e.engine.connectedPeerIds().length, 0);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 6_000)));
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 0);
    bed.destroyAll();
  });

  void test('alone: the tracker answering with no peer wakes a load that waited for it, which goes over HTTP at once', async () => {
    const bed = new Testbed({ seed: 'joining-alone' });
    const ref = { rendition: 'v0', sn: 3 };
    bed.publish(ref, 100_000);
    const e = bed.addEngine('E');
    const startMs = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 6_000)));
    assert.equal(got.source, 'http');
    // Not at the P2P deadline (6 s minus the HTTP margin): at the answer, a round trip in.
    const tookMs = bed.clock.now() - startMs;
    assert.ok(tookMs < 1_000, `took ${tookMs} ms`);
    assert.equal(e.engine.stats().httpFetchReasons.unannounced, 1, 'it waited, for the answer only');
    bed.destroyAll();
  });

  void test('a joiner with a thin buffer: a connection being made brings a holder within urgentPeerWaitMs', async () => {
    const bed = new Testbed({ seed: 'joining-urgent' });
    const g = bed.addEngine('G');
    const ref = { rendition: 'v0', sn: 5 };
    const seg = bed.publish(ref, 60_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    const e = bed.addEngine('E');
    await bed.clock.advance(100);
    assert.equal(e.engine.connectedPeerIds().length, 0, 'no peer ready yet');
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_900)));
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 0);
    assert.equal(e.engine.stats().urgentPeerDeliveries, 1);
    bed.destroyAll();
  });

  void test('a load made before the join (the player about to say it started) waits for the join\'s HAVE-MAPs within urgentPeerWaitMs', async () => {
    const bed = new Testbed({ seed: 'joining-before-join' });
    const g = bed.addEngine('G');
    const ref = { rendition: 'v0', sn: 5 };
    const seg = bed.publish(ref, 60_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    const { e, got } = await loadBeforeJoin(bed, ref);
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 0);
    bed.destroyAll();
  });
});
