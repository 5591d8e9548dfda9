/**
 * Our own uplink saturated: a slow uplink is measured even when one upload fills it, and a holder's
 * silence on our request while we fill it is not judged a lie (our request, and our acknowledgements
 * of its data, may wait in queues below the channels: a home router's buffer). Without our uploads,
 * the same silence cuts the holder off.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ScriptedLink } from './support/scripted-peer.ts';
import { Testbed, sameBytes, type TestEngine } from './support/testbed.ts';

/** E's uplink to G, bytes/s: a capped home uplink. */
const UPLINK_BYTES_PER_SEC = 100_000;
const BIG_SEGMENT_BYTES = 600_000;
const SIZE = 100_000;

interface World {
  readonly bed: Testbed;
  readonly e: TestEngine;
  /** G's link to E: G downloads from E. */
  readonly g: ScriptedLink;
  /** H's link to E: H announces segments and never serves them. */
  readonly h: ScriptedLink;
}

/** E holds a big segment (from HTTP); G and H are connected to it; E's link to G is slow. */
async function world(seed: string): Promise<World> {
  const bed = new Testbed({
    seed,
    profile: (from, to) => (from === 'E' && to === 'G' ? { bandwidthBytesPerSec: UPLINK_BYTES_PER_SEC } : undefined),
  });
  const gPeer = bed.addScriptedPeer('G');
  const hPeer = bed.addScriptedPeer('H');
  await bed.clock.advance(100);
  // The chunk size these timings were set with (the verdicts themselves do not depend on it).
  const e = bed.addEngine('E', { chunkBytes: 16 * 1024 });
  await bed.clock.advance(1_000);
  const big = { rendition: 'v0', sn: 1 };
  bed.publish(big, BIG_SEGMENT_BYTES);
  await bed.clock.settle(e.engine.loadSegment(bed.request(big, 5_000)));
  const g = gPeer.linkTo(bed.idOf('E'));
  const h = hPeer.linkTo(bed.idOf('E'));
  assert.ok(g?.open && h?.open, 'G and H are connected to E');
  return { bed, e, g, h };
}

/** H announces `sn` and says nothing when asked for it. */
async function silentHolder(w: World, sn: number): Promise<{ ref: { rendition: string; sn: number }; bytes: Uint8Array }> {
  const ref = { rendition: 'v0', sn };
  const { bytes } = w.bed.publish(ref, SIZE);
  w.h.send({ type: 'have', ...ref, sizeBytes: SIZE });
  await w.bed.clock.advance(100);
  return { ref, bytes };
}

void describe('our own uplink saturated', () => {
  void test('one upload that fills a slow uplink gets it measured', async () => {
    const { bed, e, g } = await world('measured');
    assert.equal(e.engine.stats().uplinkBytesPerSec, null, 'nothing measured before an upload');
    g.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 60_000 });
    await bed.clock.advance(2_000);
    const measured = e.engine.stats().uplinkBytesPerSec;
    assert.ok(measured !== null, 'measured while the upload drains');
    assert.ok(Math.abs(measured - UPLINK_BYTES_PER_SEC) <= 0.1 * UPLINK_BYTES_PER_SEC, `measured ${measured} B/s of ${UPLINK_BYTES_PER_SEC}`);
    await bed.clock.advance(6_000);
    assert.equal(g.messages('data').reduce((n, m) => n + m.payload.length, 0), BIG_SEGMENT_BYTES, 'the whole segment arrived');
    bed.destroyAll();
  });

  void test("a holder's silence while we fill our uplink only cancels the request", async () => {
    const w = await world('excused');
    const { bed, e, g, h } = w;
    g.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 60_000 });
    await bed.clock.advance(1_000);
    const { ref, bytes } = await silentHolder(w, 2);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(got.source, 'http');
    assert.ok(sameBytes(got.bytes, bytes));
    await bed.clock.advance(12_000);
    assert.deepEqual(e.disconnects, [], 'H is not cut off');
    assert.equal(h.open, true);
    assert.equal(e.engine.stats().peerViolations, 0);
    assert.deepEqual(e.engine.stats().silencesExcused, { uplink: 1, credit: 0 });
    assert.equal(h.messages('cancel').length, 1, 'the silent request was cancelled');
    bed.destroyAll();
  });

  void test('an uplink that sent near its rate but holds no backlog at the verdict excuses nothing', async () => {
    const w = await world('drained');
    const { bed, e, g, h } = w;
    // The uplink gets measured, then idles.
    g.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 60_000 });
    await bed.clock.advance(9_000);
    assert.ok(e.engine.stats().uplinkBytesPerSec !== null, 'measured');
    const small = { rendition: 'v0', sn: 3 };
    bed.publish(small, SIZE);
    await bed.clock.settle(e.engine.loadSegment(bed.request(small, 5_000)));
    const { ref } = await silentHolder(w, 2);
    // The request to H leaves on an idle uplink; then G takes a 100 kB upload, done about 1 s later:
    // by the verdict the uplink sent more than half its rate's worth, and holds nothing.
    const loading = e.engine.loadSegment(bed.request(ref, 10_000));
    g.send({ type: 'request', requestId: 2, rendition: 'v0', sn: 3, offsetBytes: 0, withinMs: 60_000 });
    await bed.clock.settle(loading);
    assert.equal(g.messages('data').filter((m) => m.requestId === 2).reduce((n, m) => n + m.payload.length, 0), SIZE, 'the upload was over');
    assert.equal(h.closed, true, 'H is cut off');
    assert.deepEqual(e.engine.stats().silencesExcused, { uplink: 0, credit: 0 });
    bed.destroyAll();
  });

  void test('the same silence with an idle uplink cuts the holder off', async () => {
    const w = await world('judged');
    const { bed, e, h } = w;
    const { ref } = await silentHolder(w, 2);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(got.source, 'http');
    assert.equal(h.closed, true, 'H is cut off');
    assert.match(e.disconnects[0]?.reason ?? '', /^protocol violation: no data for v0\/2 in \d+ ms after announcing it as held$/);
    bed.destroyAll();
  });
});

void describe('a measured uplink not measured lately', () => {
  void test('refuses what its rate cannot send in time while the rate is fresh, and takes one upload as a probe once it is stale', async () => {
    const { bed, e, g } = await world('probe');
    g.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 60_000 });
    // 600 kB at 100 kB/s, measured while it drains.
    await bed.clock.advance(9_000);
    assert.equal(g.messages('data').reduce((n, m) => n + m.payload.length, 0), BIG_SEGMENT_BYTES, 'the first upload is over');
    assert.ok(e.engine.stats().uplinkBytesPerSec !== null, 'measured');
    // The same 600 kB wanted within 2 s cannot make it at the measured rate: refused.
    g.send({ type: 'request', requestId: 2, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 2_000 });
    await bed.clock.advance(100);
    assert.deepEqual(g.messages('busy').map((m) => m.requestId), [2]);
    assert.equal(e.engine.stats().uploadRefusals.deadline, 1);
    // Idle and unmeasured for over 5 s: the next one is taken, and measures the uplink again.
    await bed.clock.advance(5_000);
    g.send({ type: 'request', requestId: 3, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 2_000 });
    await bed.clock.advance(1_000);
    assert.deepEqual(g.messages('busy').map((m) => m.requestId), [2], 'the probe is not refused');
    assert.ok(g.messages('data').some((m) => m.requestId === 3), 'its data flows');
    bed.destroyAll();
  });
});
