/**
 * Integrity required during a tracker outage: signed records come through the tracker, so while it
 * is down a segment without one goes straight to HTTP (no download from peers to throw away, no
 * wait that could outlast the live window); segments whose record arrived before still come from peers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TestSigner } from './support/signing.ts';
import { TEST_SWARM, Testbed, sameBytes } from './support/testbed.ts';

const required = { integrity: 'required' } as const;

void describe('integrity during a tracker outage', () => {
  void test('no record and no tracker: HTTP at once, no peer asked; a segment signed before the outage still comes from a peer', async () => {
    const bed = new Testbed({ seed: 'outage-integrity' });
    const signer = new TestSigner();
    bed.tracker.integrityKeys = [signer.key];
    const e = bed.addEngine('E', required);
    const g = bed.addEngine('G', required);
    await bed.connectAll();
    const signed = { rendition: 'v0', sn: 1 };
    const signedSeg = bed.publish(signed, 100_000);
    bed.tracker.addRecords(TEST_SWARM, [signer.record(TEST_SWARM, signed, signedSeg.bytes)], true);
    await bed.clock.advance(100);
    bed.tracker.refuseConnections = true;
    bed.tracker.kick(bed.idOf('E'), 'tracker killed');
    bed.tracker.kick(bed.idOf('G'), 'tracker killed');
    await bed.clock.advance(2_000);
    const unsigned = { rendition: 'v0', sn: 2 };
    const unsignedSeg = bed.publish(unsigned, 100_000);
    for (const ref of [signed, unsigned]) await bed.clock.settle(g.engine.loadSegment(bed.request(ref, 1_000)));
    await bed.clock.advance(100);
    const t0 = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(unsigned, 10_000)));
    assert.equal(got.source, 'http');
    assert.ok(sameBytes(got.bytes, unsignedSeg.bytes));
    assert.equal(e.http.log[0]?.startedAtMs, t0, 'HTTP at once');
    assert.equal(e.engine.stats().p2pBytes, 0, 'no bytes downloaded from peers to throw away');
    const old = await bed.clock.settle(e.engine.loadSegment(bed.request(signed, 10_000)));
    assert.equal(old.source, 'p2p', 'a segment whose record is held still comes from a peer');
    assert.ok(sameBytes(old.bytes, signedSeg.bytes));
    bed.destroyAll();
  });
});
