/** How a load gets its segment from peers: a holder, a wait for an announcement, the designated fetcher, a stalling peer, a peer still receiving. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHUNK, pairOfEngines, segmentDesignating } from './support/acquisition-setup.ts';
import { engineAndScripted } from './support/holder-pair.ts';
import { Testbed, sameBytes } from './support/testbed.ts';

void describe('acquisition', () => {
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
});
