/**
 * A hostile remote peer: whatever it sends, the engine closes that connection with a reason
 * starting 'protocol violation', counts it, keeps serving its other peers, and never throws.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { PEER_PROTOCOL_VERSION, type PeerMessage } from '@swarmcast/protocol';
import type { ScriptedLink, ScriptedPeer } from './support/scripted-peer.ts';
import { Testbed, sameBytes, type TestEngine } from './support/testbed.ts';

interface World {
  readonly bed: Testbed;
  /** The engine under attack. */
  readonly e: TestEngine;
  /** A well-behaved engine connected to E. */
  readonly g: TestEngine;
  /** The hostile peer. */
  readonly h: ScriptedPeer;
  /** H's connection to E. */
  readonly link: ScriptedLink;
}

/**
 * H announces segment v0/`sn` (`sizeBytes`, published at the origin) and answers E's request for it
 * with `answer`'s messages; E's player loads it. What E's player got, and the segment's bytes.
 */
async function loadAnsweredBy(
  w: World,
  sn: number,
  sizeBytes: number,
  answer: (requestId: number, bytes: Uint8Array) => PeerMessage[],
): Promise<{ got: { bytes: Uint8Array; source: string }; seg: Uint8Array }> {
  const { bed, e, link } = w;
  const ref = { rendition: 'v0', sn };
  const seg = bed.publish(ref, sizeBytes);
  link.send({ type: 'have', rendition: 'v0', sn, sizeBytes: seg.bytes.length });
  await bed.clock.advance(100);
  w.h.onMessage = (msg, l) => {
    if (msg.type === 'request') for (const m of answer(msg.requestId, seg.bytes)) l.send(m);
  };
  const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
  return { got, seg: seg.bytes };
}

/** H joins first, then E and G: E and G both connect to H, and G to E. */
async function world(options: { greet?: boolean; withGood?: boolean; seed?: string } = {}): Promise<World> {
  const bed = new Testbed({ seed: options.seed ?? 'hostile' });
  const h = bed.addScriptedPeer('H');
  if (options.greet === false) h.onOpen = () => undefined;
  await bed.clock.advance(100);
  const e = bed.addEngine('E');
  await bed.clock.advance(100);
  const g = options.withGood === false ? e : bed.addEngine('G');
  await bed.clock.advance(1_000);
  const link = h.linkTo(bed.idOf('E'));
  assert.ok(link?.open, 'H is connected to E');
  if (g !== e) assert.ok(e.engine.connectedPeerIds().includes(bed.idOf('G')), 'E is connected to G');
  return { bed, e, g, h, link };
}

/** E dropped H for a protocol violation matching `reason`, and is otherwise unharmed. */
async function assertViolation(w: World, reason: RegExp): Promise<void> {
  const { bed, e, g, h, link } = w;
  await bed.clock.advance(500);
  const hId = h.peerId ?? '';
  const drops = e.disconnects.filter((d) => d.peerId === hId);
  assert.equal(drops.length, 1, `E dropped H once (got ${JSON.stringify(e.disconnects)})`);
  const [drop] = drops;
  assert.ok(drop);
  assert.ok(drop.reason.startsWith('protocol violation'), drop.reason);
  assert.match(drop.reason, reason);
  assert.equal(e.engine.stats().peerViolations, 1);
  assert.equal(link.closed, true, 'H sees its connection closed');
  assert.equal(link.closeReason, 'remote peer closed the connection');
  assert.ok(!e.engine.connectedPeerIds().includes(hId));
  assert.deepEqual(e.errors, [], 'the engine reported no internal error');
  if (g === e) return;
  // E keeps serving its other peers: it gets a segment, G takes it from E.
  const ref = { rendition: 'v0', sn: 900 };
  const seg = bed.publish(ref, 50_000);
  await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_000)));
  await bed.clock.advance(100);
  const got = await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 10_000)));
  assert.equal(got.source, 'p2p');
  assert.ok(sameBytes(got.bytes, seg.bytes));
  assert.ok(e.engine.connectedPeerIds().includes(bed.idOf('G')));
  // A violator is not taken back in this session.
  h.connect(bed.idOf('E'));
  await bed.clock.advance(2_000);
  assert.equal(h.linkTo(bed.idOf('E'))?.open, false, 'E ignores a banned peer');
  bed.destroyAll();
}

/** Mostly frames with a real type code (1-10), so the fuzz reaches past the first byte. */
const frameArb = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 40 }),
  fc.tuple(fc.integer({ min: 1, max: 10 }), fc.uint8Array({ minLength: 0, maxLength: 40 })).map(([code, rest]) => Uint8Array.from([code, ...rest])),
  fc.tuple(fc.integer({ min: 3, max: 6 }), fc.constantFrom(0, 1, 2), fc.uint8Array({ minLength: 4, maxLength: 12 })).map(([code, len, rest]) =>
    Uint8Array.from([code, ...(code === 6 ? [0, 0, 0, 1] : []), len, ...'v0'.slice(0, len).split('').map((c) => c.charCodeAt(0)), ...rest]),
  ),
);

void describe('peer protocol: hostile remote', () => {
  void test('garbage bytes', async () => {
    const w = await world();
    w.link.sendRaw(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    await assertViolation(w, /PEER_MSG_UNKNOWN_TYPE/);
  });

  void test('an empty frame and a truncated frame', async () => {
    const w = await world();
    w.link.sendRaw(new Uint8Array([]));
    await assertViolation(w, /PEER_MSG_EMPTY/);
    const w2 = await world({ seed: 'truncated' });
    w2.link.sendRaw(new Uint8Array([6, 0, 0]));
    await assertViolation(w2, /PEER_MSG_TRUNCATED/);
  });

  void test('a message before hello', async () => {
    const w = await world({ greet: false });
    w.link.send({ type: 'have', rendition: 'v0', sn: 1, sizeBytes: 100 });
    await assertViolation(w, /have before hello/);
  });

  void test('data before hello', async () => {
    const w = await world({ greet: false });
    w.link.send({ type: 'data', requestId: 1, offsetBytes: 0, totalBytes: 10, payload: new Uint8Array(10) });
    await assertViolation(w, /data before hello/);
  });

  void test('a wrong protocol version', async () => {
    const w = await world({ greet: false });
    w.link.send({ type: 'hello', version: PEER_PROTOCOL_VERSION + 1, peerId: w.h.peerId ?? 'x', uploadKbps: 0 });
    await assertViolation(w, new RegExp(`peer protocol version ${PEER_PROTOCOL_VERSION + 1}`));
  });

  void test('a second hello, a second have-map', async () => {
    const w = await world();
    w.link.greet();
    await assertViolation(w, /second hello/);
    const w2 = await world({ seed: 'second-havemap' });
    w2.link.send({ type: 'haveMap', entries: [] });
    await assertViolation(w2, /second haveMap/);
  });

  void test('data for a request never made', async () => {
    const w = await world();
    w.link.send({ type: 'data', requestId: 99, offsetBytes: 0, totalBytes: 10, payload: new Uint8Array(10) });
    await assertViolation(w, /data for request 99 never made/);
  });

  void test('data for request id 0, which is never used', async () => {
    const w = await world();
    w.link.send({ type: 'data', requestId: 0, offsetBytes: 0, totalBytes: 10, payload: new Uint8Array(10) });
    await assertViolation(w, /data for request 0 never made/);
  });

  void test('absent / busy for a request never made', async () => {
    const w = await world();
    w.link.send({ type: 'busy', requestId: 5 });
    await assertViolation(w, /busy for request 5 never made/);
  });

  void test('data at a wrong offset; the load still completes over HTTP, byte-identical', async () => {
    const w = await world({ withGood: false });
    const { got, seg } = await loadAnsweredBy(w, 3, 60_000, (id, bytes) => [{ type: 'data', requestId: id, offsetBytes: 5, totalBytes: bytes.length, payload: bytes.subarray(5, 100) }]);
    assert.ok(sameBytes(got.bytes, seg));
    assert.equal(got.source, 'http');
    await assertViolation(w, /data at 5, expected 0/);
  });

  void test('a segment size that changes mid-transfer', async () => {
    const w = await world({ withGood: false });
    const { got, seg } = await loadAnsweredBy(w, 4, 60_000, (id, bytes) => [
      { type: 'data', requestId: id, offsetBytes: 0, totalBytes: bytes.length, payload: bytes.subarray(0, 1000) },
      { type: 'data', requestId: id, offsetBytes: 1000, totalBytes: 70_000, payload: bytes.subarray(1000, 2000) },
    ]);
    assert.ok(sameBytes(got.bytes, seg), 'the first 1000 bytes from H plus the rest over HTTP');
    await assertViolation(w, /segment size changed mid-transfer/);
  });

  void test("a transfer's later DATA leave the size out, the load completes from the peer", async () => {
    const w = await world({ withGood: false });
    const { got, seg } = await loadAnsweredBy(w, 5, 10_000, (id, bytes) => [
      { type: 'data', requestId: id, offsetBytes: 0, totalBytes: bytes.length, payload: bytes.subarray(0, 4000) },
      { type: 'data', requestId: id, offsetBytes: 4000, payload: bytes.subarray(4000, 8000) },
      { type: 'data', requestId: id, offsetBytes: 8000, payload: bytes.subarray(8000) },
    ]);
    assert.ok(sameBytes(got.bytes, seg));
    assert.equal(got.source, 'p2p');
    await w.bed.clock.advance(500);
    assert.deepEqual(w.e.disconnects, [], 'no violation');
    assert.equal(w.link.closed, false);
  });

  void test("a transfer's first DATA without the segment's size", async () => {
    const w = await world({ withGood: false });
    const { got, seg } = await loadAnsweredBy(w, 6, 10_000, (id, bytes) => [{ type: 'data', requestId: id, offsetBytes: 0, payload: bytes.subarray(0, 4000) }]);
    assert.ok(sameBytes(got.bytes, seg), 'over HTTP');
    await assertViolation(w, /without the segment's size/);
  });

  void test('DATA without the size that runs past the size the transfer gave', async () => {
    const w = await world({ withGood: false });
    const { got, seg } = await loadAnsweredBy(w, 7, 10_000, (id, bytes) => [
      { type: 'data', requestId: id, offsetBytes: 0, totalBytes: bytes.length, payload: bytes.subarray(0, 8000) },
      { type: 'data', requestId: id, offsetBytes: 8000, payload: new Uint8Array(4000) },
    ]);
    assert.ok(sameBytes(got.bytes, seg), 'the first 8000 bytes from H plus the rest over HTTP');
    await assertViolation(w, /data past the segment size/);
  });

  void test('a control-message flood', async () => {
    const w = await world();
    for (let i = 0; i < 1_001; i++) w.link.send({ type: 'have', rendition: 'v0', sn: i, sizeBytes: 1 });
    await assertViolation(w, /control message rate limit/);
  });

  void test('a request flood below the control-message limit', async () => {
    const w = await world();
    for (let i = 0; i < 60; i++) w.link.send({ type: 'request', requestId: i + 1, rendition: 'v0', sn: 50_000 + i, offsetBytes: 0, withinMs: 60_000 });
    await assertViolation(w, /request rate limit/);
  });

  void test('a stream of data for requests E cancelled', async () => {
    const w = await world();
    const ref = { rendition: 'v0', sn: 40 };
    w.bed.publish(ref, 30_000);
    w.link.send({ type: 'have', rendition: 'v0', sn: 40, sizeBytes: 30_000 });
    await w.bed.clock.advance(100);
    // E asks H, then the load is aborted: the request is cancelled.
    const controller = new AbortController();
    const loading = w.e.engine.loadSegment(w.bed.request(ref, 10_000, controller.signal));
    loading.catch(() => undefined);
    await w.bed.clock.advance(50);
    const [request] = w.link.messages('request');
    assert.ok(request, 'E asked H');
    controller.abort();
    await w.bed.clock.advance(50);
    // A few stray chunks are normal; 9 MiB of them within 10 s is not.
    const chunk = new Uint8Array(200_000);
    for (let i = 0; i < 48; i++) {
      w.link.send({ type: 'data', requestId: request.requestId, offsetBytes: 0, totalBytes: chunk.length, payload: chunk.subarray(0, 200_000) });
    }
    await assertViolation(w, /too much data for cancelled requests/);
  });

  void test('a busy but legal control rate is not a violation', async () => {
    const w = await world({ withGood: false });
    for (let s = 0; s < 5; s++) {
      for (let i = 0; i < 900; i++) w.link.send({ type: 'receiving', rendition: 'v0', sn: s * 1000 + i });
      await w.bed.clock.advance(1_000);
    }
    assert.equal(w.e.engine.stats().peerViolations, 0);
    assert.equal(w.link.open, true);
    w.bed.destroyAll();
  });

  void test('duplicate request ids', async () => {
    const w = await world();
    const { bed, e, link } = w;
    const ref = { rendition: 'v0', sn: 5 };
    bed.publish(ref, 60_000);
    e.http.latencyMs = 2_000;
    // E is fetching it (a close deadline: HTTP at once) and announces it as receiving.
    const loading = e.engine.loadSegment(bed.request(ref, 1_500));
    await bed.clock.advance(100);
    assert.ok(link.messages("receiving").some((m) => m.sn === 5), "E announced receiving");
    const request: PeerMessage = { type: 'request', requestId: 7, rendition: 'v0', sn: 5, offsetBytes: 0, withinMs: 60_000 };
    link.send(request);
    link.send(request);
    await bed.clock.settle(loading);
    e.http.latencyMs = 50;
    await assertViolation(w, /duplicate request id 7/);
  });

  void test('random bytes never crash the engine: it either accepts a valid message or cuts the peer off', () => {
    return fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 6 }), async (frames) => {
        const w = await world({ withGood: false, seed: 'fuzz' });
        for (const frame of frames) if (w.link.open) w.link.sendRaw(frame);
        await w.bed.clock.advance(3_000);
        assert.deepEqual(w.e.errors, []);
        const violations = w.e.disconnects.filter((d) => d.reason.startsWith('protocol violation'));
        assert.equal(w.e.engine.stats().peerViolations, violations.length);
        assert.ok(w.e.disconnects.every((d) => d.reason.startsWith('protocol violation')), JSON.stringify(w.e.disconnects));
        w.bed.destroyAll();
      }),
      { seed: 7, numRuns: 60 },
    );
  });
});
