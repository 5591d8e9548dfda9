/**
 * Live records over HTTP during a tracker outage (integrityRecordsUrl): a segment signed after the
 * tracker went down still comes from a peer, its record fetched from the records server (retried
 * until it is there); a records server that serves forged records gets nothing past the signature
 * check, and the segment comes over HTTP in time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LiveRecords, SegmentRecord } from '@swarmcast/protocol';
import { TestSigner } from './support/signing.ts';
import { TEST_SWARM, Testbed, sameBytes } from './support/testbed.ts';

const RECORDS_URL = 'https://records.example/integrity/live';
const docUrl = (rendition: string, fromSn: number): string => `${RECORDS_URL}?swarm=${encodeURIComponent(TEST_SWARM)}&rendition=${encodeURIComponent(rendition)}&from=${fromSn}`;
const config = { integrity: 'required', integrityRecordsUrl: RECORDS_URL } as const;

/** What the records server answers to `from=fromSn` (the sn the engine waits for). */
function serveRecords(bed: Testbed, rendition: string, fromSn: number, records: SegmentRecord[]): void {
  const doc: LiveRecords = { swarm: TEST_SWARM, rendition, records };
  bed.resources.set(docUrl(rendition, fromSn), new TextEncoder().encode(JSON.stringify(doc)));
}

/** E and G joined with the signer's key, then the tracker killed: no record can come through it. */
async function outageBed(seed: string): Promise<{ bed: Testbed; signer: TestSigner; e: ReturnType<Testbed['addEngine']>; g: ReturnType<Testbed['addEngine']> }> {
  const bed = new Testbed({ seed });
  const signer = new TestSigner();
  bed.tracker.integrityKeys = [signer.key];
  const e = bed.addEngine('E', config);
  const g = bed.addEngine('G', config);
  await bed.connectAll();
  bed.tracker.refuseConnections = true;
  bed.tracker.kick(bed.idOf('E'), 'tracker killed');
  bed.tracker.kick(bed.idOf('G'), 'tracker killed');
  await bed.clock.advance(2_000);
  return { bed, signer, e, g };
}

void describe('live records over HTTP while the tracker is down', () => {
  void test('a segment signed during the outage comes from a peer; the record is fetched again until it is served', async () => {
    const { bed, signer, e, g } = await outageBed('live-records-ok');
    const ref = { rendition: 'v0', sn: 5 };
    const seg = bed.publish(ref, 100_000);
    // G has it (over HTTP); its record is not on the records server yet: 404.
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    await bed.clock.advance(100);
    const loading = e.engine.loadSegment(bed.request(ref, 10_000));
    await bed.clock.advance(700);
    assert.equal(e.engine.stats().liveRecordFetches, 0);
    assert.ok(e.engine.stats().liveRecordFetchFailures >= 1, 'the 404 counted');
    serveRecords(bed, 'v0', 5, [signer.record(TEST_SWARM, ref, seg.bytes), signer.record(TEST_SWARM, { rendition: 'v0', sn: 6 }, new Uint8Array(10))]);
    const got = await bed.clock.settle(loading);
    assert.equal(got.source, 'p2p', 'from the peer, verified against the record served over HTTP');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    const stats = e.engine.stats();
    assert.ok(stats.liveRecordFetches >= 1);
    assert.equal(stats.segmentsVerified, 1);
    assert.equal(stats.recordsRejected, 0);
    assert.equal(e.http.log.filter((l) => l.url.startsWith('https://cdn.test/')).length, 0, 'no segment over HTTP');
    bed.destroyAll();
  });

  void test('forged records (another key) are refused: the segment comes over HTTP before its deadline', async () => {
    const { bed, e, g } = await outageBed('live-records-forged');
    const forger = new TestSigner('test-key');
    const ref = { rendition: 'v0', sn: 7 };
    const seg = bed.publish(ref, 100_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    serveRecords(bed, 'v0', 7, [forger.record(TEST_SWARM, ref, seg.bytes)]);
    await bed.clock.advance(100);
    const deadlineMs = bed.clock.now() + 6_000;
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 6_000)));
    assert.equal(got.source, 'http');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.ok(bed.clock.now() <= deadlineMs, 'in time');
    const stats = e.engine.stats();
    assert.ok(stats.recordsRejected >= 1, 'the forged record was refused');
    assert.equal(stats.segmentsVerified, 0);
    bed.destroyAll();
  });

  void test('with the tracker up but without the record (restarted, its sidecar not back yet): the record comes over HTTP', async () => {
    const bed = new Testbed({ seed: 'live-records-restarted' });
    const signer = new TestSigner();
    bed.tracker.integrityKeys = [signer.key];
    const e = bed.addEngine('E', config);
    const g = bed.addEngine('G', config);
    await bed.connectAll();
    const ref = { rendition: 'v0', sn: 9 };
    const seg = bed.publish(ref, 100_000);
    await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    serveRecords(bed, 'v0', 9, [signer.record(TEST_SWARM, ref, seg.bytes)]);
    await bed.clock.advance(100);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000)));
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.ok(e.engine.stats().liveRecordFetches >= 1);
    bed.destroyAll();
  });
});
