import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodePeerMessage, type PeerMessage, type RequestMessage } from '@swarmcast/protocol';
import { PartialSegment, type ReceivingSegment } from '../src/partial-segment.ts';
import { minSendHighWaterBytes, Uploader, type QueuedUpload, type UploadRank, type UploaderLink } from '../src/uploader.ts';
import { SeededRandom } from './support/seeded-random.ts';
import { Testbed, sameBytes } from './support/testbed.ts';
import { VirtualClock } from './support/virtual-clock.ts';

/** A DataChannel stand-in whose buffer only empties when the test says so. */
class FakeChannel implements UploaderLink {
  buffered = 0;
  maxBuffered = 0;
  uploadedBytes = 0;
  readonly sent: PeerMessage[] = [];

  send(msg: PeerMessage): void {
    this.buffered += encodePeerMessage(msg).length;
    this.maxBuffered = Math.max(this.maxBuffered, this.buffered);
    this.sent.push(msg);
  }
  bufferedAmountBytes(): number {
    return this.buffered;
  }
  /** What highWaterBytes() answers (PeerPool's mark for this channel). */
  highWater = config.sendHighWaterBytes;
  highWaterBytes(): number {
    return this.highWater;
  }
  lowWaterBytes: number | undefined;
  setLowWaterBytes(bytes: number): void {
    this.lowWaterBytes = bytes;
  }
  uploaded(bytes: number): void {
    this.uploadedBytes += bytes;
  }
  paceMs(): number {
    return 0;
  }
  private seq = 0;
  nextRank(): UploadRank {
    return { urgent: false, priority: 0, seq: ++this.seq };
  }
  /** False: other peers' uploads hold every slot. */
  slotOpen = true;
  mayFeed(): boolean {
    return this.slotOpen;
  }
  slotFreed(): void {
    // Nothing else waits.
  }
  /** Data chunks sent for one request, reassembled. */
  body(requestId: number): Uint8Array {
    const chunks = this.sent.flatMap((m) => (m.type === 'data' && m.requestId === requestId ? [m.payload] : []));
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
  count(type: PeerMessage['type'], requestId?: number): number {
    return this.sent.filter((m) => m.type === type && (requestId === undefined || ('requestId' in m && m.requestId === requestId))).length;
  }
}

const config = { chunkBytes: 16_384, sendHighWaterBytes: 65_536, maxUploadsPerPeer: 4, uploadStarveMs: 750 };
const req = (requestId: number, sn = 1, offsetBytes = 0): RequestMessage => ({ type: 'request', requestId, rendition: 'v0', sn, offsetBytes, withinMs: 60_000 });
const segment = new SeededRandom('uploader').bytes(300_000);
/** A segment on its way with no byte yet. */
const notYet: ReceivingSegment = { partial: undefined };

void describe('Uploader', () => {
  void test('an upload waiting for a slot says QUEUED every uploadStarveMs (no data), and sends all of it once a slot is free', async () => {
    const clock = new VirtualClock();
    const link = new FakeChannel();
    link.slotOpen = false;
    const uploader = new Uploader(config, clock, link);
    uploader.add(req(1), segment);
    const queuedAt = (ms: number): Promise<number> => clock.advance(ms - clock.now()).then(() => link.count('queued', 1));
    assert.equal(await queuedAt(config.uploadStarveMs - 10), 0, 'nothing at first');
    assert.equal(await queuedAt(config.uploadStarveMs + 10), 1, 'QUEUED when it would look stalled');
    assert.equal(await queuedAt(2 * config.uploadStarveMs + 20), 2, 'and again a starve period later');
    assert.equal(link.count('data', 1), 0, 'no byte of the segment while it waits: the uplink is the slot holder\'s');
    link.slotOpen = true;
    link.buffered = 0;
    uploader.pump();
    assert.ok(link.count('data', 1) > 2, 'a free slot lets it send at once');
    assert.equal(link.count('queued', 1), 2, 'no QUEUED once it sends');
    uploader.destroy();
  });

  void test('a relay before its first byte counts, for later admissions, the size it was admitted against', () => {
    const clock = new VirtualClock();
    const link = new FakeChannel();
    const uploader = new Uploader(config, clock, link);
    uploader.add(req(1, 7, 20_000), notYet, 100_000);
    uploader.add(req(2, 8), notYet);
    const queue: QueuedUpload[] = [];
    uploader.queue(queue);
    assert.deepEqual(queue.map((q) => q.bytes), [80_000, 0], 'admitted against 100 000 B from offset 20 000; no size known: nothing yet');
    assert.ok(queue.every((q) => q.dueMs === clock.now() + 60_000), 'due when the requester stops waiting');
    uploader.destroy();
  });

  void test('at the least high-water mark, two DATA messages fit and the drain is asked for with one left: the channel never runs dry', () => {
    const clock = new VirtualClock();
    const link = new FakeChannel();
    link.highWater = minSendHighWaterBytes(config.chunkBytes);
    const uploader = new Uploader(config, clock, link);
    uploader.add(req(1), segment);
    const [first, second] = link.sent;
    assert.ok(first?.type === 'data' && second?.type === 'data');
    // The transfer's first DATA carries the segment's size (13 header bytes), the later ones not (9).
    const firstBytes = encodePeerMessage(first).length;
    const laterBytes = encodePeerMessage(second).length;
    assert.equal(firstBytes, config.chunkBytes + 13);
    assert.equal(laterBytes, config.chunkBytes + 9);
    assert.equal(link.count('data', 1), 2, 'two messages on an empty channel');
    assert.equal(link.buffered, firstBytes + laterBytes);
    assert.equal(link.lowWaterBytes, firstBytes, 'the drain comes while one message is still queued');
    // That drain: one message gone, one still sending; the next goes behind it at once.
    link.buffered = laterBytes;
    uploader.pump();
    assert.equal(link.count('data', 1), 3);
    assert.equal(link.buffered, 2 * laterBytes);
    uploader.destroy();
  });

  void test('never lets the channel buffer more than the high-water mark, and resumes on drain', async () => {
    const clock = new VirtualClock();
    const link = new FakeChannel();
    const uploader = new Uploader(config, clock, link);
    assert.equal(uploader.add(req(1), segment), 'ok');
    assert.ok(link.buffered > 0);
    assert.ok(link.maxBuffered <= config.sendHighWaterBytes, `buffered ${link.maxBuffered} > ${config.sendHighWaterBytes}`);
    // Stopped on back-pressure: the drain event is asked for at half the mark, before the channel runs dry.
    assert.equal(link.lowWaterBytes, Math.floor(config.sendHighWaterBytes / 2));
    const sentBefore = link.sent.length;
    await clock.advance(1_000);
    assert.equal(link.sent.length, sentBefore, 'nothing more while the buffer stays full');
    let drains = 0;
    while (link.count('data', 1) * config.chunkBytes < segment.length) {
      link.buffered = 0; // the channel sent everything; the Peer calls pump() on 'drain'
      uploader.pump();
      drains += 1;
      assert.ok(link.maxBuffered <= config.sendHighWaterBytes, `buffered ${link.maxBuffered}`);
      assert.ok(drains < 100);
    }
    assert.ok(drains >= 4, `${drains} drains`);
    assert.ok(sameBytes(link.body(1), segment), 'the chunks reassemble to the segment');
    assert.equal(link.uploadedBytes, segment.length);
    uploader.destroy();
  });

  void test('without a drain event it looks again on a timer', async () => {
    const clock = new VirtualClock();
    const link = new FakeChannel();
    const uploader = new Uploader(config, clock, link);
    uploader.add(req(1), segment);
    const sent = link.sent.length;
    link.buffered = 0;
    await clock.advance(100);
    assert.ok(link.sent.length > sent);
    uploader.destroy();
    assert.equal(clock.pendingTimers(), 0, 'destroy clears the recheck timer');
  });

  void test('serves uploads round-robin from their offsets', () => {
    const clock = new VirtualClock();
    const link = new FakeChannel();
    const uploader = new Uploader({ ...config, sendHighWaterBytes: 10_000_000 }, clock, link);
    uploader.add(req(1), segment.subarray(0, 40_000));
    uploader.add(req(2, 2, 20_000), segment.subarray(0, 40_000));
    const order = link.sent.map((m) => (m.type === 'data' ? `${m.requestId}@${m.offsetBytes}` : m.type));
    assert.deepEqual(order, ['1@0', '1@16384', '1@32768', '2@20000', '2@36384']);
    assert.ok(sameBytes(link.body(2), segment.subarray(20_000, 40_000)));
  });

  void test('answers a request at or past the end with ABSENT', () => {
    const link = new FakeChannel();
    const uploader = new Uploader(config, new VirtualClock(), link);
    assert.equal(uploader.add(req(1, 1, 1_000), segment.subarray(0, 1_000)), 'ok');
    assert.deepEqual(link.sent, [{ type: 'absent', requestId: 1 }]);
  });

  void test('parks requests for a segment still arriving and answers them when it settles', () => {
    const link = new FakeChannel();
    const uploader = new Uploader({ ...config, sendHighWaterBytes: 10_000_000 }, new VirtualClock(), link);
    assert.equal(uploader.add(req(1, 7), notYet), 'ok');
    assert.equal(uploader.add(req(2, 7, 50_000), notYet), 'ok');
    assert.equal(uploader.add(req(3, 8), notYet), 'ok');
    assert.equal(link.sent.length, 0, 'nothing sent while parked');
    uploader.settle({ rendition: 'v0', sn: 7 }, segment.subarray(0, 40_000));
    assert.ok(sameBytes(link.body(1), segment.subarray(0, 40_000)));
    assert.deepEqual(link.sent.filter((m) => m.type === 'absent'), [{ type: 'absent', requestId: 2 }], 'offset past the end');
    assert.equal(link.count('data', 3), 0, 'other segments stay parked');
    uploader.settle({ rendition: 'v0', sn: 8 }, undefined);
    assert.equal(link.count('absent', 3), 1, 'a segment given up is ABSENT');
  });

  void test('relays a segment still arriving chunk by chunk, all but its last chunk until it settles', () => {
    const link = new FakeChannel();
    const uploader = new Uploader({ ...config, sendHighWaterBytes: 10_000_000 }, new VirtualClock(), link);
    const body = segment.subarray(0, 40_000);
    const receiving = { partial: new PartialSegment(body.length) };
    assert.equal(uploader.add(req(1, 7), receiving), 'ok');
    assert.equal(link.sent.length, 0, 'no byte yet');
    receiving.partial.append(0, body.subarray(0, 20_000));
    uploader.progress('v0/7');
    assert.deepEqual(link.sent.map((m) => (m.type === 'data' ? [m.offsetBytes, m.payload.length, m.totalBytes] : m.type)), [[0, 16_384, 40_000]], 'whole chunks of the prefix only');
    receiving.partial.append(20_000, body.subarray(20_000));
    uploader.progress('v0/7');
    assert.equal(link.body(1).length, 2 * 16_384, 'everything but the last chunk');
    uploader.settle({ rendition: 'v0', sn: 7 }, receiving.partial.bytes);
    assert.ok(sameBytes(link.body(1), body), 'the rest once the segment is in');
  });

  void test('answers ABSENT when the bytes it relayed were thrown away, before or at the end', () => {
    const link = new FakeChannel();
    const uploader = new Uploader({ ...config, sendHighWaterBytes: 10_000_000 }, new VirtualClock(), link);
    const body = segment.subarray(0, 40_000);
    const first: { partial: PartialSegment | undefined } = { partial: new PartialSegment(body.length) };
    const second = { partial: new PartialSegment(body.length) };
    uploader.add(req(1, 7), first);
    uploader.add(req(2, 8), second);
    first.partial?.append(0, body.subarray(0, 20_000));
    second.partial.append(0, body.subarray(0, 20_000));
    uploader.progress('v0/7');
    uploader.progress('v0/8');
    assert.equal(link.count('data'), 2);
    // sn 7: the download dropped its bytes (a failed check) and starts over.
    first.partial = new PartialSegment(body.length);
    first.partial.append(0, body.subarray(0, 20_000));
    uploader.progress('v0/7');
    assert.equal(link.count('absent', 1), 1, 'replaced source: ABSENT');
    // sn 8: completed, but from other bytes (say a full HTTP body after a failed check).
    uploader.settle({ rendition: 'v0', sn: 8 }, body.slice());
    assert.equal(link.count('absent', 2), 1, 'final bytes from another buffer: ABSENT');
    assert.equal(link.count('data'), 2, 'nothing more sent');
  });

  void test('is busy beyond maxUploadsPerPeer and flags duplicate request ids', () => {
    const link = new FakeChannel();
    const uploader = new Uploader(config, new VirtualClock(), link);
    for (let id = 1; id <= 4; id++) assert.equal(uploader.add(req(id, id), notYet), 'ok');
    assert.equal(uploader.add(req(5, 5), notYet), 'busy');
    assert.equal(uploader.add(req(3, 3), notYet), 'duplicate');
    uploader.cancel(2);
    assert.equal(uploader.add(req(6, 6), notYet), 'ok', 'a cancel frees a slot');
    uploader.settle({ rendition: 'v0', sn: 6 }, segment.subarray(0, 1_000));
    assert.equal(link.count('data', 6), 1);
    assert.equal(uploader.add(req(7, 7), notYet), 'ok', 'a finished upload frees a slot');
  });

  void test('a cancelled upload stops sending', () => {
    const link = new FakeChannel();
    const uploader = new Uploader(config, new VirtualClock(), link);
    uploader.add(req(1), segment);
    const sent = link.count('data', 1);
    uploader.cancel(1);
    link.buffered = 0;
    uploader.pump();
    assert.equal(link.count('data', 1), sent);
  });
});

void describe('uploads over a slow link (engine + memory network)', () => {
  void test('the DataChannel buffer stays under sendHighWaterBytes, drains drive the transfer, bytes arrive intact', async () => {
    const bed = new Testbed({ seed: 'slow-link', latencyMs: 20, bandwidthBytesPerSec: 200_000, lowWaterBytes: 16 * 1024 });
    const hwm = 64 * 1024;
    // Back-pressure alone: the delay-based pace (tested in uplink-pace.test.ts) would read this
    // channel's own 320 ms of buffer as a queue and pace under the link.
    const a = bed.addEngine('A', { sendHighWaterBytes: hwm, uploadDelayTargetMs: 0 });
    const b = bed.addEngine('B', { sendHighWaterBytes: hwm, uploadDelayTargetMs: 0 });
    await bed.connectAll();
    const ref = { rendition: 'v0', sn: 1 };
    const seg = bed.publish(ref, 400_000);
    // A gets it first (deadline close: HTTP at once), then B takes it from A.
    await bed.clock.settle(a.engine.loadSegment(bed.request(ref, 1_000)));
    await bed.clock.advance(100); // A's HAVE reaches B
    const startedMs = bed.clock.now();
    const got = await bed.clock.settle(b.engine.loadSegment(bed.request(ref, 10_000)));
    const tookMs = bed.clock.now() - startedMs;
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    const link = a.node.linkToPeer(bed.idOf('B'));
    assert.ok(link);
    assert.ok(link.maxBufferedBytes <= hwm, `buffered up to ${link.maxBufferedBytes}`);
    assert.ok(link.maxBufferedBytes > hwm / 2, 'the buffer was used');
    assert.ok(link.drainEvents >= 1, `${link.drainEvents} drains`);
    // Back-pressure must not starve the link: 400 KB at 200 KB/s is 2 s, plus latencies.
    assert.ok(tookMs < 2_200, `took ${tookMs} ms`);
    assert.equal(b.http.requestCount, 0);
    bed.destroyAll();
  });
});
