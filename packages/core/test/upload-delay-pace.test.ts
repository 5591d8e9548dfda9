/**
 * uploadDelayTargetMs end to end: requesters send RECEIPTs, the uploader reads its queueing delay
 * from them and paces its uploads (see uplink-pace.test.ts for the pace itself).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveEngineConfig } from '../src/config.ts';
import { clockMs32 } from '../src/delivery-delay.ts';
import { Testbed, TEST_SWARM, TEST_TRACKER_URL, sameBytes } from './support/testbed.ts';

const LINK_BYTES_PER_SEC = 100_000;

void describe('uploadDelayTargetMs', () => {
  void test('config: 0 (off) or at least 10 ms', () => {
    assert.throws(() => resolveEngineConfig({ trackerUrl: TEST_TRACKER_URL, swarmId: TEST_SWARM, uploadDelayTargetMs: 5 }), /uploadDelayTargetMs must be 0 \(off\) or at least 10/);
    assert.equal(resolveEngineConfig({ trackerUrl: TEST_TRACKER_URL, swarmId: TEST_SWARM }).uploadDelayTargetMs, 100);
  });

  /** A sends 4 segments of 300 KB to B over a 100 KB/s link; returns the last transfer's time and A's pace. */
  async function upload(seed: string, routerQueueMs: number): Promise<{ tookMs: number; pace: number | null; bed: Testbed }> {
    const bed = new Testbed({ seed, latencyMs: 20, bandwidthBytesPerSec: LINK_BYTES_PER_SEC, lowWaterBytes: 16 * 1024, profile: () => ({ routerQueueMs }) });
    const a = bed.addEngine('A');
    const b = bed.addEngine('B');
    await bed.connectAll();
    assert.equal(a.engine.stats().uploadPaceBytesPerSec, null, 'no pace before any upload');
    let tookMs = 0;
    for (let sn = 1; sn <= 4; sn++) {
      const ref = { rendition: 'v0', sn };
      const seg = bed.publish(ref, 300_000);
      await bed.clock.settle(a.engine.loadSegment(bed.request(ref, 500)));
      await bed.clock.advance(100);
      const startedMs = bed.clock.now();
      const got = await bed.clock.settle(b.engine.loadSegment(bed.request(ref, 20_000)));
      tookMs = bed.clock.now() - startedMs;
      assert.equal(got.source, 'p2p', `sn ${sn}`);
      assert.ok(sameBytes(got.bytes, seg.bytes));
    }
    assert.ok(b.engine.stats().controlBytesSent < 0.01 * b.engine.stats().p2pBytes, 'receipts cost little');
    return { tookMs, pace: a.engine.stats().uploadPaceBytesPerSec, bed };
  }

  void test('a router queue below the channel paces the uploads near the link; transfers stay whole and in time', async () => {
    const { tookMs, pace, bed } = await upload('delay-pace', 400);
    assert.ok(pace !== null, 'A paced its uploads (B sent receipts, A read a queue above 100 ms)');
    assert.ok(pace >= LINK_BYTES_PER_SEC * 0.6 && pace <= LINK_BYTES_PER_SEC * 1.15, `pace ${pace} B/s`);
    // 300 KB at 100 KB/s is 3 s: paced, the last transfer still gets most of the link.
    assert.ok(tookMs < 3_000 / 0.75, `took ${tookMs} ms`);
    bed.destroyAll();
  });

  void test("the channel's own buffer counts as a queue too: a deep one paces the uploads near the link", async () => {
    // 300 ms of the link in the channel (the high-water mark), nothing below it.
    const { tookMs, pace, bed } = await upload('delay-channel', 0);
    assert.ok(pace !== null && pace <= LINK_BYTES_PER_SEC * 1.15, `pace ${pace} B/s`);
    assert.ok(tookMs < 3_000 / 0.75, `took ${tookMs} ms`);
    bed.destroyAll();
  });

  void test('receipts from a peer claiming long delays lower the pace to half the measured uplink at most; unknown ones are ignored', async () => {
    const bed = new Testbed({ seed: 'delay-liar', latencyMs: 10, bandwidthBytesPerSec: LINK_BYTES_PER_SEC, lowWaterBytes: 16 * 1024 });
    const h = bed.addScriptedPeer('H');
    await bed.clock.advance(100);
    const e = bed.addEngine('E');
    await bed.clock.advance(1_000);
    const link = h.linkTo(bed.idOf('E'));
    assert.ok(link?.open, 'H is connected to E');
    let extraMs = 0;
    link.owner.onMessage = (msg) => {
      if (msg.type !== 'data') return;
      extraMs += 50;
      link.send({ type: 'receipt', requestId: msg.requestId, offsetBytes: msg.offsetBytes + msg.payload.length, atMs: clockMs32(bed.clock.now() + extraMs) });
    };
    for (let sn = 1; sn <= 3; sn++) {
      const ref = { rendition: 'v0', sn };
      bed.publish(ref, 200_000);
      await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 500)));
      link.send({ type: 'request', requestId: sn, rendition: 'v0', sn, offsetBytes: 0, withinMs: 60_000 });
      await bed.clock.advance(4_000);
    }
    link.send({ type: 'receipt', requestId: 99, offsetBytes: 4096, atMs: 0 });
    await bed.clock.advance(100);
    assert.ok(link.open, 'an unknown receipt is no violation');
    const stats = e.engine.stats();
    assert.ok(stats.uploadPaceBytesPerSec !== null && stats.uplinkBytesPerSec !== null, JSON.stringify(stats));
    assert.ok(stats.uploadPaceBytesPerSec >= Math.floor(stats.uplinkBytesPerSec / 2), `pace ${stats.uploadPaceBytesPerSec}, uplink ${stats.uplinkBytesPerSec}`);
    assert.ok(stats.uploadPaceBytesPerSec < stats.uplinkBytesPerSec * 0.6, `pace ${stats.uploadPaceBytesPerSec}, uplink ${stats.uplinkBytesPerSec}`);
    bed.destroyAll();
  });
});
