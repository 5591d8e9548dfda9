/**
 * Segment formats through the engine: EXT-X-BYTERANGE media segments, init segments (EXT-X-MAP)
 * shared under their own ref, per-viewer tokens, and the HTTP throughput estimate the player's ABR
 * is fed, all on the memory network.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INIT_SEGMENT_SN, initSegmentRenditionId, partRenditionId, type PeerMessage } from '@swarmcast/protocol';
import { HttpThroughput } from '../src/index.ts';
import { HttpFetchTime } from '../src/http-throughput.ts';
import { TestSigner } from './support/signing.ts';
import { TEST_SWARM, Testbed, sameBytes } from './support/testbed.ts';

const FILE = 'https://cdn.test/v0/main.ts';
/** Three segments in one file, as EXT-X-BYTERANGE lists them. */
const RANGES = [
  { startBytes: 0, endBytes: 60_000 },
  { startBytes: 60_000, endBytes: 150_000 },
  { startBytes: 150_000, endBytes: 230_000 },
] as const;

function signedBed(seed: string): { bed: Testbed; signer: TestSigner } {
  const bed = new Testbed({ seed, engineConfig: { integrity: 'required' } });
  const signer = new TestSigner();
  bed.tracker.integrityKeys = [signer.key];
  return { bed, signer };
}

void describe('byte-range media segments', () => {
  void test('HTTP sends the range, peers share the range bytes, verified against the range record', async () => {
    const { bed, signer } = signedBed('byterange');
    const file = bed.random.fork('file').bytes(230_000);
    bed.resources.set(FILE, file);
    const g = bed.addEngine('G');
    const e = bed.addEngine('E');
    await bed.connectAll();
    const ref = { rendition: 'v0', sn: 11 };
    const range = RANGES[1];
    const segment = file.slice(range.startBytes, range.endBytes);
    bed.tracker.addRecords(TEST_SWARM, [signer.record(TEST_SWARM, ref, segment)], true);
    const first = await bed.clock.settle(g.engine.loadSegment({ ref, url: FILE, range, deadlineMs: bed.clock.now() + 1_000 }));
    assert.equal(first.source, 'http');
    assert.ok(sameBytes(first.bytes, segment));
    assert.deepEqual(g.http.log.map((l) => l.range), [range], 'one GET, with the Range of the segment');
    await bed.clock.advance(100);
    const got = await bed.clock.settle(e.engine.loadSegment({ ref, url: FILE, range, deadlineMs: bed.clock.now() + 10_000 }));
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, segment));
    assert.equal(e.http.requestCount, 0);
    assert.equal(e.engine.stats().segmentsVerified, 1);
    bed.destroyAll();
  });

  void test('a P2P transfer that stalls resumes over HTTP at the segment start + the bytes received', async () => {
    const bed = new Testbed({ seed: 'byterange-resume' });
    const file = bed.random.fork('file').bytes(230_000);
    bed.resources.set(FILE, file);
    const h = bed.addScriptedPeer('H');
    await bed.clock.advance(100);
    const e = bed.addEngine('E');
    await bed.clock.advance(1_000);
    const link = h.linkTo(bed.idOf('E'));
    assert.ok(link?.open);
    const ref = { rendition: 'v0', sn: 12 };
    const range = RANGES[2];
    const segment = file.slice(range.startBytes, range.endBytes);
    link.send({ type: 'have', rendition: ref.rendition, sn: ref.sn, sizeBytes: segment.length });
    // H sends the first chunk of the segment, then goes silent.
    h.onMessage = (msg: PeerMessage) => {
      if (msg.type !== 'request') return;
      link.send({ type: 'data', requestId: msg.requestId, offsetBytes: 0, totalBytes: segment.length, payload: segment.subarray(0, 16_384) });
    };
    await bed.clock.advance(100);
    const got = await bed.clock.settle(e.engine.loadSegment({ ref, url: FILE, range, deadlineMs: bed.clock.now() + 10_000 }));
    assert.ok(sameBytes(got.bytes, segment));
    assert.equal(got.source, 'p2p', 'the peer part is kept');
    assert.deepEqual(
      e.http.log.map((l) => l.range),
      [{ startBytes: range.startBytes + 16_384, endBytes: range.endBytes }],
      'the rest of the segment, not of the file',
    );
    bed.destroyAll();
  });
});

void describe('init segments (EXT-X-MAP)', () => {
  void test('shared over P2P as {initSegmentRenditionId(url), sn 0}, verified, whatever token each viewer has', async () => {
    const { bed, signer } = signedBed('init');
    const init = bed.random.fork('init').bytes(20_000);
    bed.resources.set('https://cdn.test/v0/init.mp4?token=g', init);
    bed.resources.set('https://cdn.test/v0/init.mp4?token=e', init);
    const g = bed.addEngine('G');
    const e = bed.addEngine('E');
    await bed.connectAll();
    const refG = { rendition: initSegmentRenditionId('https://cdn.test/v0/init.mp4?token=g'), sn: INIT_SEGMENT_SN };
    const refE = { rendition: initSegmentRenditionId('https://cdn.test/v0/init.mp4?token=e'), sn: INIT_SEGMENT_SN };
    assert.deepEqual(refE, refG);
    // Not pushed: E asks the tracker for the record, and looks up no VOD list for an init segment.
    bed.tracker.addRecords(TEST_SWARM, [signer.record(TEST_SWARM, refG, init)], false);
    await bed.clock.settle(g.engine.loadSegment({ ref: refG, url: 'https://cdn.test/v0/init.mp4?token=g', init: true, deadlineMs: bed.clock.now() }));
    await bed.clock.advance(100);
    const got = await bed.clock.settle(
      e.engine.loadSegment({ ref: refE, url: 'https://cdn.test/v0/init.mp4?token=e', init: true, deadlineMs: bed.clock.now() + 10_000 }),
    );
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, init));
    assert.equal(e.http.requestCount, 0, 'no HTTP request at all: neither the init segment nor a VOD list');
    assert.equal(e.engine.stats().segmentsVerified, 1);
    bed.destroyAll();
  });

  void test('an init segment given as a byte range of a file is fetched with Range and shared', async () => {
    const bed = new Testbed({ seed: 'init-range' });
    const file = bed.random.fork('file').bytes(100_000);
    bed.resources.set(FILE, file);
    const g = bed.addEngine('G');
    const e = bed.addEngine('E');
    await bed.connectAll();
    const range = { startBytes: 0, endBytes: 720 };
    const ref = { rendition: initSegmentRenditionId(FILE, range), sn: INIT_SEGMENT_SN };
    await bed.clock.settle(g.engine.loadSegment({ ref, url: FILE, range, init: true, deadlineMs: bed.clock.now() }));
    assert.deepEqual(g.http.log.map((l) => l.range), [range]);
    await bed.clock.advance(100);
    const got = await bed.clock.settle(e.engine.loadSegment({ ref, url: FILE, range, init: true, deadlineMs: bed.clock.now() + 10_000 }));
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, file.subarray(0, 720)));
    bed.destroyAll();
  });
});

void describe('HTTP throughput estimate', () => {
  void test('whole-segment fetch time: its recent high, raised at once, lowered a fifth of the way per faster fetch', () => {
    const t = new HttpFetchTime();
    // Read through a function: assert.equal would narrow the getter's type to the value it checked.
    const ms = (): number | undefined => t.ms;
    assert.equal(ms(), undefined);
    t.sample(200);
    assert.equal(ms(), 200);
    t.sample(100);
    assert.equal(ms(), 180, 'a faster fetch lowers it a fifth of the way');
    t.sample(900);
    assert.equal(ms(), 900, 'a slower one raises it at once');
    for (let i = 0; i < 40; i++) t.sample(100);
    assert.ok(Math.abs((ms() ?? 0) - 100) < 1, `converges on a steady time: ${ms()}`);
    t.sample(Number.NaN);
    t.sample(-5);
    assert.ok(Math.abs((ms() ?? 0) - 100) < 1, 'nonsense samples are ignored');
  });

  void test('EWMA of bytes / elapsed over HTTP fetches; small fetches are not sampled', () => {
    const t = new HttpThroughput(6_000);
    assert.equal(t.bytesPerSec(), undefined);
    t.sample(1_000, 1);
    assert.equal(t.bytesPerSec(), undefined, 'under 4 KiB: latency, not throughput');
    t.sample(1_000_000, 1_000);
    assert.equal(Math.round(t.bytesPerSec() ?? 0), 1_000_000, 'one sample is the estimate, whatever its weight');
    t.sample(500_000, 1_000);
    const after = t.bytesPerSec() ?? 0;
    assert.ok(after < 1_000_000 && after > 500_000, `moves toward the new rate: ${after}`);
    for (let i = 0; i < 30; i++) t.sample(500_000, 1_000);
    assert.ok(Math.abs((t.bytesPerSec() ?? 0) - 500_000) < 5_000, 'converges on a steady rate');
  });

  void test("the engine's estimate follows its HTTP fetches and ignores P2P transfers", async () => {
    const bed = new Testbed({ seed: 'throughput', httpLatencyMs: 50, httpBandwidthBytesPerSec: 1_000_000 });
    const g = bed.addEngine('G');
    const e = bed.addEngine('E');
    await bed.connectAll();
    const a = { rendition: 'v0', sn: 1 };
    bed.publish(a, 500_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(a, 0)));
    const estimate = g.engine.httpThroughputBytesPerSec() ?? 0;
    // 500 kB at 1 MB/s after 50 ms to first byte: 550 ms, ~909 kB/s.
    assert.ok(estimate > 850_000 && estimate < 950_000, `estimate ${estimate}`);
    await bed.clock.advance(100);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(a, 10_000)));
    assert.equal(got.source, 'p2p');
    assert.equal(e.engine.httpThroughputBytesPerSec(), undefined, 'a P2P transfer is no HTTP sample');
    bed.destroyAll();
  });
});

void describe('LL-HLS parts', () => {
  void test('a part wanted in 1 s goes to peers under the part margins; a whole segment wanted as soon goes to HTTP at once', async () => {
    const { bed, signer } = signedBed('ll-parts');
    const partUrl = 'https://cdn.test/ll/0/part-40.2.m4s';
    const segmentUrl = 'https://cdn.test/ll/0/seg-39.m4s';
    const partBytes = bed.random.fork('part').bytes(40_000);
    const segmentBytes = bed.random.fork('segment').bytes(160_000);
    bed.resources.set(partUrl, partBytes);
    bed.resources.set(segmentUrl, segmentBytes);
    const g = bed.addEngine('G');
    const e = bed.addEngine('E');
    await bed.connectAll();
    const part = { rendition: partRenditionId('v0', 2), sn: 40 };
    const segment = { rendition: 'v0', sn: 39 };
    bed.tracker.addRecords(TEST_SWARM, [signer.record(TEST_SWARM, part, partBytes), signer.record(TEST_SWARM, segment, segmentBytes)], true);
    for (const [ref, url] of [[part, partUrl], [segment, segmentUrl]] as const) {
      const first = await bed.clock.settle(g.engine.loadSegment({ ref, url, deadlineMs: bed.clock.now() + 10_000 }));
      assert.equal(first.source, 'http');
    }
    await bed.clock.advance(100);
    const gotPart = await bed.clock.settle(e.engine.loadSegment({ ref: part, url: partUrl, deadlineMs: bed.clock.now() + 1_000 }));
    assert.equal(gotPart.source, 'p2p', 'the part came from the peer that holds it');
    assert.ok(sameBytes(gotPart.bytes, partBytes));
    const gotSegment = await bed.clock.settle(e.engine.loadSegment({ ref: segment, url: segmentUrl, deadlineMs: bed.clock.now() + 1_000 }));
    assert.equal(gotSegment.source, 'http', 'a segment due in 1 s is below minP2pSlackMs');
    assert.deepEqual(e.http.log.map((l) => l.url), [segmentUrl]);
    assert.equal(e.engine.stats().segmentsVerified, 1);
    bed.destroyAll();
  });

  void test('the part margins are validated', () => {
    assert.throws(() => new Testbed({ seed: 'x', engineConfig: { partHttpSafetyMs: 700, partMinP2pSlackMs: 600 } }).addEngine('A'), /partMinP2pSlackMs/);
  });
});
