import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_VOD_LIST_BYTES, type PeerMessage, type SegmentRef } from '@swarmcast/protocol';
import { integrityListUrlOf, resolveEngineConfig } from '../src/config.ts';
import { TestSigner } from './support/signing.ts';
import { TEST_SWARM, Testbed, sameBytes, type TestEngine } from './support/testbed.ts';
import type { ScriptedLink, ScriptedPeer } from './support/scripted-peer.ts';
import { loadBeforeJoin } from './support/holder-pair.ts';

const required = { integrity: 'required' } as const;

/** A testbed whose tracker announces a signer's key, as the Node tracker with an authority does. */
function signedBed(seed: string): { bed: Testbed; signer: TestSigner } {
  const bed = new Testbed({ seed });
  const signer = new TestSigner();
  bed.tracker.integrityKeys = [signer.key];
  return { bed, signer };
}

/** Engine E with integrity required, connected to a scripted peer H that claims to hold `ref`. */
async function engineAndHostile(bed: Testbed, ref: SegmentRef, sizeBytes: number): Promise<{ e: TestEngine; link: ScriptedLink; h: ScriptedPeer }> {
  const h = bed.addScriptedPeer('H');
  await bed.clock.advance(100);
  const e = bed.addEngine('E', required);
  await bed.clock.advance(1_000);
  const link = h.linkTo(bed.idOf('E'));
  assert.ok(link?.open);
  link.send({ type: 'have', rendition: ref.rendition, sn: ref.sn, sizeBytes });
  await bed.clock.advance(100);
  return { e, link, h };
}

/** Makes H answer every request with `bytes`, in 16 KiB chunks. */
function serve(h: ScriptedPeer, bytes: Uint8Array): void {
  h.onMessage = (msg: PeerMessage, link: ScriptedLink) => {
    if (msg.type !== 'request') return;
    for (let o = 0; o < bytes.length; o += 16_384) {
      link.send({ type: 'data', requestId: msg.requestId, offsetBytes: o, totalBytes: bytes.length, payload: bytes.subarray(o, o + 16_384) });
    }
  };
}

void describe('segment integrity', () => {
  void test('a segment from a peer that matches its signed record reaches the player', async () => {
    const { bed, signer } = signedBed('honest');
    const e = bed.addEngine('E', required);
    const g = bed.addEngine('G', required);
    await bed.connectAll();
    const ref = { rendition: 'v0', sn: 2 };
    const seg = bed.publish(ref, 150_000);
    bed.tracker.addRecords(TEST_SWARM, [signer.record(TEST_SWARM, ref, seg.bytes)], true);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    await bed.clock.advance(100);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 0);
    const stats = e.engine.stats();
    assert.equal(stats.segmentsVerified, 1);
    assert.equal(stats.segmentsHashed, 1, 'one SHA-256, timed');
    assert.equal(stats.signaturesChecked, 1, 'one record signature, timed');
    assert.ok(stats.hashMs >= 0 && stats.signatureMs >= 0);
    bed.destroyAll();
  });

  void test('a load made before the join: the keys and the record come with it, and the segment from a peer, verified', async () => {
    const { bed, signer } = signedBed('before-join');
    const g = bed.addEngine('G', required);
    const ref = { rendition: 'v0', sn: 5 };
    const seg = bed.publish(ref, 60_000);
    bed.tracker.addRecords(TEST_SWARM, [signer.record(TEST_SWARM, ref, seg.bytes)], true);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    const { e, got } = await loadBeforeJoin(bed, ref, required);
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.deepEqual(e.http.log.filter((r) => !r.url.includes('/integrity/')), [], 'no segment over HTTP (the VOD list of records only)');
    assert.equal(e.engine.stats().segmentsVerified, 1);
    bed.destroyAll();
  });

  void test('a record not pushed is asked of the tracker once, then the segment verifies', async () => {
    const { bed, signer } = signedBed('on-demand');
    const e = bed.addEngine('E', required);
    const g = bed.addEngine('G', required);
    await bed.connectAll();
    const ref = { rendition: 'v0', sn: 3 };
    const seg = bed.publish(ref, 80_000);
    bed.tracker.addRecords(TEST_SWARM, [signer.record(TEST_SWARM, ref, seg.bytes)], false);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    await bed.clock.advance(100);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(got.source, 'p2p');
    assert.equal(bed.tracker.messageCounts.get('get-records'), 1);
    assert.equal(e.engine.stats().segmentsVerified, 1);
    bed.destroyAll();
  });

  for (const attack of ['corrupted bytes', 'a valid segment of another sequence number'] as const) {
    void test(`${attack} from a peer never reach the player: HTTP in time, the sender cut off`, async () => {
      const { bed, signer } = signedBed(attack);
      const ref = { rendition: 'v0', sn: 5 };
      const seg = bed.publish(ref, 50_000);
      const other = bed.publish({ rendition: 'v0', sn: 6 }, 50_000);
      bed.tracker.addRecords(TEST_SWARM, [signer.record(TEST_SWARM, ref, seg.bytes)], true);
      const { e, h } = await engineAndHostile(bed, ref, 50_000);
      const bad = attack === 'corrupted bytes' ? seg.bytes.slice() : other.bytes;
      if (attack === 'corrupted bytes') bad[1_000] = (bad[1_000] ?? 0) ^ 0xff;
      serve(h, bad);
      const request = bed.request(ref, 10_000);
      const got = await bed.clock.settle(e.engine.loadSegment(request));
      assert.equal(got.source, 'http');
      assert.ok(sameBytes(got.bytes, seg.bytes), 'the player gets the origin bytes');
      assert.ok(bed.clock.now() <= request.deadlineMs, 'before the deadline');
      assert.equal(e.engine.stats().integrityFailures, 1);
      assert.ok(e.disconnects.some((d) => d.reason.startsWith('integrity violation')), 'the sender is cut off');
      assert.equal(e.engine.connectedPeerIds().length, 0);
      bed.destroyAll();
    });
  }

  void test('without its record, a segment from a peer is dropped and fetched over HTTP before the deadline', async () => {
    const { bed } = signedBed('no-record');
    const ref = { rendition: 'v0', sn: 7 };
    const seg = bed.publish(ref, 40_000);
    const { e, h } = await engineAndHostile(bed, ref, 40_000);
    serve(h, seg.bytes);
    const request = bed.request(ref, 6_000);
    const got = await bed.clock.settle(e.engine.loadSegment(request));
    assert.equal(got.source, 'http');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.ok(bed.clock.now() <= request.deadlineMs);
    assert.equal(e.engine.stats().segmentsUnverifiable, 1);
    assert.equal(e.engine.stats().integrityFailures, 0, 'an honest peer is not punished for a late record');
    bed.destroyAll();
  });

  void test('a record signed by an unknown key is rejected and proves nothing', async () => {
    const { bed, signer } = signedBed('forged');
    const forger = new TestSigner(signer.key.keyId);
    const ref = { rendition: 'v0', sn: 8 };
    const seg = bed.publish(ref, 30_000);
    const fake = seg.bytes.slice();
    fake[0] = (fake[0] ?? 0) ^ 1;
    const { e, h } = await engineAndHostile(bed, ref, 30_000);
    bed.tracker.addRecords(TEST_SWARM, [forger.record(TEST_SWARM, ref, fake)], true);
    serve(h, fake);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 6_000)));
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(got.source, 'http');
    // Rejected when pushed, and again when the engine asked the tracker for a record it could trust.
    assert.ok(e.engine.stats().recordsRejected >= 1);
    assert.equal(e.engine.stats().segmentsVerified, 0);
    bed.destroyAll();
  });

  void test('with integrity required and no trusted key, peers are not asked at all', async () => {
    const bed = new Testbed({ seed: 'no-key' });
    const ref = { rendition: 'v0', sn: 9 };
    const seg = bed.publish(ref, 30_000);
    const { e, link } = await engineAndHostile(bed, ref, 30_000);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(got.source, 'http');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(link.messages('request').length, 0);
    bed.destroyAll();
  });
});

/** Where the engines of the testbed look for VOD lists (derived from TEST_TRACKER_URL). */
function listUrl(rendition: string): string {
  return `http://tracker.test/integrity/vod?swarm=${encodeURIComponent(TEST_SWARM)}&rendition=${encodeURIComponent(rendition)}`;
}

void describe('signed VOD hash lists', () => {
  void test('the list URL is derived from the tracker URL unless configured', () => {
    assert.equal(integrityListUrlOf({ trackerUrl: 'ws://tracker.test:8081/ws?x=1', integrityListUrl: undefined }), 'http://tracker.test:8081/integrity/vod');
    assert.equal(integrityListUrlOf({ trackerUrl: 'wss://t.example/', integrityListUrl: undefined }), 'https://t.example/integrity/vod');
    assert.equal(integrityListUrlOf({ trackerUrl: 'wss://t.example/', integrityListUrl: 'https://cdn.example/lists' }), 'https://cdn.example/lists');
    assert.throws(() => resolveEngineConfig({ trackerUrl: 'ws://t/', swarmId: 's', integrityListUrl: 'ftp://x' }), /integrityListUrl/);
  });

  void test('VOD segments from a peer verify through the one list fetched for their rendition: no record held anywhere, no get-records after the first', async () => {
    const { bed, signer } = signedBed('vod-list');
    const e = bed.addEngine('E', required);
    const g = bed.addEngine('G', required);
    await bed.connectAll();
    const segments = [0, 1, 2, 3].map((sn) => ({ sn, ...bed.publish({ rendition: 'v0', sn }, 40_000) }));
    bed.resources.set(listUrl('v0'), new TextEncoder().encode(JSON.stringify(signer.vodList(TEST_SWARM, 'v0', segments))));
    for (const { sn } of segments) await bed.clock.settle(g.engine.loadSegment(bed.request({ rendition: 'v0', sn }, 1_000)));
    await bed.clock.advance(100);

    const first = await bed.clock.settle(e.engine.loadSegment(bed.request({ rendition: 'v0', sn: 0 }, 10_000)));
    assert.equal(first.source, 'p2p');
    assert.ok(sameBytes(first.bytes, segments[0]?.bytes ?? new Uint8Array()));
    // The first miss asks the tracker in parallel with the list (a live stream has no list).
    const asked = bed.tracker.messageCounts.get('get-records') ?? 0;
    assert.ok(asked <= 1);
    for (const { sn, bytes } of segments.slice(1)) {
      const got = await bed.clock.settle(e.engine.loadSegment(bed.request({ rendition: 'v0', sn }, 10_000)));
      assert.equal(got.source, 'p2p');
      assert.ok(sameBytes(got.bytes, bytes));
    }
    assert.equal(bed.tracker.messageCounts.get('get-records') ?? 0, asked, 'no get-records once the list is held');
    assert.equal(e.http.requestsFor(listUrl('v0')).length, 1, 'one list fetch');
    assert.equal(e.http.requestCount, 1, 'no segment over HTTP');
    const stats = e.engine.stats();
    assert.equal(stats.vodListsFetched, 1);
    assert.equal(stats.segmentsVerified, 4);
    assert.equal(stats.signaturesChecked, 1, 'one signature for the whole rendition');
    assert.equal(stats.recordsRejected, 0);
    bed.destroyAll();
  });

  void test('a list with a bad signature is rejected: the segment from a peer falls back to HTTP', async () => {
    const { bed, signer } = signedBed('vod-list-forged');
    const forger = new TestSigner(signer.key.keyId);
    const ref = { rendition: 'v0', sn: 4 };
    const seg = bed.publish(ref, 30_000);
    const fake = seg.bytes.slice();
    fake[0] = (fake[0] ?? 0) ^ 1;
    bed.resources.set(listUrl('v0'), new TextEncoder().encode(JSON.stringify(forger.vodList(TEST_SWARM, 'v0', [{ sn: 4, bytes: fake }]))));
    const { e, h } = await engineAndHostile(bed, ref, 30_000);
    serve(h, fake);
    const request = bed.request(ref, 6_000);
    const got = await bed.clock.settle(e.engine.loadSegment(request));
    assert.equal(got.source, 'http');
    assert.ok(sameBytes(got.bytes, seg.bytes), 'the player gets the origin bytes');
    assert.ok(bed.clock.now() <= request.deadlineMs);
    const stats = e.engine.stats();
    assert.equal(stats.vodListsFetched, 0);
    assert.equal(stats.recordsRejected, 1);
    assert.equal(stats.segmentsVerified, 0);
    assert.equal(e.http.requestsFor(listUrl('v0')).length, 1);
    bed.destroyAll();
  });

  void test('a list larger than its bound is cut off while downloading, not taken whole', async () => {
    const { bed } = signedBed('vod-list-huge');
    const ref = { rendition: 'v0', sn: 4 };
    const seg = bed.publish(ref, 30_000);
    bed.resources.set(listUrl('v0'), new Uint8Array(MAX_VOD_LIST_BYTES * 4).fill(0x20));
    const { e, h } = await engineAndHostile(bed, ref, 30_000);
    serve(h, seg.bytes);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 6_000)));
    assert.ok(sameBytes(got.bytes, seg.bytes));
    await bed.clock.advance(2_000);
    const entries = e.http.requestsFor(listUrl('v0'));
    assert.equal(entries.length, 1);
    const entry = entries[0] ?? assert.fail('no list request');
    assert.equal(entry.outcome, 'aborted');
    assert.ok(entry.bytes <= MAX_VOD_LIST_BYTES + 16_384, `${entry.bytes} bytes downloaded`);
    assert.equal(e.engine.stats().vodListsFetched, 0);
    bed.destroyAll();
  });

  void test('a list that is not there (404: live) is asked once only; segments fall back to HTTP', async () => {
    const { bed } = signedBed('vod-list-404');
    const refs = [10, 11, 12].map((sn) => ({ rendition: 'v0', sn }));
    const segs = refs.map((ref) => bed.publish(ref, 20_000));
    const { e, link, h } = await engineAndHostile(bed, refs[0] ?? { rendition: 'v0', sn: 10 }, 20_000);
    for (const ref of refs.slice(1)) link.send({ type: 'have', rendition: ref.rendition, sn: ref.sn, sizeBytes: 20_000 });
    await bed.clock.advance(100);
    h.onMessage = (msg: PeerMessage, l: ScriptedLink) => {
      if (msg.type !== 'request') return;
      const bytes = segs[msg.sn - 10]?.bytes ?? new Uint8Array(1);
      l.send({ type: 'data', requestId: msg.requestId, offsetBytes: 0, totalBytes: bytes.length, payload: bytes });
    };
    for (const [i, ref] of refs.entries()) {
      const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 6_000)));
      assert.ok(sameBytes(got.bytes, segs[i]?.bytes ?? new Uint8Array()));
      assert.equal(got.source, 'http');
    }
    assert.equal(e.http.requestsFor(listUrl('v0')).length, 1, 'the list is asked once');
    assert.equal(e.engine.stats().vodListsFetched, 0);
    assert.equal(e.engine.stats().segmentsUnverifiable, 3);
    bed.destroyAll();
  });
});

void describe('peers that do not cooperate cost little', () => {
  void test('a silent peer claiming a huge upload is not everyone’s HTTP fetcher, and is dropped from the choice after two misses', async () => {
    const bed = new Testbed({ seed: 'silent-fetcher' });
    const h = bed.addScriptedPeer('H');
    h.onOpen = (link) => link.greet({ uploadKbps: 0xffff_ffff });
    await bed.clock.advance(100);
    const e = bed.addEngine('E');
    await bed.clock.advance(1_000);
    assert.equal(e.engine.connectedPeerIds().length, 1);
    const waits: number[] = [];
    for (let sn = 1; sn <= 20; sn++) {
      const ref = { rendition: 'v0', sn };
      bed.publish(ref, 20_000);
      const t0 = bed.clock.now();
      await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 8_000)));
      waits.push(bed.clock.now() - t0);
    }
    const waited = waits.filter((ms) => ms >= 2_900).length;
    assert.ok(waited <= 2, `E waited for H on ${waited} of 20 segments (${waits.join(', ')} ms)`);
    bed.destroyAll();
  });

  void test("a false 'receiving' holds a request for a bounded time, not until the deadline", async () => {
    const bed = new Testbed({ seed: 'false-receiving' });
    const h = bed.addScriptedPeer('H');
    await bed.clock.advance(100);
    const e = bed.addEngine('E');
    await bed.clock.advance(1_000);
    const link = h.linkTo(bed.idOf('E'));
    assert.ok(link?.open);
    const ref = { rendition: 'v0', sn: 3 };
    bed.publish(ref, 20_000);
    link.send({ type: 'receiving', rendition: 'v0', sn: 3 });
    await bed.clock.advance(50);
    const t0 = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 20_000)));
    assert.equal(got.source, 'http');
    const tookMs = bed.clock.now() - t0;
    assert.ok(tookMs < 3_500, `took ${tookMs} ms (the P2P deadline was ${20_000 - 1_500} ms away)`);
    bed.destroyAll();
  });
});
