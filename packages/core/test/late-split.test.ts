/** A transfer late for its P2P deadline: the peer goes on with a head of the rest, HTTP fetches the tail. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SegmentRef } from '@swarmcast/protocol';
import { LATE_SPLIT_GAP_FACTOR, planLateSplit, type LateSplitInput } from '../src/late-split.ts';

const PACE_SHARE = 0.7;
import { engineAndScripted, trickle } from './support/holder-pair.ts';
import { sameBytes, type Testbed, type TestEngine } from './support/testbed.ts';

const CHUNK = 16_384;
const SIZE = 200_000;

const base: LateSplitInput = {
  nowMs: 10_000,
  deadlineMs: 10_500,
  lagMs: 0,
  httpFetchMs: 50,
  receivedBytes: 100_000,
  totalBytes: 200_000,
  paceBytes: 100_000,
  paceMs: 1_000,
  paceShare: PACE_SHARE,
};

void describe('planLateSplit', () => {
  void test('the peer keeps a share of its pace until the gap would still make the deadline over HTTP', () => {
    const split = planLateSplit(base);
    const cutoffMs = base.deadlineMs - LATE_SPLIT_GAP_FACTOR * 50;
    assert.deepEqual(split, { splitBytes: 100_000 + Math.floor(100 * (cutoffMs - base.nowMs) * PACE_SHARE), cutoffMs });
  });

  void test('our timers running late move the cutoff earlier by as much', () => {
    assert.equal(planLateSplit({ ...base, lagMs: 80 })?.cutoffMs, base.deadlineMs - LATE_SPLIT_GAP_FACTOR * 50 - 80);
  });

  void test('a peer fast enough for the whole rest takes it all: no tail', () => {
    assert.equal(planLateSplit({ ...base, receivedBytes: 195_000 })?.splitBytes, 200_000);
  });

  void test('no split before HTTP was measured, with no time left for a gap, or for a head under a tenth of the rest', () => {
    assert.equal(planLateSplit({ ...base, paceShare: 0 }), undefined, 'off');
    assert.equal(planLateSplit({ ...base, httpFetchMs: undefined }), undefined);
    assert.equal(planLateSplit({ ...base, httpFetchMs: 250 }), undefined, 'the cutoff is now');
    assert.equal(planLateSplit({ ...base, paceBytes: 0 }), undefined);
    assert.equal(planLateSplit({ ...base, paceMs: 0 }), undefined);
    // 10 B/ms x 400 ms x 0.7 = 2,800 bytes, under a tenth of 100,000.
    assert.equal(planLateSplit({ ...base, paceBytes: 10_000 }), undefined);
  });
});

/** E with its HTTP fetch time measured (one whole segment over HTTP first), then a load of `ref` due in `inMs`. */
async function measuredThenLoad(seed: string, inMs: number, everyMs: number, stopAtBytes?: number, sizeBytes = SIZE, paceShare = PACE_SHARE): Promise<{ bed: Testbed; e: TestEngine; bytes: Uint8Array; sender: { cancelled: boolean }; deadlineMs: number; got: { bytes: Uint8Array; source: string } }> {
  const ref: SegmentRef = { rendition: 'v0', sn: 4 };
  const { bed, e, link, bytes } = await engineAndScripted(seed, ref, sizeBytes, { minHttpSafetyMs: 500, lateSplitPaceShare: paceShare });
  const warm = { rendition: 'v0', sn: 3 };
  bed.publish(warm, SIZE);
  await bed.clock.settle(e.engine.loadSegment(bed.request(warm, 500)));
  const sender = trickle(bed, link, bytes, everyMs, { chunkBytes: CHUNK, ...(stopAtBytes === undefined ? {} : { stopAtBytes }) });
  const request = bed.request(ref, inMs);
  const got = await bed.clock.settle(e.engine.loadSegment(request));
  return { bed, e, bytes, sender, deadlineMs: request.deadlineMs, got };
}

/** The warm-up fetch's time: what the engine measured HTTP at. */
function fetchMsOf(e: TestEngine): number {
  const warm = e.http.log[0];
  assert.ok(warm?.endedAtMs !== undefined);
  return warm.endedAtMs - warm.startedAtMs;
}

void describe('late split (engine)', () => {
  void test('a late peer goes on with the head while HTTP fetches the tail; the two meet, byte-identical', async () => {
    // 16 KiB every 200 ms: 9 chunks by the P2P deadline (deadline - 500 ms), 200,000 bytes would need 13.
    const { bed, e, bytes, sender, deadlineMs, got } = await measuredThenLoad('late-split', 2_200, 200);
    assert.ok(sameBytes(got.bytes, bytes), 'head from the peer + tail over HTTP = the segment');
    assert.equal(got.source, 'p2p');
    assert.ok(bed.clock.now() <= deadlineMs, 'in time');
    const tail = e.http.log[1];
    assert.equal(e.http.requestCount, 2, 'the warm-up, then only the tail');
    assert.equal(tail?.startedAtMs, deadlineMs - 500, 'the tail left at the P2P deadline');
    const stats = e.engine.stats();
    assert.equal(tail.range?.startBytes, stats.p2pBytes, 'the tail starts where the head ends');
    assert.equal(tail.range.endBytes, undefined);
    assert.equal(tail.bytes, SIZE - stats.p2pBytes);
    // What the peer sent after its P2P deadline, kept: without the split those bytes came over HTTP.
    const atSwitch = 9 * CHUNK;
    assert.ok(stats.p2pBytes > atSwitch, `${String(stats.p2pBytes)} bytes from the peer, ${String(atSwitch)} by the switch`);
    assert.deepEqual(stats.lateSplits, { splits: 1, gaps: 0, headBytes: stats.p2pBytes - atSwitch });
    assert.equal(stats.httpBytes - SIZE, SIZE - stats.p2pBytes, 'no byte fetched twice');
    assert.equal(stats.peerAttempts.late, 1);
    assert.equal(stats.httpFetchReasons.peerLate, 1);
    await bed.clock.advance(100);
    assert.equal(sender.cancelled, true, 'the peer is told to stop at the split');
    assert.deepEqual(e.disconnects, [], 'slow, not cut off');
    bed.destroyAll();
  });

  void test('off (lateSplitPaceShare 0, the default): the whole rest goes to HTTP at the P2P deadline and the peer is cancelled', async () => {
    const { bed, e, bytes, sender, deadlineMs, got } = await measuredThenLoad('late-split-off', 2_200, 200, undefined, SIZE, 0);
    assert.ok(sameBytes(got.bytes, bytes));
    const rest = e.http.log[1];
    assert.equal(rest?.startedAtMs, deadlineMs - 500);
    assert.equal(rest.range?.startBytes, 9 * CHUNK, 'from where the peer was at the switch');
    assert.equal(e.engine.stats().p2pBytes, 9 * CHUNK);
    assert.deepEqual(e.engine.stats().lateSplits, { splits: 0, gaps: 0, headBytes: 0 });
    await bed.clock.advance(100);
    assert.equal(sender.cancelled, true);
    bed.destroyAll();
  });

  void test('a peer that falls silent during its head: the gap comes over HTTP at the cutoff, still in time', async () => {
    // The same pace, but H stops after 10 chunks: one chunk into its head.
    const { bed, e, bytes, sender, deadlineMs, got } = await measuredThenLoad('late-split-gap', 2_200, 200, 10 * CHUNK);
    assert.ok(sameBytes(got.bytes, bytes));
    assert.equal(got.source, 'p2p');
    assert.ok(bed.clock.now() <= deadlineMs, `done ${String(deadlineMs - bed.clock.now())} ms before the deadline`);
    const [, tail, gap] = e.http.log;
    const stats = e.engine.stats();
    assert.equal(stats.p2pBytes, 10 * CHUNK);
    assert.deepEqual(stats.lateSplits, { splits: 1, gaps: 1, headBytes: CHUNK });
    assert.equal(gap?.startedAtMs, deadlineMs - 2 * fetchMsOf(e), 'the gap at the cutoff: deadline - 2 fetch times');
    assert.equal(gap.range?.startBytes, 10 * CHUNK);
    assert.equal(gap.range.endBytes, tail?.range?.startBytes, 'the gap ends where the tail starts');
    assert.equal(stats.httpBytes - SIZE, SIZE - 10 * CHUNK, 'gap + tail: the rest, once');
    await bed.clock.advance(100);
    assert.equal(sender.cancelled, true);
    assert.deepEqual(e.disconnects, []);
    bed.destroyAll();
  });

  void test('a late peer that will send the whole rest before the cutoff gets to: no HTTP request at all', async () => {
    // 9 chunks by the P2P deadline, then 10,000 bytes left, one more chunk at the same pace.
    const size = 9 * CHUNK + 10_000;
    const { bed, e, bytes, sender, deadlineMs, got } = await measuredThenLoad('late-split-whole', 2_200, 200, undefined, size);
    assert.ok(sameBytes(got.bytes, bytes));
    assert.equal(got.source, 'p2p');
    assert.ok(bed.clock.now() <= deadlineMs - 2 * fetchMsOf(e), 'before the cutoff');
    assert.equal(e.http.requestCount, 1, 'only the warm-up');
    const stats = e.engine.stats();
    assert.equal(stats.p2pBytes, size);
    assert.deepEqual(stats.lateSplits, { splits: 1, gaps: 0, headBytes: 10_000 });
    assert.equal(stats.peerAttempts.late, 1, 'late for its P2P deadline');
    assert.equal(stats.httpFetchReasons.peerLate, 0, 'no HTTP fetch made');
    await bed.clock.advance(100);
    assert.equal(sender.cancelled, false, 'it finished: nothing to cancel');
    bed.destroyAll();
  });

  void test('a load the player drops during a head: LOAD_ABORTED, the peer cancelled', async () => {
    const ref: SegmentRef = { rendition: 'v0', sn: 4 };
    const { bed, e, link, bytes } = await engineAndScripted('late-split-abort', ref, SIZE, { minHttpSafetyMs: 500, lateSplitPaceShare: PACE_SHARE });
    const warm = { rendition: 'v0', sn: 3 };
    bed.publish(warm, SIZE);
    await bed.clock.settle(e.engine.loadSegment(bed.request(warm, 500)));
    const sender = trickle(bed, link, bytes, 200, { chunkBytes: CHUNK });
    const abort = new AbortController();
    const request = bed.request(ref, 2_200, abort.signal);
    const loading = e.engine.loadSegment(request);
    loading.catch(() => undefined);
    await bed.clock.runUntil(request.deadlineMs - 450);
    assert.equal(e.engine.stats().lateSplits.splits, 1, 'in its head');
    abort.abort();
    await assert.rejects(bed.clock.settle(loading), { code: 'LOAD_ABORTED' });
    await bed.clock.advance(100);
    assert.equal(sender.cancelled, true);
    bed.destroyAll();
  });
});
