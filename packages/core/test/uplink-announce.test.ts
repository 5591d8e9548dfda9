/**
 * The upload a viewer announces when it is configured with none (protocol 7's UPLINK): what its
 * meter measures (the best of the last 40 s, in steps of two), told again when the step changes;
 * what peers make of it; and a relay that says BUSY when its own copy comes too slowly for the
 * requester.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PeerMessage } from '@swarmcast/protocol';
import { UPLINK_ANNOUNCE_MIN_INTERVAL_MS, UplinkAnnouncer, uplinkStep } from '../src/uplink-announcer.ts';
import { engineWithScriptedPeers, trickle } from './support/holder-pair.ts';
import { Testbed } from './support/testbed.ts';

const SIZE = 100_000;

function uplinks(received: readonly PeerMessage[]): number[] {
  return received.flatMap((m) => (m.type === 'uplink' ? [m.uploadKbps] : []));
}

void describe('UplinkAnnouncer', () => {
  void test('a configured figure stands; the best measure of the last 40 s is told as its power of two, then when that changes, not twice within the interval', () => {
    const configured = new UplinkAnnouncer(5_000);
    assert.equal(configured.update(0, 1_000, 0), undefined);
    assert.equal(configured.kbps, 5_000);

    assert.deepEqual([uplinkStep(0.2), uplinkStep(600), uplinkStep(724), uplinkStep(1_600)], [1, 512, 512, 2_048]);
    const a = new UplinkAnnouncer(0);
    assert.equal(a.kbps, 0, 'nothing known');
    assert.equal(a.update(0, undefined, 0), undefined, 'unmeasured, nothing sent: nothing to tell');
    assert.equal(a.update(100, 75, 0), 512, '75 B/ms is 600 kbit/s');
    assert.equal(a.kbps, 512);
    const next = 100 + UPLINK_ANNOUNCE_MIN_INTERVAL_MS;
    assert.equal(a.update(next - 1, 100, 0), undefined, 'too soon after the last');
    assert.equal(a.update(next, 60, 0), 1_024, 'the best reading of the last 40 s, 800 kbit/s, is nearer 1024');
    assert.equal(a.kbps, 1_024);
    assert.equal(a.update(next + 30_000, 40, 0), undefined, 'a lower reading within 40 s of the best does not take it down');
    assert.equal(a.update(next + 40_000, 60, 0), 512, 'once the best is 40 s old, the reading of the moment counts: 480 kbit/s');
  });

  void test('the best of a sliding 40 s counts: when the best figure ages out, the next best within 40 s takes its place, not the reading of the moment', () => {
    const a = new UplinkAnnouncer(0);
    assert.equal(a.update(0, 250, 0), 2_048, '2000 kbit/s');
    assert.equal(a.update(10_000, 100, 0), undefined, '800 kbit/s, under the best');
    assert.equal(a.update(20_000, 10, 0), undefined);
    assert.equal(a.update(41_000, 10, 0), 1_024, 'the 2000 aged out; the 800 of 31 s ago is the best of the last 40 s');
    assert.equal(a.update(51_000, 10, 0), 64, 'then 80 kbit/s (step 64), the best left');
    // Many updates a second (a VOD prefetch) keep a figure a second apart at most: still the best counts.
    const b = new UplinkAnnouncer(0);
    for (let t = 0; t < 5_000; t += 10) b.update(t, t < 100 ? 250 : 10, 0);
    assert.equal(b.kbps, 2_048);
  });

  void test('unmeasured, what left over a second or more is announced as a lower bound', () => {
    const a = new UplinkAnnouncer(0);
    assert.equal(a.update(0, undefined, 0), undefined);
    assert.equal(a.update(500, undefined, 100_000), undefined, 'half a second is too short to time');
    // 300 000 B in 1.5 s: 200 B/ms, 1600 kbit/s.
    assert.equal(a.update(1_500, undefined, 300_000), 2_048);
    // An idle interval after it does not take the figure down: the best of the last seconds counts.
    assert.equal(a.update(5_000, undefined, 300_000), undefined);
    assert.equal(a.kbps, 2_048);
    // A meter's reading above the goodput wins: 400 B/ms, 3200 kbit/s.
    assert.equal(a.update(8_000, 400, 300_000), 4_096);
  });
});

void describe('UPLINK between engines and peers', () => {
  void test('an engine configured with no upload tells its peers what it measures, once per change', async () => {
    const bed = new Testbed({ seed: 'uplink-tell' });
    const s = bed.addScriptedPeer('S');
    await bed.clock.advance(100);
    // The cap is what its uplink carries until measured: 200 000 B/s, 1600 kbit/s, announced as 2048.
    const e = bed.addEngine('E', { uploadCapBytesPerSec: 200_000 });
    const fixed = bed.addEngine('F', { uploadKbps: 3_000, uploadCapBytesPerSec: 200_000 });
    await bed.clock.advance(1_000);
    const toE = s.linkTo(bed.idOf('E'));
    const toF = s.linkTo(bed.idOf('F'));
    assert.ok(toE?.open && toF?.open);
    const hellos = (link: typeof toE): number[] => link.received.flatMap((m) => (m.type === 'hello' ? [m.uploadKbps] : []));
    assert.deepEqual(hellos(toE), [0], 'E knew nothing of its uplink at HELLO');
    assert.deepEqual(hellos(toF), [3_000]);
    for (let sn = 1; sn <= 3; sn++) {
      const ref = { rendition: 'v0', sn };
      bed.publish(ref, SIZE);
      await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 5_000)));
      await bed.clock.settle(fixed.engine.loadSegment(bed.request(ref, 5_000)));
    }
    await bed.clock.advance(100);
    assert.deepEqual(uplinks(toE.received), [2_048], 'told once: the figure did not move');
    assert.deepEqual(uplinks(toF.received), [], 'a configured figure is never replaced');
    assert.equal(e.engine.stats().controlBytesSentByType.uplink, 10, 'one UPLINK of 5 bytes to each of its two peers (S and F)');
    bed.destroyAll();
  });

  void test('a peer\'s UPLINK ranks it: the holder that announced more is asked first', async () => {
    const { bed, e, links } = await engineWithScriptedPeers('uplink-rank', [{ name: 'A', uploadKbps: 1_000 }, { name: 'B' }]);
    const [toA, toB] = links;
    assert.ok(toA && toB);
    const ref = { rendition: 'v0', sn: 4 };
    const { bytes } = bed.publish(ref, SIZE);
    toB.send({ type: 'uplink', uploadKbps: 50_000 });
    const asked: string[] = [];
    for (const [name, link] of [['A', toA], ['B', toB]] as const) {
      link.owner.onMessage = (msg, l) => {
        if (msg.type !== 'request') return;
        asked.push(name);
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: 0, totalBytes: bytes.length, payload: bytes });
      };
    }
    for (const link of [toA, toB]) link.send({ type: 'have', ...ref, sizeBytes: bytes.length });
    await bed.clock.advance(50);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 5_000)));
    assert.equal(got.source, 'p2p');
    assert.deepEqual(asked, ['B'], 'B announced 50 Mbit/s after its HELLO said nothing: asked before A (1 Mbit/s)');
    assert.deepEqual(e.disconnects, []);
    bed.destroyAll();
  });

  void test('a relay whose own copy comes too slowly for a requester says BUSY; one that waits longer is served', async () => {
    const { bed, e, links } = await engineWithScriptedPeers('relay-incoming', [{ name: 'S' }, { name: 'T' }]);
    const [fromS, toT] = links;
    assert.ok(fromS && toT);
    const ref = { rendition: 'v0', sn: 7 };
    const { bytes } = bed.publish(ref, SIZE);
    fromS.send({ type: 'have', ...ref, sizeBytes: bytes.length });
    await bed.clock.advance(50);
    // 8 KiB every 200 ms: the whole 100 000 B take ~2.4 s.
    trickle(bed, fromS, bytes, 200, { chunkBytes: 8_192 });
    const load = e.engine.loadSegment(bed.request(ref, 20_000));
    await bed.clock.advance(600);
    assert.ok(toT.received.some((m) => m.type === 'receiving'), 'E announced it is receiving');
    toT.send({ type: 'request', requestId: 1, rendition: ref.rendition, sn: ref.sn, offsetBytes: 0, withinMs: 1_000 });
    toT.send({ type: 'request', requestId: 2, rendition: ref.rendition, sn: ref.sn, offsetBytes: 0, withinMs: 10_000 });
    await bed.clock.advance(50);
    assert.deepEqual(toT.messages('busy').map((m) => m.requestId), [1], 'its copy ends in ~1.8 s: too late for 1 s, in time for 10 s');
    assert.equal(e.engine.stats().uploadRefusals.incoming, 1);
    await bed.clock.settle(load);
    await bed.clock.advance(500);
    const served = toT.received.filter((m) => m.type === 'data' && m.requestId === 2).reduce((n, m) => n + (m.type === 'data' ? m.payload.length : 0), 0);
    assert.equal(served, SIZE, 'the patient requester got the whole segment relayed');
    bed.destroyAll();
  });
});
