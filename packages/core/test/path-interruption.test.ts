/**
 * A connection whose path breaks (issue #5): the connector reports it interrupted, the engine sends
 * that peer nothing new and re-requests elsewhere what was in flight, and takes it back when the
 * path returns (by itself or by an ICE restart). A peer gone silent on a request over a path that
 * carried nothing since (no acknowledgement either) is set aside rather than cut off: a broken path
 * reported meanwhile, or its late answer, clears it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testbed, sameBytes, type TestEngine } from './support/testbed.ts';
import type { ScriptedLink } from './support/scripted-peer.ts';
import { restartOffer, type MemoryLink } from './support/memory-network.ts';

const CHUNK = 16_384;
const SIZE = 100_000;

interface Pair {
  readonly bed: Testbed;
  readonly e: TestEngine;
  /** H's side (scripted). */
  readonly link: ScriptedLink;
  /** E's side of the same connection (the one whose connector reports path changes). */
  readonly eLink: MemoryLink;
  readonly events: string[];
}

async function pair(seed: string): Promise<Pair> {
  const bed = new Testbed({ seed });
  const h = bed.addScriptedPeer('H');
  h.onOpen = (l) => l.greet();
  await bed.clock.advance(100);
  const e = bed.addEngine('E');
  await bed.clock.advance(1_000);
  const link = h.linkTo(bed.idOf('E'));
  const eLink = e.node.linkToNode('H');
  assert.ok(link?.open && eLink, 'H is connected to E');
  const events: string[] = [];
  e.engine.on('peer-interrupted', () => events.push(`interrupted@${bed.clock.now()}`));
  e.engine.on('peer-resumed', (r) => events.push(`${r.restarted ? 'restarted' : 'resumed'}@${bed.clock.now()}`));
  return { bed, e, link, eLink, events };
}

/** H serves every request it gets in full, at once. */
function serveAll(p: Pair, bytesOf: (sn: number) => Uint8Array): void {
  p.link.owner.onMessage = (msg, l) => {
    if (msg.type !== 'request') return;
    const bytes = bytesOf(msg.sn);
    for (let off = msg.offsetBytes; off < bytes.length; off += CHUNK) {
      l.send({ type: 'data', requestId: msg.requestId, offsetBytes: off, totalBytes: bytes.length, payload: bytes.subarray(off, off + CHUNK) });
    }
  };
}

void describe('a connection whose path breaks', () => {
  void test('interrupted: the request in flight goes to HTTP at once, no new request goes to the peer; restarted: it serves again', async () => {
    const p = await pair('interrupt-restart');
    const { bed, e, link, eLink, events } = p;
    const segs = new Map<number, Uint8Array>();
    for (const sn of [1, 2, 3]) {
      const ref = { rendition: 'v0', sn };
      segs.set(sn, bed.publish(ref, SIZE).bytes);
      link.send({ type: 'have', ...ref, sizeBytes: SIZE });
    }
    await bed.clock.advance(100);
    // sn 1: H receives the request, and the path breaks before it answers.
    link.owner.onMessage = (msg) => {
      if (msg.type === 'request') eLink.interrupt();
    };
    const t0 = bed.clock.now();
    const first = await bed.clock.settle(e.engine.loadSegment(bed.request({ rendition: 'v0', sn: 1 }, 10_000)));
    assert.equal(first.source, 'http');
    assert.ok(sameBytes(first.bytes, segs.get(1) ?? new Uint8Array()));
    assert.ok(bed.clock.now() - t0 < e.engine.config.p2pStallTimeoutMs, `HTTP took over at once, not after a stall (${bed.clock.now() - t0} ms)`);
    assert.deepEqual(e.engine.connectedPeerIds(), [], 'the interrupted peer is not offered to requests');
    // sn 2 while the path is down: straight to HTTP, no request to H.
    const requestsBefore = link.messages('request').length;
    const second = await bed.clock.settle(e.engine.loadSegment(bed.request({ rendition: 'v0', sn: 2 }, 10_000)));
    assert.equal(second.source, 'http');
    assert.equal(link.messages('request').length, requestsBefore);
    // The restart brings it back: sn 3 comes from H.
    eLink.resume(true);
    serveAll(p, (sn) => segs.get(sn) ?? new Uint8Array());
    assert.deepEqual(e.engine.connectedPeerIds(), [link.owner.peerId]);
    const third = await bed.clock.settle(e.engine.loadSegment(bed.request({ rendition: 'v0', sn: 3 }, 10_000)));
    assert.equal(third.source, 'p2p');
    const s = e.engine.stats();
    assert.deepEqual([s.linkInterruptions, s.linkRestarts, s.linkRecoveries, s.interruptedLinksClosed, s.peerViolations], [1, 1, 0, 0, 0]);
    assert.equal(events.length, 2);
    assert.match(events[1] ?? '', /^restarted@/);
    bed.destroyAll();
  });

  void test('a path back by itself counts as a recovery; an interrupted connection that closes counts as closed', async () => {
    const { bed, e, eLink } = await pair('interrupt-close');
    eLink.interrupt();
    eLink.interrupt();
    eLink.resume();
    eLink.interrupt();
    eLink.fail('ice restart timed out');
    await bed.clock.advance(100);
    const s = e.engine.stats();
    assert.deepEqual([s.linkInterruptions, s.linkRecoveries, s.linkRestarts, s.interruptedLinksClosed], [2, 1, 0, 1]);
    assert.match(e.disconnects[0]?.reason ?? '', /^link closed: ice restart timed out$/);
    bed.destroyAll();
  });

  void test('silence after HAVE on a path then reported broken: set aside, never cut off as a liar, used again once the path is back', async () => {
    const p = await pair('silence-then-interrupt');
    const { bed, e, link, eLink } = p;
    const ref = { rendition: 'v0', sn: 4 };
    const seg = bed.publish(ref, SIZE);
    link.send({ type: 'have', ...ref, sizeBytes: SIZE });
    await bed.clock.advance(100);
    // The path dies unnoticed: the request never arrives, nothing comes back.
    eLink.breakPath();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(got.source, 'http');
    assert.deepEqual(e.engine.connectedPeerIds(), [], 'set aside after its silence');
    // WebRTC notices the dead path seconds later.
    await bed.clock.advance(5_000);
    eLink.interrupt();
    await bed.clock.advance(e.engine.config.silentPeerVerdictMs);
    assert.equal(link.open, true, 'not cut off');
    assert.equal(e.engine.stats().peerViolations, 0);
    eLink.resume();
    assert.deepEqual(e.engine.connectedPeerIds(), [link.owner.peerId]);
    assert.ok(sameBytes(got.bytes, seg.bytes));
    bed.destroyAll();
  });

  void test('silence after HAVE, then the answer arrives late: cleared, not cut off', async () => {
    const p = await pair('silence-late-answer');
    const { bed, e, link, eLink } = p;
    const ref = { rendition: 'v0', sn: 5 };
    const seg = bed.publish(ref, SIZE);
    link.send({ type: 'have', ...ref, sizeBytes: SIZE });
    await bed.clock.advance(100);
    eLink.breakPath();
    await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.deepEqual(e.engine.connectedPeerIds(), []);
    eLink.healPath();
    const requestId = 1;
    // Its first chunk for the request, held up on the way, then the rest of its traffic.
    link.send({ type: 'data', requestId, offsetBytes: 0, totalBytes: SIZE, payload: seg.bytes.subarray(0, CHUNK) });
    link.send({ type: 'have', rendition: 'v0', sn: 6, sizeBytes: SIZE });
    await bed.clock.advance(e.engine.config.silentPeerVerdictMs);
    assert.equal(link.open, true);
    assert.equal(e.engine.stats().peerViolations, 0);
    assert.deepEqual(e.engine.connectedPeerIds(), [link.owner.peerId]);
    bed.destroyAll();
  });

  void test('silence after HAVE over a dead path, then other traffic without the answer: cut off as a liar then', async () => {
    const { bed, e, link, eLink } = await pair('silence-then-talk');
    const ref = { rendition: 'v0', sn: 7 };
    bed.publish(ref, SIZE);
    link.send({ type: 'have', ...ref, sizeBytes: SIZE });
    await bed.clock.advance(100);
    eLink.breakPath();
    await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(link.closed, false);
    eLink.healPath();
    link.send({ type: 'have', rendition: 'v0', sn: 8, sizeBytes: SIZE });
    await bed.clock.advance(100);
    assert.equal(link.closed, true);
    assert.match(e.disconnects[0]?.reason ?? '', /^protocol violation: no data for v0\/7 in 1500 ms after announcing it as held$/);
    bed.destroyAll();
  });
});

void test('silence after HAVE on a working path (its transport acknowledged the request): cut off at the stall, as a liar', async () => {
  const { bed, e, link } = await pair('silent-liar');
  const ref = { rendition: 'v0', sn: 9 };
  bed.publish(ref, SIZE);
  link.send({ type: 'have', ...ref, sizeBytes: SIZE });
  await bed.clock.advance(100);
  const t0 = bed.clock.now();
  const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
  assert.equal(got.source, 'http');
  await bed.clock.advance(10);
  assert.equal(link.closed, true);
  assert.match(e.disconnects[0]?.reason ?? '', /^protocol violation: no data for v0\/9 in 1500 ms after announcing it as held$/);
  assert.ok(bed.clock.now() - t0 < e.engine.config.p2pStallTimeoutMs + 100);
  bed.destroyAll();
});

void test('silence after HAVE over a dead path nobody reports: cut off silentPeerVerdictMs after the stall', async () => {
  const { bed, e, link, eLink } = await pair('silent-unreported');
  const ref = { rendition: 'v0', sn: 10 };
  bed.publish(ref, SIZE);
  link.send({ type: 'have', ...ref, sizeBytes: SIZE });
  await bed.clock.advance(100);
  eLink.breakPath();
  const t0 = bed.clock.now();
  await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
  assert.deepEqual(e.engine.connectedPeerIds(), [], 'set aside');
  const disconnected = new Promise<number>((resolve) => e.engine.on('peer-disconnected', () => { resolve(bed.clock.now()); }));
  await bed.clock.advance(e.engine.config.silentPeerVerdictMs + 100);
  assert.equal(await disconnected, t0 + e.engine.config.p2pStallTimeoutMs + e.engine.config.silentPeerVerdictMs);
  assert.equal(e.engine.stats().peerViolations, 1);
  bed.destroyAll();
});

void test("an ICE restart offer from a connected peer goes to its connection; it does not replace it", async () => {
  const { bed, e, link, eLink } = await pair('restart-offer');
  const hToken = eLink.remote?.token ?? '';
  e.engine.handleSignal(link.owner.peerId ?? '', restartOffer(hToken));
  await bed.clock.advance(100);
  assert.equal(eLink.restartOffers, 1);
  assert.equal(eLink.state, 'open');
  assert.deepEqual(e.disconnects, []);
  assert.deepEqual(e.engine.connectedPeerIds(), [link.owner.peerId]);
  bed.destroyAll();
});

void test('a request soon after the path came back that gets no data is cancelled, not judged a lie (the transport may still be resending); later ones are judged', async () => {
  const p = await pair('settle-after-restart');
  const { bed, e, link, eLink } = p;
  for (const sn of [1, 2]) {
    const ref = { rendition: 'v0', sn };
    bed.publish(ref, SIZE);
    link.send({ type: 'have', ...ref, sizeBytes: SIZE });
  }
  await bed.clock.advance(100);
  eLink.interrupt();
  await bed.clock.advance(500);
  eLink.resume(true);
  // H stays silent on every request (its HAVEs came: the path works).
  link.owner.onMessage = () => undefined;
  const first = await bed.clock.settle(e.engine.loadSegment(bed.request({ rendition: 'v0', sn: 1 }, 10_000)));
  assert.equal(first.source, 'http');
  assert.equal(e.disconnects.length, 0, 'not cut off within the settle time');
  await bed.clock.advance(6_000);
  link.send({ type: 'have', rendition: 'v0', sn: 2, sizeBytes: SIZE });
  await bed.clock.advance(10);
  const second = await bed.clock.settle(e.engine.loadSegment(bed.request({ rendition: 'v0', sn: 2 }, 10_000)));
  assert.equal(second.source, 'http');
  assert.match(e.disconnects[0]?.reason ?? '', /no data for .* after announcing it as held/, 'a silence after the settle time is judged');
  bed.destroyAll();
});
