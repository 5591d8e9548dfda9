/** How a load meets its deadline while peers are slow: the HTTP margin, the switch to HTTP, a relay handed over to a holder, expedite (a seek). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineConfig } from '../src/config.ts';
import type { LoadedSegment } from '../src/index.ts';
import { CHUNK, pairOfEngines, segmentDesignating } from './support/acquisition-setup.ts';
import { engineAndScripted, trickle } from './support/holder-pair.ts';
import { Testbed, sameBytes, type TestEngine } from './support/testbed.ts';

void describe('acquisition', () => {
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
});
