/** How the engine gets one segment: store, peers or HTTP, by its deadline. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SegmentRef } from '@swarmcast/protocol';
import type { EngineConfig } from '../src/config.ts';
import { EngineError, rendezvousTop, type LoadedSegment } from '../src/index.ts';
import type { ScriptedLink } from './support/scripted-peer.ts';
import { engineAndScripted, loadBeforeJoin, trickle } from './support/holder-pair.ts';
import { Testbed, sameBytes, type TestEngine } from './support/testbed.ts';

const CHUNK = 16_384;

/** Two engines, E and G, connected. */
async function pairOfEngines(seed: string): Promise<{ bed: Testbed; e: TestEngine; g: TestEngine }> {
  const bed = new Testbed({ seed });
  const e = bed.addEngine('E');
  const g = bed.addEngine('G');
  await bed.connectAll();
  return { bed, e, g };
}

/** The first segment (from `fromSn` on) whose designated HTTP fetcher among `names` is `who`. */
function segmentDesignating(bed: Testbed, names: readonly string[], who: string, fromSn = 0): SegmentRef {
  // Fetchers are ranked by the engines' HELLO ids (instanceId), not their tracker ids.
  const candidates = names.map((n) => ({ id: bed.get(n).engine.instanceId, weight: 0 }));
  for (let sn = fromSn; ; sn++) {
    if (rendezvousTop(candidates, `v0/${sn}`, 1)[0] === bed.get(who).engine.instanceId) return { rendition: 'v0', sn };
  }
}

/** Has the engine's peer H been sent a request, and with which id? */
function requestIds(link: ScriptedLink): number[] {
  return link.messages('request').map((m) => m.requestId);
}

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

  void test('a segment a peer has comes from that peer, byte-identical', async () => {
    const { bed, e, g } = await pairOfEngines('from-peer');
    const ref = { rendition: 'v0', sn: 2 };
    const seg = bed.publish(ref, 150_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    await bed.clock.advance(100);
    const askedAtMs = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    const tookMs = bed.clock.now() - askedAtMs;
    assert.equal(got.source, 'p2p');
    assert.equal(got.fromStore, false);
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 0);
    assert.equal(e.engine.stats().p2pBytes, 150_000);
    assert.equal(e.engine.stats().segmentsFromP2p, 1);
    assert.equal(g.engine.stats().uploadedBytes, 150_000);
    // The control bytes by type add up, DATA headers among the sender's, the request among ours.
    for (const { engine } of [e, g]) {
      const s = engine.stats();
      assert.equal(Object.values(s.controlBytesSentByType).reduce((a, b) => a + b, 0), s.controlBytesSent);
    }
    assert.ok(g.engine.stats().controlBytesSentByType.data > 0);
    assert.ok(e.engine.stats().controlBytesSentByType.request > 0);
    assert.equal(e.engine.stats().controlBytesSentByType.data, 0);
    const attempts = e.engine.stats().peerAttempts;
    assert.equal(attempts.delivered, 1);
    assert.equal(attempts.late + attempts.stalled + attempts.busy + attempts.failed, 0);
    // Asked with the deadline minus the HTTP margin to go, all of it counted for the one delivered.
    assert.equal(attempts.deliveredWithinMs, 10_000 - e.engine.config.httpSafetyMs);
    // From a holder, its first byte one trip after the request at least, within the load's time.
    assert.equal(attempts.deliveredRelay, 0);
    assert.ok(attempts.deliveredFirstByteMs > 0 && attempts.deliveredFirstByteMs <= tookMs, `first byte after ${String(attempts.deliveredFirstByteMs)} ms of ${String(tookMs)}`);
    // Held now: a second load is answered from the store.
    const again = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(again.fromStore, true);
    assert.equal(e.engine.stats().segmentsFromStore, 1);
    bed.destroyAll();
  });

  void test('a non-designated peer waits for an announcement, then fetches from the announcer', async () => {
    const { bed, e, g } = await pairOfEngines('wait-announce');
    const ref = segmentDesignating(bed, ['E', 'G'], 'G');
    const seg = bed.publish(ref, 100_000);
    const t0 = bed.clock.now();
    const loading = e.engine.loadSegment(bed.request(ref, 10_000));
    await bed.clock.advance(1_000);
    assert.equal(e.http.requestCount, 0, 'E does not fetch: G is the designated fetcher');
    const gLoad = g.engine.loadSegment(bed.request(ref, 10_000));
    await bed.clock.advance(0);
    assert.equal(g.http.log[0]?.startedAtMs, t0 + 1_000, 'G, designated, fetches at once');
    const got = await bed.clock.settle(loading);
    await bed.clock.settle(gLoad);
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 0);
    const gDone = g.http.log[0].endedAtMs;
    assert.ok(gDone !== undefined);
    assert.ok(bed.clock.now() - gDone < 200, 'E got it from G right after G had it');
    bed.destroyAll();
  });

  void test('a non-designated peer that hears nothing waits at most maxAnnounceWaitMs, bounded by the deadline', async () => {
    const { bed, e } = await pairOfEngines('no-announce');
    const ref = segmentDesignating(bed, ['E', 'G'], 'G');
    bed.publish(ref, 10_000);
    const t0 = bed.clock.now();
    await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(e.http.log[0]?.startedAtMs, t0 + e.engine.config.maxAnnounceWaitMs);
    const other = segmentDesignating(bed, ['E', 'G'], 'G', ref.sn + 1);
    bed.publish(other, 10_000);
    const t1 = bed.clock.now();
    // Deadline 3 s away: the wait for an announcement ends before the 3 s are up, once no more than
    // minP2pSlackMs is left (or the HTTP margin, if larger: 3x the first fetch's time, at least
    // minHttpSafetyMs), so HTTP never starts on a thin buffer after a wait that brought nothing.
    const first = e.http.log[0];
    assert.ok(first.endedAtMs !== undefined);
    const { httpSafetyMs, minHttpSafetyMs, minP2pSlackMs } = e.engine.config;
    const marginMs = Math.min(httpSafetyMs, Math.max(minHttpSafetyMs, 3 * (first.endedAtMs - first.startedAtMs)));
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(other, 3_000)));
    assert.equal(got.source, 'http');
    assert.equal(e.http.log[1]?.startedAtMs, t1 + 3_000 - Math.max(marginMs, minP2pSlackMs));
    bed.destroyAll();
  });

  void test('the designated peer fetches over HTTP at once', async () => {
    const { bed, e } = await pairOfEngines('designated');
    const ref = segmentDesignating(bed, ['E', 'G'], 'E');
    const seg = bed.publish(ref, 100_000);
    const t0 = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(got.source, 'http');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.log[0]?.startedAtMs, t0);
    bed.destroyAll();
  });

  void test('a peer that plays another rendition is not waited for: the one left on this rendition fetches at once', async () => {
    const { bed, e, g } = await pairOfEngines('other-rendition');
    // G plays v1 (an ABR ladder's other rung): it announces v1 segments, none of v0.
    const onV1 = { rendition: 'v1', sn: 1 };
    bed.publish(onV1, 10_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(onV1, 10_000)));
    await bed.clock.advance(100);
    // Among E and G, G would be v0's fetcher: but G does not fetch v0.
    const ref = segmentDesignating(bed, ['E', 'G'], 'G');
    bed.publish(ref, 100_000);
    const t0 = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(got.source, 'http');
    assert.equal(e.http.log[0]?.startedAtMs, t0, 'E fetches at once, no wait for G');
    assert.equal(e.engine.stats().httpFetchReasons.designated, 1);
    bed.destroyAll();
  });

  void test('a peer that stalls mid-transfer after HAVE: cut off, the rest comes over HTTP with a Range from the received offset', async () => {
    const ref = { rendition: 'v0', sn: 3 };
    const { bed, e, link, bytes } = await engineAndScripted('stall', ref, 100_000);
    link.owner.onMessage = (msg, l) => {
      if (msg.type !== 'request') return;
      for (let off = 0; off < 2 * CHUNK; off += CHUNK) {
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: off, totalBytes: bytes.length, payload: bytes.subarray(off, off + CHUNK) });
      }
    };
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.ok(sameBytes(got.bytes, bytes), 'peer prefix + HTTP rest = the segment');
    assert.equal(got.source, 'p2p', 'some bytes came from a peer');
    const [range] = e.http.log;
    assert.equal(e.http.requestCount, 1);
    assert.equal(range?.range?.startBytes, 2 * CHUNK);
    assert.equal(range.bytes, bytes.length - 2 * CHUNK);
    const stats = e.engine.stats();
    assert.equal(stats.p2pBytes, 2 * CHUNK);
    assert.equal(stats.httpBytes, bytes.length - 2 * CHUNK);
    assert.equal(stats.p2pFallbacks, 1);
    assert.equal(stats.peerAttempts.stalled, 1);
    assert.equal(stats.peerAttempts.late, 0);
    await bed.clock.advance(100);
    // It had announced the whole segment and then went silent: not an honest peer (see false-have.test.ts).
    assert.equal(link.closed, true, 'the staller is cut off');
    assert.equal(stats.peerViolations, 1);
    assert.match(e.disconnects[0]?.reason ?? '', /^protocol violation: no data for v0\/3 in 1500 ms after announcing it as held$/);
    bed.destroyAll();
  });

  void test('silence while our own event loop was held is not the peer\'s: a late stall timer waits a fresh period', async () => {
    const ref = { rendition: 'v0', sn: 8 };
    const { bed, e, link, bytes } = await engineAndScripted('held-loop', ref, 100_000);
    const script = bed.clock.view('script');
    link.owner.onMessage = (msg, l) => {
      if (msg.type !== 'request') return;
      const chunk = (off: number): void => {
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: off, totalBytes: bytes.length, payload: bytes.subarray(off, off + CHUNK) });
      };
      chunk(0);
      // An honest pause under the stall timeout, then the rest.
      script.setTimeout(() => { for (let off = CHUNK; off < bytes.length; off += CHUNK) chunk(off); }, 1_400);
    };
    const loading = e.engine.loadSegment(bed.request(ref, 30_000));
    await bed.clock.advance(50);
    // Our process is not scheduled for 2 s: the stall timer and H's next bytes are both overdue, and
    // the timer runs first (as Node runs timers before I/O).
    bed.clock.freeze(2_000);
    const got = await bed.clock.settle(loading);
    assert.ok(sameBytes(got.bytes, bytes));
    assert.equal(got.source, 'p2p');
    assert.equal(e.http.requestCount, 0);
    assert.equal(link.closed, false, 'not cut off for our own stall');
    assert.equal(e.engine.stats().peerViolations, 0);
    bed.destroyAll();
  });

  void test('a holder that answers late with a burst of two chunks, then goes silent, is cut off at the stall timeout', async () => {
    const ref = { rendition: 'v0', sn: 6 };
    const { bed, e, link, bytes } = await engineAndScripted('late-burst', ref, 100_000);
    const script = bed.clock.view('script');
    link.owner.onMessage = (msg, l) => {
      if (msg.type !== 'request') return;
      // A busy sender: the first chunk after 1.4 s, the second 0.2 s later, then nothing.
      const chunk = (off: number): void => {
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: off, totalBytes: bytes.length, payload: bytes.subarray(off, off + CHUNK) });
      };
      script.setTimeout(() => { chunk(0); }, 1_400);
      script.setTimeout(() => { chunk(CHUNK); }, 1_600);
    };
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 30_000)));
    assert.ok(sameBytes(got.bytes, bytes));
    await bed.clock.advance(100);
    // Paced at 0.2 s a chunk, 1.5 s of silence is a lie (measured since the request, the pace looked
    // like 0.8 s a chunk and the silence like a slow sender's).
    assert.equal(link.closed, true, 'the staller is cut off');
    assert.match(e.disconnects[0]?.reason ?? '', /no data for v0\/6 in 1500 ms after announcing it as held/);
    bed.destroyAll();
  });

  void test('with minHttpSafetyMs below httpSafetyMs, once HTTP is measured fast, peers keep the time a fast CDN does not need: the switch comes at deadline - 3x a fetch (>= minHttpSafetyMs)', async () => {
    const ref = { rendition: 'v0', sn: 4 };
    const { bed, e, link, bytes } = await engineAndScripted('measured-safety', ref, 200_000, { minHttpSafetyMs: 500 });
    // A whole segment over HTTP first: what the margin is measured from.
    const warm = { rendition: 'v0', sn: 3 };
    bed.publish(warm, 200_000);
    await bed.clock.settle(e.engine.loadSegment(bed.request(warm, 500)));
    const fetched = e.http.log[0];
    assert.ok(fetched?.endedAtMs !== undefined);
    const fetchMs = fetched.endedAtMs - fetched.startedAtMs;
    const { httpSafetyMs, minHttpSafetyMs } = e.engine.config;
    const expectedSafetyMs = Math.min(httpSafetyMs, Math.max(minHttpSafetyMs, 3 * fetchMs));
    assert.ok(expectedSafetyMs < httpSafetyMs, `a fetch of ${fetchMs} ms leaves less than httpSafetyMs`);
    trickle(bed, link, bytes, 1_000);
    const request = bed.request(ref, 5_000);
    const got = await bed.clock.settle(e.engine.loadSegment(request));
    assert.ok(sameBytes(got.bytes, bytes));
    const range = e.http.log[1];
    assert.equal(range?.startedAtMs, request.deadlineMs - expectedSafetyMs, 'switched at deadline - the measured margin');
    assert.equal(range.range?.startBytes, e.engine.stats().p2pBytes);
    bed.destroyAll();
  });

  void test('the deadline guard switches a slow peer to HTTP in time', async () => {
    const ref = { rendition: 'v0', sn: 4 };
    const { bed, e, link, bytes } = await engineAndScripted('trickle', ref, 200_000);
    // One chunk a second: never stalled long enough for the stall timer, far too slow for the deadline.
    const sender = trickle(bed, link, bytes, 1_000);
    const request = bed.request(ref, 5_000);
    const t0 = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(request));
    assert.ok(bed.clock.now() <= request.deadlineMs, `done at ${bed.clock.now() - request.deadlineMs} ms from the deadline`);
    assert.ok(sameBytes(got.bytes, bytes));
    const [range] = e.http.log;
    assert.equal(range?.startedAtMs, request.deadlineMs - e.engine.config.httpSafetyMs, 'switched at deadline - httpSafetyMs');
    assert.equal(link.messages('request')[0]?.withinMs, range.startedAtMs - t0, 'the request said when the switch would come');
    assert.equal(range.range?.startBytes, e.engine.stats().p2pBytes);
    assert.ok(e.engine.stats().p2pBytes >= 3 * CHUNK);
    const attempts = e.engine.stats().peerAttempts;
    assert.deepEqual(
      [attempts.late, attempts.lateUnstarted, attempts.lateQueued, attempts.lateRelay, attempts.lateWithinMs, attempts.delivered],
      [1, 0, 0, 0, range.startedAtMs - t0, 0],
      'one late attempt to a holder, with bytes, that had until the switch to HTTP',
    );
    // It was sending: slow, not lying, so the request is cancelled at the switch (what it would
    // send on is thrown away), and the peer is not cut off.
    await bed.clock.advance(100);
    assert.equal(sender.cancelled, true, 'the slow request was cancelled at the switch');
    assert.deepEqual(e.disconnects, [], 'a slow peer is not cut off');
    bed.destroyAll();
  });

  /**
   * Engine E with two scripted peers: R announces the segment as receiving and sends one 16 KiB
   * chunk every 1.4 s (under the stall timeout, far too slow for the deadline); H announces it as held 300 ms after E asked R,
   * with `holderUploadKbps` in its HELLO, and sends whatever is asked of it at once.
   */
  async function slowRelayAndHolder(seed: string, holderUploadKbps: number, config: Partial<EngineConfig> = {}): Promise<{ bed: Testbed; e: TestEngine; relay: { readonly cancelled: boolean }; holderOffsets: number[]; got: LoadedSegment; bytes: Uint8Array }> {
    const bed = new Testbed({ seed });
    const r = bed.addScriptedPeer('R');
    const h = bed.addScriptedPeer('H');
    h.onOpen = (link) => link.greet({ uploadKbps: holderUploadKbps });
    await bed.clock.advance(100);
    const e = bed.addEngine('E', config);
    await bed.clock.advance(1_000);
    const rLink = r.linkTo(bed.idOf('E'));
    const hLink = h.linkTo(bed.idOf('E'));
    assert.ok(rLink?.open && hLink?.open);
    const ref = { rendition: 'v0', sn: 6 };
    const { bytes } = bed.publish(ref, 300_000);
    rLink.send({ type: 'receiving', ...ref });
    await bed.clock.advance(100);
    const relay = trickle(bed, rLink, bytes, 1_400);
    const holderOffsets: number[] = [];
    h.onMessage = (msg, l) => {
      if (msg.type !== 'request') return;
      holderOffsets.push(msg.offsetBytes);
      for (let off = msg.offsetBytes; off < bytes.length; off += CHUNK) {
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: off, totalBytes: bytes.length, payload: bytes.subarray(off, off + CHUNK) });
      }
    };
    const load = e.engine.loadSegment(bed.request(ref, 10_000));
    await bed.clock.advance(300);
    hLink.send({ type: 'have', ...ref, sizeBytes: bytes.length });
    const got = await bed.clock.settle(load);
    return { bed, e, relay, holderOffsets, got, bytes };
  }

  void test('a relay too slow for the deadline is left for a holder whose announced upload sends the rest in time', async () => {
    const { bed, e, relay, holderOffsets, got, bytes } = await slowRelayAndHolder('handover', 100_000);
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, bytes), 'the relay\'s head and the holder\'s rest make the segment');
    assert.equal(e.http.requestCount, 0, 'nothing over HTTP');
    assert.deepEqual(holderOffsets, [2 * CHUNK], 'the holder was asked once, from where the relay stopped (its second chunk, once its pace was known)');
    assert.equal(relay.cancelled, true, 'the relay\'s request was cancelled');
    const attempts = e.engine.stats().peerAttempts;
    assert.deepEqual([attempts.late, attempts.lateRelay, attempts.handedOver, attempts.delivered], [1, 1, 1, 1]);
    await bed.clock.advance(100);
    assert.deepEqual(e.disconnects, [], 'a slow relay is not cut off: its own source set its pace');
    bed.destroyAll();
  });

  void test('no handover without a holder\'s announced upload, or with relayHandoverAfterMs 0: the relay goes on until the HTTP margin', async () => {
    for (const [seed, uploadKbps, config] of [['no-upload', 0, {}], ['handover-off', 100_000, { relayHandoverAfterMs: 0 }]] as const) {
      const { bed, e, relay, holderOffsets, got, bytes } = await slowRelayAndHolder(seed, uploadKbps, config);
      assert.ok(sameBytes(got.bytes, bytes), seed);
      assert.deepEqual(holderOffsets, [], `${seed}: the holder was not asked`);
      assert.equal(relay.cancelled, true, `${seed}: the relay was cancelled at the switch to HTTP`);
      const [range] = e.http.log;
      assert.equal(range?.range?.startBytes, e.engine.stats().p2pBytes, `${seed}: HTTP fetched the rest from where the relay stopped`);
      const attempts = e.engine.stats().peerAttempts;
      assert.deepEqual([attempts.late, attempts.lateRelay, attempts.handedOver], [1, 1, 0], seed);
      bed.destroyAll();
    }
  });

  void test('a peer is not asked with less than 500 ms to the P2P deadline; with 600 ms it is', async () => {
    // minP2pSlackMs 2000 lets the load try peers; httpSafetyMs leaves 400 ms (then 600 ms) for them.
    for (const [safetyMs, asked] of [[1_700, false], [1_500, true]] as const) {
      const ref = { rendition: 'v0', sn: 6 };
      const { bed, e, link, bytes } = await engineAndScripted(`min-try-${String(safetyMs)}`, ref, 2 * CHUNK, { httpSafetyMs: safetyMs, minHttpSafetyMs: 500 });
      let requests = 0;
      link.owner.onMessage = (msg, l) => {
        if (msg.type !== 'request') return;
        requests += 1;
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: 0, totalBytes: bytes.length, payload: bytes });
      };
      const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 2_100)));
      assert.ok(sameBytes(got.bytes, bytes));
      assert.equal(requests, asked ? 1 : 0, `${String(2_100 - safetyMs)} ms for peers`);
      assert.equal(got.source, asked ? 'p2p' : 'http');
      if (!asked) assert.equal(e.engine.stats().httpFetchReasons.slack, 1, 'no time for peers');
      bed.destroyAll();
    }
  });

  void test('a holder that said QUEUED and sent nothing by the switch is cancelled at once: admitted, not lying', async () => {
    const ref = { rendition: 'v0', sn: 5 };
    const { bed, e, link, bytes } = await engineAndScripted('queued-late', ref, 200_000);
    let cancelled = false;
    link.owner.onMessage = (msg, l) => {
      if (msg.type === 'cancel') cancelled = true;
      if (msg.type === 'request') l.send({ type: 'queued', requestId: msg.requestId });
    };
    const request = bed.request(ref, 2_500);
    const got = await bed.clock.settle(e.engine.loadSegment(request));
    assert.ok(sameBytes(got.bytes, bytes));
    assert.equal(got.source, 'http');
    await bed.clock.advance(100);
    assert.equal(cancelled, true, 'cancelled at the switch, not watched for a stall timeout');
    assert.deepEqual(e.disconnects, [], 'not cut off');
    const attempts = e.engine.stats().peerAttempts;
    assert.deepEqual([attempts.late, attempts.lateUnstarted, attempts.lateQueued, attempts.lateRelay], [1, 1, 1, 0], 'late without a byte, after QUEUED, from a holder');
    bed.destroyAll();
  });

  void test('expedite (a seek): a slow peer transfer moves on to HTTP at once, from the offset peers reached', async () => {
    const ref = { rendition: 'v0', sn: 5 };
    const { bed, e, link, bytes } = await engineAndScripted('expedite', ref, 200_000);
    trickle(bed, link, bytes, 500);
    // Far from needed: peers have 30 s.
    const loading = e.engine.loadSegment(bed.request(ref, 30_000));
    await bed.clock.advance(1_200);
    assert.equal(e.http.requestCount, 0, 'peers first while there is time');
    const seekAt = bed.clock.now();
    e.engine.expedite(ref, seekAt);
    const got = await bed.clock.settle(loading);
    assert.ok(sameBytes(got.bytes, bytes));
    const [range] = e.http.log;
    assert.equal(range?.startedAtMs, seekAt, 'HTTP started at the expedite, not at the old deadline');
    assert.equal(range.range?.startBytes, 3 * CHUNK, 'the HTTP Range continues from the peer bytes');
    // A later deadline never slows a load down.
    e.engine.expedite(ref, seekAt + 60_000);
    bed.destroyAll();
  });

  void test('expedite ends the wait for a designated fetcher\'s announcement', async () => {
    const { bed, e } = await pairOfEngines('expedite-wait');
    const ref = segmentDesignating(bed, ['E', 'G'], 'G');
    bed.publish(ref, 10_000);
    const loading = e.engine.loadSegment(bed.request(ref, 30_000));
    await bed.clock.advance(500);
    assert.equal(e.http.requestCount, 0, 'E waits for G, the designated fetcher');
    const seekAt = bed.clock.now();
    e.engine.expedite(ref, seekAt + 100);
    const got = await bed.clock.settle(loading);
    assert.equal(got.source, 'http');
    assert.equal(e.http.log[0]?.startedAtMs, seekAt, 'the wait ended at the expedite');
    bed.destroyAll();
  });

  void test('an aborted load rejects with LOAD_ABORTED and cancels the peer request', async () => {
    const ref = { rendition: 'v0', sn: 5 };
    const { bed, e, link } = await engineAndScripted('abort', ref, 100_000);
    const controller = new AbortController();
    const loading = e.engine.loadSegment(bed.request(ref, 10_000, controller.signal));
    const outcome = loading.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await bed.clock.advance(500);
    assert.equal(requestIds(link).length, 1, 'E asked H');
    controller.abort();
    const error = await outcome;
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, 'LOAD_ABORTED');
    await bed.clock.advance(100);
    assert.deepEqual(link.messages('cancel').map((m) => m.requestId), requestIds(link));
    assert.equal(e.http.requestCount, 0);
    // An aborted signal from the start is refused at once.
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000, pre.signal))), { code: 'LOAD_ABORTED' });
    bed.destroyAll();
  });

  void test('an aborted HTTP load rejects with LOAD_ABORTED and aborts the HTTP request', async () => {
    const { bed, e } = await pairOfEngines('abort-http');
    const ref = { rendition: 'v0', sn: 6 };
    bed.publish(ref, 100_000);
    e.http.latencyMs = 1_000;
    const controller = new AbortController();
    const loading = e.engine.loadSegment(bed.request(ref, 1_500, controller.signal));
    await bed.clock.advance(200);
    controller.abort();
    await assert.rejects(bed.clock.settle(loading), { code: 'LOAD_ABORTED' });
    assert.equal(e.http.log[0]?.outcome, 'aborted');
    assert.equal(bed.clock.pendingTimers('http:E'), 0);
    bed.destroyAll();
  });

  void test('loads of one segment share one download; aborting one user leaves the other', async () => {
    const { bed, e } = await pairOfEngines('shared');
    const ref = { rendition: 'v0', sn: 7 };
    const seg = bed.publish(ref, 100_000);
    const controller = new AbortController();
    const first = e.engine.loadSegment(bed.request(ref, 1_500, controller.signal));
    const second = e.engine.loadSegment(bed.request(ref, 1_500));
    first.catch(() => undefined);
    await bed.clock.advance(10);
    controller.abort();
    await assert.rejects(first, { code: 'LOAD_ABORTED' });
    const got = await bed.clock.settle(second);
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 1);
    bed.destroyAll();
  });

  void test('a load right after every user aborted starts afresh instead of inheriting the abort', async () => {
    const { bed, e } = await pairOfEngines('abort-reload');
    const ref = { rendition: 'v0', sn: 8 };
    const seg = bed.publish(ref, 100_000);
    e.http.latencyMs = 300;
    const controller = new AbortController();
    const first = e.engine.loadSegment(bed.request(ref, 1_500, controller.signal));
    first.catch(() => undefined);
    await bed.clock.advance(100);
    // hls.js aborts a fragment and asks for it again in the same tick (a seek, a level switch back).
    controller.abort();
    const reload = e.engine.loadSegment(bed.request(ref, 1_500));
    const got = await bed.clock.settle(reload);
    assert.ok(sameBytes(got.bytes, seg.bytes));
    await assert.rejects(first, { code: 'LOAD_ABORTED' });
    bed.destroyAll();
  });

  void test('a peer receiving a segment serves requesters once it completes', async () => {
    const { bed, e, g } = await pairOfEngines('receiving');
    const ref = { rendition: 'v0', sn: 9 };
    const seg = bed.publish(ref, 100_000);
    e.http.latencyMs = 1_000;
    // E fetches over HTTP (close deadline) and announces 'receiving' at once.
    const eLoad = e.engine.loadSegment(bed.request(ref, 1_900));
    await bed.clock.advance(100);
    const gLoad = g.engine.loadSegment(bed.request(ref, 10_000));
    await bed.clock.advance(500);
    assert.equal(g.engine.stats().p2pBytes, 0, 'nothing before E has it');
    await bed.clock.settle(eLoad);
    const eDone = bed.clock.now();
    const got = await bed.clock.settle(gLoad);
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(g.http.requestCount, 0, 'G parked its request at E instead of going to HTTP');
    assert.ok(bed.clock.now() - eDone < 100, 'served as soon as E completed');
    bed.destroyAll();
  });

  void test('when the receiving peer gives up, requests parked on it are answered ABSENT and go elsewhere at once', async () => {
    const { bed, e, g } = await pairOfEngines('receiving-fails');
    const ref = { rendition: 'v0', sn: 12 };
    const { url, bytes } = bed.publish(ref, 100_000);
    e.http.latencyMs = 800;
    e.http.failing.add(url);
    const eLoad = e.engine.loadSegment(bed.request(ref, 1_900));
    eLoad.catch(() => undefined);
    await bed.clock.advance(100);
    const gLoad = g.engine.loadSegment(bed.request(ref, 10_000));
    await assert.rejects(bed.clock.settle(eLoad), { code: 'HTTP_FAILED' });
    const failedAt = bed.clock.now();
    const got = await bed.clock.settle(gLoad);
    assert.ok(sameBytes(got.bytes, bytes));
    assert.equal(got.source, 'http');
    const gHttp = g.http.log[0]?.startedAtMs ?? Number.NaN;
    assert.ok(gHttp - failedAt < 100, `G went to HTTP ${gHttp - failedAt} ms after E gave up`);
    bed.destroyAll();
  });

  void test('a peer that is only waiting is not a source: two waiting peers do not wait on each other', async () => {
    const bed = new Testbed({ seed: 'no-cycle' });
    for (const n of ['A', 'B', 'C']) bed.addEngine(n);
    await bed.connectAll();
    const ref = segmentDesignating(bed, ['A', 'B', 'C'], 'C');
    bed.publish(ref, 100_000);
    const t0 = bed.clock.now();
    const a = bed.get('A').engine.loadSegment(bed.request(ref, 5_000));
    await bed.clock.advance(100);
    const b = bed.get('B').engine.loadSegment(bed.request(ref, 5_000));
    await bed.clock.advance(100);
    // The designated fetcher asks last; it must fetch at once rather than queue behind A or B.
    const c = bed.get('C').engine.loadSegment(bed.request(ref, 5_000));
    await bed.clock.settle(Promise.all([a, b, c]));
    assert.equal(bed.get('C').http.log[0]?.startedAtMs, t0 + 200);
    assert.equal(bed.get('A').http.requestCount + bed.get('B').http.requestCount, 0);
    assert.ok(bed.clock.now() - t0 < 600, `all done ${bed.clock.now() - t0} ms after the first ask`);
    bed.destroyAll();
  });

  void test('an HTTP failure rejects with HTTP_FAILED', async () => {
    const { bed, e } = await pairOfEngines('http-fail');
    const ref = { rendition: 'v0', sn: 10 };
    const { url } = bed.publish(ref, 1_000);
    e.http.failing.add(url);
    await assert.rejects(bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_000))), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'HTTP_FAILED');
      assert.match(err.message, /HTTP 503/);
      return true;
    });
    bed.destroyAll();
  });

  void test('a segment too big for the store is not announced as held', async () => {
    const ref = { rendition: 'v0', sn: 11 };
    const bed = new Testbed({ seed: 'too-big' });
    const h = bed.addScriptedPeer('H');
    await bed.clock.advance(100);
    const e = bed.addEngine('E', { storeBudgetBytes: 50_000 });
    await bed.clock.advance(1_000);
    const link = h.linkTo(bed.idOf('E'));
    assert.ok(link);
    const seg = bed.publish(ref, 80_000);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_000)));
    assert.ok(sameBytes(got.bytes, seg.bytes));
    await bed.clock.advance(100);
    assert.deepEqual(link.messages('have'), [], 'E cannot serve it, so it must not say it has it');
    bed.destroyAll();
  });
});
