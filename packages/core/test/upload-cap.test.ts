/**
 * uploadCapBytesPerSec: DATA leaves at most at the cap (a token bucket shared by all uploads), and
 * requests the capped uplink could not finish in time are answered BUSY at once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveEngineConfig } from '../src/config.ts';
import { UploadPacer } from '../src/upload-pacer.ts';
import { Testbed, TEST_SWARM, TEST_TRACKER_URL, type TestEngine } from './support/testbed.ts';
import type { ScriptedLink } from './support/scripted-peer.ts';

const CAP = 100_000; // bytes/s
const SIZE = 100_000;

void describe('UploadPacer', () => {
  void test('lets the burst out at once, then the cap on average', () => {
    const pacer = new UploadPacer(CAP, 25_000);
    let now = 0;
    let sent = 0;
    // 10 s of a sender that always has a 16 KiB message ready.
    while (now < 10_000) {
      const waitMs = pacer.take(now, 16_384);
      if (waitMs === 0) sent += 16_384;
      else now += waitMs;
    }
    const rate = sent / 10;
    assert.ok(rate <= CAP * 1.05 && rate >= CAP * 0.9, `rate ${rate} B/s, cap ${CAP}`);
  });

  void test('uncapped never waits', () => {
    const pacer = new UploadPacer(0, 0);
    assert.equal(pacer.take(0, 1e9), 0);
    assert.equal(pacer.capped, false);
  });
});

void describe('uploadCapBytesPerSec config', () => {
  void test('rejects a cap below two chunks', () => {
    assert.throws(() => resolveEngineConfig({ trackerUrl: TEST_TRACKER_URL, swarmId: TEST_SWARM, uploadCapBytesPerSec: 1000 }), /uploadCapBytesPerSec must be 0 \(no cap\) or at least 2 x chunkBytes/);
    assert.equal(resolveEngineConfig({ trackerUrl: TEST_TRACKER_URL, swarmId: TEST_SWARM, uploadCapBytesPerSec: CAP }).uploadCapBytesPerSec, CAP);
  });
});

/** Engine E holding segments 1..n (fetched over HTTP), connected to scripted peer H. */
async function seeder(seed: string, n: number, config: { uploadCapBytesPerSec: number }): Promise<{ bed: Testbed; e: TestEngine; link: ScriptedLink }> {
  const bed = new Testbed({ seed });
  const h = bed.addScriptedPeer('H');
  await bed.clock.advance(100);
  const e = bed.addEngine('E', config);
  await bed.clock.advance(1_000);
  for (let sn = 1; sn <= n; sn++) {
    const ref = { rendition: 'v0', sn };
    bed.publish(ref, SIZE);
    await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 500)));
  }
  const link = h.linkTo(bed.idOf('E'));
  assert.ok(link?.open, 'H is connected to E');
  return { bed, e, link };
}

void describe('an engine with an upload cap', () => {
  void test('sends DATA no faster than the cap', async () => {
    const { bed, e, link } = await seeder('cap-rate', 1, { uploadCapBytesPerSec: CAP });
    const arrivals: number[] = [];
    link.owner.onMessage = (msg) => {
      if (msg.type === 'data') arrivals.push(bed.clock.now());
    };
    const t0 = bed.clock.now();
    link.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 60_000 });
    await bed.clock.advance(3_000);
    const body = link.messages('data').reduce((n, m) => n + m.payload.length, 0);
    assert.equal(body, SIZE, 'the whole segment arrived');
    const tookMs = (arrivals.at(-1) ?? 0) - t0;
    // The bucket starts full (25 000 B): the rest takes (SIZE - 25 000) / CAP s at least.
    assert.ok(tookMs >= ((SIZE - 25_000) / CAP) * 1000 - 50, `took ${tookMs} ms`);
    assert.ok(tookMs <= (SIZE / CAP) * 1000 + 200, `took ${tookMs} ms`);
    assert.equal(e.engine.stats().uploadedBytes, SIZE);
    bed.destroyAll();
  });

  void test('answers BUSY to what the cap could not start within uploadAdmissionDelayMs, serves the rest', async () => {
    const { bed, e, link } = await seeder('cap-busy', 4, { uploadCapBytesPerSec: CAP });
    for (let sn = 1; sn <= 4; sn++) link.send({ type: 'request', requestId: sn, rendition: 'v0', sn, offsetBytes: 0, withinMs: 60_000 });
    await bed.clock.advance(100);
    // With one upload slot the second would start only when the first is sent, 1 s later at
    // 100 000 B/s (more than uploadAdmissionDelayMs).
    assert.deepEqual(link.messages('busy').map((m) => m.requestId), [2, 3, 4]);
    assert.deepEqual(e.engine.stats().uploadRefusals, { firstChunk: 3, deadline: 0, unmeasured: 0, limit: 0, incoming: 0 }, 'counted by why');
    await bed.clock.advance(3_000);
    const served = new Set(link.messages('data').map((m) => m.requestId));
    assert.deepEqual([...served], [1]);
    bed.destroyAll();
  });

  void test('a cap too low for one segment within its requester wait still serves one upload at a time', async () => {
    // 40 000 B/s: a 100 000 B segment takes 2.5 s, longer than the requester waits (2 s): what
    // arrives in time still saves the requester that much HTTP (it fetches the rest by Range).
    const { bed, link } = await seeder('low-cap', 2, { uploadCapBytesPerSec: 40_000 });
    link.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 2_000 });
    link.send({ type: 'request', requestId: 2, rendition: 'v0', sn: 2, offsetBytes: 0, withinMs: 2_000 });
    await bed.clock.advance(100);
    assert.deepEqual(link.messages('busy').map((m) => m.requestId), [2], 'the second waits for nothing: BUSY');
    await bed.clock.advance(3_000);
    const body = link.messages('data').filter((m) => m.requestId === 1).reduce((n, m) => n + m.payload.length, 0);
    assert.equal(body, SIZE, 'the first is served whole, at the cap');
    // Idle again: the next request is taken.
    link.send({ type: 'request', requestId: 3, rendition: 'v0', sn: 2, offsetBytes: 0, withinMs: 2_000 });
    await bed.clock.advance(100);
    assert.equal(link.messages('busy').length, 1);
    bed.destroyAll();
  });

  void test('without a cap the same requests are all served', async () => {
    const { bed, link } = await seeder('no-cap', 4, { uploadCapBytesPerSec: 0 });
    for (let sn = 1; sn <= 4; sn++) link.send({ type: 'request', requestId: sn, rendition: 'v0', sn, offsetBytes: 0, withinMs: 60_000 });
    await bed.clock.advance(3_000);
    assert.equal(link.messages('busy').length, 0);
    assert.equal(new Set(link.messages('data').map((m) => m.requestId)).size, 4);
    bed.destroyAll();
  });
});
