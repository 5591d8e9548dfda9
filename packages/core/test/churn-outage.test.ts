/**
 * Churn and tracker outages (issue #5): a peer leaving mid-transfer costs one re-request; neighbour
 * sets refill from the tracker; while the tracker is down, peer connections and P2P transfers go
 * on, and every engine re-joins once it is back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testbed, TEST_SWARM, sameBytes } from './support/testbed.ts';

const CHUNK = 16_384;
const SIZE = 100_000;

void describe('churn', () => {
  void test('a peer whose connection closes mid-transfer costs one re-request: the rest comes over HTTP from the received offset, in time', async () => {
    const bed = new Testbed({ seed: 'leave-mid-transfer' });
    const h = bed.addScriptedPeer('H');
    const ref = { rendition: 'v0', sn: 1 };
    const seg = bed.publish(ref, SIZE);
    h.onOpen = (l) => l.greet({ haveMap: [{ ...ref, state: 'have' }] });
    await bed.clock.advance(100);
    const e = bed.addEngine('E');
    await bed.clock.advance(1_000);
    const link = h.linkTo(bed.idOf('E'));
    assert.ok(link?.open);
    // Two chunks, then the peer goes away (tab closed): its connection closes.
    h.onMessage = (msg, l) => {
      if (msg.type !== 'request') return;
      for (let off = 0; off < 2 * CHUNK; off += CHUNK) l.send({ type: 'data', requestId: msg.requestId, offsetBytes: off, totalBytes: SIZE, payload: seg.bytes.subarray(off, off + CHUNK) });
      l.close();
    };
    const request = bed.request(ref, 10_000);
    const got = await bed.clock.settle(e.engine.loadSegment(request));
    assert.ok(bed.clock.now() <= request.deadlineMs, 'before its deadline');
    assert.ok(sameBytes(got.bytes, seg.bytes), 'peer prefix + HTTP rest = the segment');
    assert.equal(e.http.requestCount, 1, 'one re-request');
    assert.equal(e.http.log[0]?.range?.startBytes, 2 * CHUNK);
    assert.equal(e.engine.stats().p2pBytes, 2 * CHUNK);
    assert.equal(e.engine.stats().peerViolations, 0, 'leaving is not a violation');
    bed.destroyAll();
  });

  void test('neighbour sets refill from the tracker after peers leave', async () => {
    const bed = new Testbed({ seed: 'refill', engineConfig: { maxPeers: 3, minPeers: 2, peerRefillIntervalMs: 2_000 } });
    for (const name of ['A', 'B', 'C', 'D']) bed.addEngine(name);
    await bed.connectAll(3);
    // Late joiners find A..D full (declined) and connect among themselves.
    for (const name of ['E', 'F']) bed.addEngine(name);
    await bed.clock.advance(3_000);
    const a = bed.get('A').engine;
    const late = new Set([bed.idOf('E'), bed.idOf('F')]);
    assert.ok(!a.connectedPeerIds().some((id) => late.has(id)), 'A was full when E and F joined');
    const asked = bed.tracker.messageCounts.get('peers') ?? 0;
    bed.removeEngine('B');
    bed.removeEngine('C');
    await bed.clock.advance(5_000);
    assert.ok((bed.tracker.messageCounts.get('peers') ?? 0) > asked, 'A asked the tracker for more peers');
    assert.ok(a.connectedPeerIds().length >= 2, `A has ${a.connectedPeerIds().length} peers`);
    assert.ok(a.connectedPeerIds().some((id) => late.has(id)), 'A refilled with a late joiner');
    bed.destroyAll();
  });
});

void describe('tracker outage', () => {
  void test('peer connections stay up and segments still come from peers while the tracker is down; all re-join when it is back', async () => {
    const bed = new Testbed({ seed: 'outage' });
    for (const name of ['A', 'B', 'C']) bed.addEngine(name);
    await bed.connectAll(2);
    bed.tracker.refuseConnections = true;
    for (const name of ['A', 'B', 'C']) bed.tracker.kick(bed.idOf(name), 'tracker killed');
    await bed.clock.advance(15_000);
    assert.equal(bed.tracker.connectionCount, 0, 'the tracker is down');
    for (const name of ['A', 'B', 'C']) assert.equal(bed.get(name).engine.connectedPeerIds().length, 2, `${name} kept its peers`);
    // A new segment: A fetches it over HTTP (little time left), B and C get it from peers.
    const ref = { rendition: 'v0', sn: 9 };
    const seg = bed.publish(ref, SIZE);
    const first = await bed.clock.settle(bed.get('A').engine.loadSegment(bed.request(ref, 1_000)));
    assert.equal(first.source, 'http');
    await bed.clock.advance(200);
    for (const name of ['B', 'C']) {
      const got = await bed.clock.settle(bed.get(name).engine.loadSegment(bed.request(ref, 10_000)));
      assert.equal(got.source, 'p2p', `${name} got it from a peer during the outage`);
      assert.ok(sameBytes(got.bytes, seg.bytes));
    }
    bed.tracker.refuseConnections = false;
    // Backoff after 15 s down: the next attempt comes within trackerReconnectMaxMs at worst.
    await bed.clock.advance(bed.get('A').engine.config.trackerReconnectMaxMs);
    assert.equal(bed.tracker.members(TEST_SWARM).length, 3, 'every engine re-joined');
    for (const name of ['A', 'B', 'C']) assert.equal(bed.get(name).engine.connectedPeerIds().length, 2, `${name} still has its peers`);
    bed.destroyAll();
  });
});
