/**
 * A peer that announces a segment as held (HAVE) and then does not serve it: ABSENT, silence, or a
 * stall mid-transfer. Each is cut off (and banned) within p2pStallTimeoutMs; honest look-alikes are
 * not: a LOST that crossed the request, a peer still receiving the segment, a peer slowed by
 * back-pressure that keeps sending DATA.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PeerMessage, SegmentRef } from '@swarmcast/protocol';
import type { ScriptedLink } from './support/scripted-peer.ts';
import { Testbed, sameBytes, type TestEngine } from './support/testbed.ts';

const CHUNK = 16_384;
const SIZE = 100_000;

interface Pair {
  readonly bed: Testbed;
  readonly e: TestEngine;
  readonly link: ScriptedLink;
}

/** Engine E connected to a scripted peer H that greets with `haveMap` entries. */
async function pair(seed: string, haveMap: readonly SegmentRef[] = []): Promise<Pair> {
  const bed = new Testbed({ seed });
  const h = bed.addScriptedPeer('H');
  h.onOpen = (l) => l.greet({ haveMap: haveMap.map((r) => ({ ...r, state: 'have' as const })) });
  await bed.clock.advance(100);
  const e = bed.addEngine('E');
  await bed.clock.advance(1_000);
  const link = h.linkTo(bed.idOf('E'));
  assert.ok(link?.open, 'H is connected to E');
  return { bed, e, link };
}

/** H answers requests with `answer`. */
function onRequest(link: ScriptedLink, answer: (msg: Extract<PeerMessage, { type: 'request' }>, l: ScriptedLink) => void): void {
  link.owner.onMessage = (msg, l) => {
    if (msg.type === 'request') answer(msg, l);
  };
}

/** The one disconnect E reported, with when it happened. */
function trackDrops(p: Pair): { reason: string; atMs: number }[] {
  const drops: { reason: string; atMs: number }[] = [];
  p.e.engine.on('peer-disconnected', (d) => drops.push({ reason: d.reason, atMs: p.bed.clock.now() }));
  return drops;
}

/** H announces segment v0/1 as held (and will not serve it); E's drops are tracked from now. */
async function silentHolder(seed: string): Promise<{ p: Pair; ref: SegmentRef; seg: { bytes: Uint8Array }; drops: { reason: string; atMs: number }[]; t0: number }> {
  const p = await pair(seed);
  const ref = { rendition: 'v0', sn: 1 };
  const seg = p.bed.publish(ref, SIZE);
  p.link.send({ type: 'have', ...ref, sizeBytes: SIZE });
  await p.bed.clock.advance(100);
  return { p, ref, seg, drops: trackDrops(p), t0: p.bed.clock.now() };
}

void describe('a peer that announces a segment and does not serve it', () => {
  void test('silence after HAVE: cut off p2pStallTimeoutMs after the request, the load completes over HTTP', async () => {
    const { p, ref, seg, drops, t0 } = await silentHolder('silent');
    const { bed, e } = p;
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(got.source, 'http');
    assert.equal(drops.length, 1);
    assert.match(drops[0]?.reason ?? '', /^protocol violation: no data for v0\/1 in 1500 ms after announcing it as held$/);
    assert.equal(drops[0]?.atMs, t0 + e.engine.config.p2pStallTimeoutMs);
    assert.equal(e.engine.stats().peerViolations, 1);
    bed.destroyAll();
  });

  void test('silence after HAVE when our P2P time runs out before the stall timeout: the load goes to HTTP, the silent peer is still judged', async () => {
    const { p, ref, seg, drops, t0 } = await silentHolder('silent-short');
    const { bed, e } = p;
    // 2.5 s to the deadline: P2P until deadline - httpSafetyMs, 1 s, less than the 1.5 s stall timeout.
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 2_500)));
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(got.source, 'http');
    assert.ok(bed.clock.now() - t0 <= 2_500 - e.engine.config.httpSafetyMs + 200, 'HTTP did not wait for the verdict');
    await bed.clock.advance(1_000);
    assert.equal(drops.length, 1, 'the silent peer was judged');
    assert.match(drops[0]?.reason ?? '', /^protocol violation: no data for v0\/1 in 1500 ms after announcing it as held$/);
    assert.equal(drops[0]?.atMs, t0 + e.engine.config.p2pStallTimeoutMs);
    bed.destroyAll();
  });

  void test('silence after HAVE for a request that waited a moment behind our own uploads: judged once the way cleared', async () => {
    // E uploads a segment to X over a 1 MB/s link (its channel holds a backlog for ~100 ms) and,
    // completing another segment meanwhile, broadcasts HAVE, which waits a moment in the channel to
    // Y (a slow link). Our uplink, never measured (no backlog lasts), then reads as not clear: a
    // request made now to the silent H did not leave at once. It surely left once X's backlog
    // drained, well within LATE_LEAVE_WINDOW_MS, and H's silence is a lie all the same.
    const bed = new Testbed({ seed: 'silent-after-backlog', bandwidthBytesPerSec: 1_000_000, profile: (from, to) => (from === 'E' && to === 'Y' ? { bandwidthBytesPerSec: 200 } : undefined) });
    const h = bed.addScriptedPeer('H');
    const x = bed.addScriptedPeer('X');
    const y = bed.addScriptedPeer('Y');
    await bed.clock.advance(100);
    const e = bed.addEngine('E');
    await bed.clock.advance(1_000);
    const served = { rendition: 'v0', sn: 1 };
    const other = { rendition: 'v0', sn: 3 };
    bed.publish(served, SIZE);
    bed.publish(other, 1_000);
    await bed.clock.settle(e.engine.loadSegment(bed.request(served, 500)));
    const ref = { rendition: 'v0', sn: 2 };
    const seg = bed.publish(ref, SIZE);
    const [lh, lx, ly] = [h, x, y].map((peer) => peer.linkTo(bed.idOf('E')));
    assert.ok(lh?.open && lx?.open && ly?.open, 'H, X and Y are connected to E');
    lh.send({ type: 'have', ...ref, sizeBytes: SIZE });
    await bed.clock.advance(100);
    lx.send({ type: 'request', requestId: 1, ...served, offsetBytes: 0, withinMs: 60_000 });
    await bed.clock.advance(21);
    await bed.clock.settle(e.engine.loadSegment(bed.request(other, 500)));
    const drops = trackDrops({ bed, e, link: lh });
    const t0 = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(lh.messages('request').length, 1, 'H was asked');
    assert.equal(drops.length, 1, 'H was cut off');
    assert.match(drops[0]?.reason ?? '', /^protocol violation: no data for v0\/2 in 1500 ms after announcing it as held$/);
    assert.equal(drops[0]?.atMs, t0 + e.engine.config.p2pStallTimeoutMs);
    bed.destroyAll();
  });

  void test('a peer that served whole segments has its first silence paid by its credit, not the second', async () => {
    const p = await pair('credit');
    const { bed, e, link } = p;
    const segments = new Map<number, Uint8Array>();
    const silentFrom = 5;
    onRequest(link, (msg, l) => {
      const bytes = segments.get(msg.sn);
      if (!bytes || msg.sn >= silentFrom) return;
      for (let o = 0; o < bytes.length; o += CHUNK) l.send({ type: 'data', requestId: msg.requestId, offsetBytes: o, totalBytes: bytes.length, payload: bytes.subarray(o, o + CHUNK) });
    });
    const drops = trackDrops(p);
    for (let sn = 1; sn <= silentFrom + 1; sn++) {
      const ref = { rendition: 'v0', sn };
      segments.set(sn, bed.publish(ref, SIZE).bytes);
      link.send({ type: 'have', ...ref, sizeBytes: SIZE });
      await bed.clock.advance(100);
      const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
      assert.equal(got.source, sn < silentFrom ? 'p2p' : 'http', `sn ${sn}`);
      if (sn === silentFrom) {
        assert.deepEqual(drops, [], 'four whole segments pay for one silence');
        assert.deepEqual(e.engine.stats().silencesExcused, { uplink: 0, credit: 1 });
      }
    }
    assert.equal(drops.length, 1, 'the second silence is judged');
    assert.match(drops[0]?.reason ?? '', /^protocol violation: no data for v0\/6 in 1500 ms after announcing it as held$/);
    bed.destroyAll();
  });

  void test('ABSENT after HAVE: cut off at once', async () => {
    const p = await pair('absent');
    const { bed, e, link } = p;
    const ref = { rendition: 'v0', sn: 2 };
    const seg = bed.publish(ref, SIZE);
    link.send({ type: 'have', ...ref, sizeBytes: SIZE });
    await bed.clock.advance(100);
    let answeredAt = Number.NaN;
    onRequest(link, (msg, l) => {
      answeredAt = bed.clock.now();
      l.send({ type: 'absent', requestId: msg.requestId });
    });
    const drops = trackDrops(p);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.match(drops[0]?.reason ?? '', /^protocol violation: absent for v0\/2 it announced as held$/);
    assert.equal((drops[0]?.atMs ?? 0) - answeredAt, 20, 'one link latency after H answered');
    bed.destroyAll();
  });

  void test('ABSENT after a LOST that crossed the request is honest: not cut off', async () => {
    const { bed, e, link } = await pair('lost-crossed');
    const ref = { rendition: 'v0', sn: 3 };
    bed.publish(ref, SIZE);
    link.send({ type: 'have', ...ref, sizeBytes: SIZE });
    await bed.clock.advance(100);
    onRequest(link, (msg, l) => {
      l.send({ type: 'lost', ...ref });
      l.send({ type: 'absent', requestId: msg.requestId });
    });
    await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(link.open, true);
    assert.equal(e.engine.stats().peerViolations, 0);
    bed.destroyAll();
  });

  void test('ABSENT for a HAVE-MAP entry at offset 0: cut off at once', async () => {
    const ref = { rendition: 'v0', sn: 4 };
    const { bed, e, link } = await pair('havemap-absent', [ref]);
    bed.publish(ref, SIZE);
    onRequest(link, (msg, l) => { l.send({ type: 'absent', requestId: msg.requestId }); });
    await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(link.closed, true);
    assert.match(e.disconnects[0]?.reason ?? '', /^protocol violation: absent for v0\/4 it announced as held$/);
    bed.destroyAll();
  });

  void test('what changes between a channel opening and the remote HELLO still reaches the remote, after the HAVE-MAP', async () => {
    const bed = new Testbed({ seed: 'before-hello' });
    const h = bed.addScriptedPeer('H');
    // H says nothing at first: E knows the channel is open, not that H is a peer yet.
    h.onOpen = () => undefined;
    await bed.clock.advance(100);
    const e = bed.addEngine('E', { storeBudgetBytes: 2 * SIZE });
    await bed.clock.advance(1_000);
    const link = h.linkTo(bed.idOf('E'));
    assert.ok(link?.open);
    for (const sn of [1, 2, 3]) {
      const ref = { rendition: 'v0', sn };
      bed.publish(ref, SIZE);
      await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_000)));
    }
    await bed.clock.advance(100);
    assert.deepEqual(
      link.received.map((m) => (m.type === 'have' || m.type === 'lost' || m.type === 'receiving' ? `${m.type} ${m.sn}` : m.type)),
      ['hello', 'haveMap', 'receiving 1', 'have 1', 'receiving 2', 'have 2', 'receiving 3', 'lost 1', 'have 3'],
      'sn 1, evicted for sn 3, is withdrawn',
    );
    bed.destroyAll();
  });

  void test('a peer still receiving the segment that stalls mid-transfer is only cancelled', async () => {
    const { bed, e, link } = await pair('receiving-stall');
    const ref = { rendition: 'v0', sn: 5 };
    const seg = bed.publish(ref, SIZE);
    link.send({ type: 'receiving', ...ref });
    await bed.clock.advance(100);
    onRequest(link, (msg, l) => {
      for (let o = 0; o < 2 * CHUNK; o += CHUNK) {
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: o, totalBytes: SIZE, payload: seg.bytes.subarray(o, o + CHUNK) });
      }
    });
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.ok(sameBytes(got.bytes, seg.bytes));
    await bed.clock.advance(100);
    assert.equal(link.open, true);
    assert.equal(link.messages('cancel').length, 1, 'the stalled request was cancelled');
    assert.equal(e.engine.stats().peerViolations, 0);
    bed.destroyAll();
  });

  void test('a peer slowed by back-pressure that keeps sending DATA for another request is not cut off', async () => {
    const { bed, e, link } = await pair('busy-uplink');
    const slow = { rendition: 'v0', sn: 6 };
    const starved = { rendition: 'v0', sn: 7 };
    const slowSeg = bed.publish(slow, 200_000);
    bed.publish(starved, SIZE);
    link.send({ type: 'have', ...slow, sizeBytes: 200_000 });
    link.send({ type: 'have', ...starved, sizeBytes: SIZE });
    await bed.clock.advance(100);
    const script = bed.clock.view('script');
    // One chunk of `slow` every second until cancelled; nothing of `starved` (queued behind it, as it were).
    const cancelled = new Set<number>();
    link.owner.onMessage = (msg, l) => {
      if (msg.type === 'cancel') cancelled.add(msg.requestId);
      if (msg.type !== 'request' || msg.sn !== slow.sn) return;
      let offset = 0;
      const next = (): void => {
        if (!l.open || cancelled.has(msg.requestId) || offset >= 200_000) return;
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: offset, totalBytes: 200_000, payload: slowSeg.bytes.subarray(offset, offset + CHUNK) });
        offset += CHUNK;
        script.setTimeout(next, 1_000);
      };
      next();
    };
    const slowLoad = e.engine.loadSegment(bed.request(slow, 10_000));
    await bed.clock.advance(500);
    await bed.clock.settle(Promise.all([slowLoad, e.engine.loadSegment(bed.request(starved, 10_000))]));
    assert.deepEqual(e.disconnects, []);
    assert.equal(link.open, true);
    assert.equal(e.engine.stats().peerViolations, 0);
    const starvedId = link.messages('request').find((m) => m.sn === starved.sn)?.requestId;
    assert.ok(link.messages('cancel').some((m) => m.requestId === starvedId), 'the starved request was cancelled');
    bed.destroyAll();
  });
});
