/** The connection set: glare, limits, bans, refills. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PEER_PROTOCOL_VERSION, encodePeerMessage } from '@swarmcast/protocol';
import { resolveEngineConfig } from '../src/config.ts';
import { PeerPool, type PeerPoolHost } from '../src/peer-pool.ts';
import { segmentKey } from '../src/segment-id.ts';
import { MemoryNetwork } from './support/memory-network.ts';
import { Testbed, sameBytes } from './support/testbed.ts';
import { VirtualClock } from './support/virtual-clock.ts';

/** Pools wired to each other through a direct, 15 ms signaling relay (standing in for the tracker). */
function pools(ids: readonly string[], config = {}): {
  clock: VirtualClock;
  net: MemoryNetwork;
  pool: (id: string) => PeerPool;
  log: string[];
  refills: string[];
  /** The peer rejoined the tracker under a new id (what a tracker restart or fail-over does). */
  rename: (id: string, newId: string) => void;
} {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock, latencyMs: 10 });
  const all = new Map<string, PeerPool>();
  const log: string[] = [];
  const refills: string[] = [];
  const resolved = resolveEngineConfig({ trackerUrl: 'ws://t', swarmId: 's', ...config });
  /** Current tracker id of each pool (by its first id), and the pool answering to each id. */
  const currentId = new Map(ids.map((id) => [id, id]));
  const byId = new Map<string, PeerPool>();
  for (const self of ids) {
    const host: PeerPoolHost = {
      selfId: () => currentId.get(self),
      helloMessage: () => ({ type: 'hello', version: PEER_PROTOCOL_VERSION, peerId: self, uploadKbps: 0 }),
      haveMapMessage: () => ({ type: 'haveMap', entries: [] }),
      lookupSegment: () => undefined,
      sendSignal: (to, data) => {
        const from = currentId.get(self) ?? self;
        clock.setTimeout(() => byId.get(to)?.signal(from, data), 15);
      },
      countBytes: () => undefined,
      countRefusal: () => undefined,
      countExcusedSilence: () => undefined,
      connectOptions: () => ({ trackerIceServers: [] }),
      requestMorePeers: () => refills.push(`${self}@${clock.now()}`),
      peerReady: (peer) => log.push(`${self} ready ${peer.id}`),
      peerClosed: (peer, reason) => log.push(`${self} closed ${peer.id}: ${reason}`),
      pathChanged: (peer, change) => log.push(`${self} ${change} ${peer.id}`),
      availabilityChanged: () => undefined,
      wanted: () => undefined,
    };
    all.set(self, new PeerPool(resolved, clock, net.node(self), host));
    byId.set(self, all.get(self) as PeerPool);
  }
  return {
    clock,
    net,
    log,
    refills,
    rename: (id, newId) => {
      currentId.set(id, newId);
      byId.set(newId, all.get(id) as PeerPool);
    },
    pool: (id) => {
      const p = all.get(id);
      if (!p) throw new Error(id);
      return p;
    },
  };
}

void describe('PeerPool', () => {
  void test('glare: both sides offer at once, one connection survives (the smaller id is the offerer)', async () => {
    const { clock, net, pool, log } = pools(['pa', 'pb']);
    pool('pa').connectTo(['pb']);
    pool('pb').connectTo(['pa']);
    await clock.advance(2_000);
    assert.deepEqual(pool('pa').readyPeers().map((p) => p.id), ['pb']);
    assert.deepEqual(pool('pb').readyPeers().map((p) => p.id), ['pa']);
    assert.equal(net.openLinks().length, 2, 'one connection, two sides');
    assert.equal(pool('pa').readyPeers()[0]?.initiator, true);
    assert.equal(pool('pb').readyPeers()[0]?.initiator, false);
    assert.deepEqual(log.filter((l) => l.includes('closed')), ['pb closed pa: glare: answering instead']);
    await clock.advance(20_000);
    assert.equal(pool('pa').size, 1, 'nothing left to time out');
  });

  void test('holds at most maxPeers connections, offered or answered', async () => {
    const ids = ['p0', 'p1', 'p2', 'p3', 'p4'];
    const { clock, pool } = pools(ids, { maxPeers: 2, minPeers: 1 });
    pool('p0').connectTo(['p1', 'p2', 'p3']);
    pool('p4').connectTo(['p0']);
    await clock.advance(2_000);
    assert.deepEqual(pool('p0').readyPeers().map((p) => p.id), ['p1', 'p2']);
    assert.equal(pool('p0').size, 2);
    assert.equal(pool('p4').readyPeers().length, 0, 'p0 is full: it declines the offer of p4');
    assert.equal(pool('p4').size, 0, 'p4 gave up at once, not at its connect timeout');
  });

  void test('a peer that declined (full) is offered nothing for peerRefillIntervalMs, then again', async () => {
    const { clock, pool, log } = pools(['p0', 'p1', 'p4'], { maxPeers: 1, minPeers: 1, peerRefillIntervalMs: 5_000 });
    pool('p0').connectTo(['p1']);
    await clock.advance(2_000);
    pool('p4').connectTo(['p0']);
    await clock.advance(100);
    assert.equal(pool('p4').size, 0, 'declined');
    // The tracker lists p0 again at once (a refill): no new offer, no new WebRTC setup.
    pool('p4').connectTo(['p0']);
    assert.equal(pool('p4').size, 0, 'p0 is still taken as full');
    await clock.advance(4_800);
    pool('p4').connectTo(['p0']);
    assert.equal(pool('p4').size, 0, 'still within the interval');
    await clock.advance(200);
    pool('p4').connectTo(['p0']);
    assert.equal(pool('p4').size, 1, 'offered again after the interval');
    await clock.advance(100);
    assert.equal(log.filter((l) => l === 'p4 closed p0: declined: peer full').length, 2);
  });

  void test('an offer from a peer already connected replaces the connection (it lost track of us: we rejoined under a new id)', async () => {
    const { clock, net, pool, log, rename } = pools(['pa', 'pb']);
    pool('pa').connectTo(['pb']);
    await clock.advance(2_000);
    assert.deepEqual(pool('pb').readyPeers().map((p) => p.id), ['pa']);
    // pb rejoined the tracker as pb2; pa finds it in a peer list and offers, not knowing it is pb.
    rename('pb', 'pb2');
    pool('pa').connectTo(['pb2']);
    await clock.advance(2_000);
    assert.deepEqual(pool('pb').readyPeers().map((p) => p.id), ['pa'], 'pb: one connection to pa, the new one');
    assert.deepEqual(pool('pa').readyPeers().map((p) => p.id), ['pb2'], 'pa: the old connection closed, the new one open');
    assert.equal(net.openLinks().length, 2, 'one connection, two sides');
    assert.deepEqual(log.filter((l) => l.includes('violation')), [], 'nobody cut off');
    assert.ok(log.includes('pb closed pa: replaced by a new connection it offered'), log.join('; '));
  });

  void test('a connection that never opens is dropped after connectTimeoutMs', async () => {
    const { clock, pool, log } = pools(['pa'], { connectTimeoutMs: 3_000 });
    pool('pa').connectTo(['ghost']);
    await clock.advance(2_999);
    assert.equal(pool('pa').size, 1);
    await clock.advance(1);
    assert.equal(pool('pa').size, 0);
    assert.deepEqual(log, ['pa closed ghost: connect timeout']);
    assert.equal(clock.pendingTimers(), 0);
  });

  void test('a peer our offer never reached is not offered again for failedConnectRetryMs, doubling; other peers are looked for at once', async () => {
    const { clock, pool, refills } = pools(['pa', 'pb'], { connectTimeoutMs: 3_000, failedConnectRetryMs: 10_000, peerRefillIntervalMs: 5_000 });
    pool('pa').maybeRefill();
    pool('pa').connectTo(['ghost']);
    await clock.advance(3_000);
    assert.equal(pool('pa').size, 0);
    pool('pa').maybeRefill();
    assert.deepEqual(refills, ['pa@0', 'pa@3000'], 'the failure asked for peers at once, inside the refill interval');
    // The tracker lists it again: skipped until the backoff ends; others are offered.
    pool('pa').connectTo(['ghost', 'pb']);
    assert.equal(pool('pa').size, 1);
    await clock.advance(9_999);
    assert.deepEqual(pool('pa').readyPeers().map((p) => p.id), ['pb']);
    pool('pa').connectTo(['ghost']);
    assert.equal(pool('pa').size, 1, 'still backing off');
    await clock.advance(1);
    pool('pa').connectTo(['ghost']);
    assert.equal(pool('pa').size, 2, 'offered again after failedConnectRetryMs');
    // A second failure: twice as long.
    await clock.advance(3_000);
    pool('pa').connectTo(['ghost']);
    await clock.advance(19_999);
    pool('pa').connectTo(['ghost']);
    assert.equal(pool('pa').size, 1);
    await clock.advance(1);
    pool('pa').connectTo(['ghost']);
    assert.equal(pool('pa').size, 2);
  });

  void test('a connection that opens clears its failures; failedConnectRetryMs 0 offers again at once; glare and declines are not failures', async () => {
    const { clock, pool } = pools(['pa', 'pb'], { connectTimeoutMs: 3_000, failedConnectRetryMs: 0 });
    pool('pa').connectTo(['ghost']);
    await clock.advance(3_000);
    pool('pa').connectTo(['ghost']);
    assert.equal(pool('pa').size, 1, 'no backoff with failedConnectRetryMs 0');
    const backoff = pools(['pa', 'pb'], { failedConnectRetryMs: 10_000 });
    backoff.pool('pa').connectTo(['pb']);
    backoff.pool('pb').connectTo(['pa']);
    await backoff.clock.advance(2_000);
    assert.deepEqual(backoff.pool('pb').readyPeers().map((p) => p.id), ['pa']);
    // pb's own offer lost the glare, and the open connection then closes: neither is a failed connect.
    backoff.pool('pa').destroy();
    await backoff.clock.advance(100);
    assert.equal(backoff.pool('pb').size, 0);
    backoff.pool('pb').connectTo(['pa']);
    assert.equal(backoff.pool('pb').size, 1, 'pb offers to pa again at once');
  });

  void test('asks for more peers below minPeers, at most once per refill interval', async () => {
    const { clock, pool, refills } = pools(['pa'], { minPeers: 2, peerRefillIntervalMs: 5_000 });
    pool('pa').maybeRefill();
    pool('pa').maybeRefill();
    await clock.advance(4_999);
    pool('pa').maybeRefill();
    await clock.advance(1);
    pool('pa').maybeRefill();
    assert.deepEqual(refills, ['pa@0', 'pa@5000']);
  });

  void test('an announcement is encoded once: every link gets the same bytes, those of encodePeerMessage, and holders are counted', async () => {
    const { clock, net, pool } = pools(['pa', 'pb', 'pc']);
    pool('pa').connectTo(['pb', 'pc']);
    await clock.advance(2_000);
    const links = net.node('pa').openLinks();
    assert.equal(links.length, 2);
    const sent: Uint8Array[] = [];
    for (const link of links) {
      const send = link.send.bind(link);
      link.send = (bytes) => {
        sent.push(bytes);
        send(bytes);
      };
    }
    const msg = { type: 'have', rendition: 'r1.p0', sn: 5, sizeBytes: 1000 } as const;
    pool('pa').announce(msg, segmentKey(msg));
    assert.equal(sent.length, 2);
    assert.equal(sent[0], sent[1], 'one buffer for every link');
    assert.deepEqual(Array.from(sent[0] ?? []), Array.from(encodePeerMessage(msg)));
    await clock.advance(100);
    for (const id of ['pb', 'pc']) {
      assert.equal(pool(id).holdersOf(segmentKey(msg)), 1, id);
      assert.equal(pool(id).holdersOf(segmentKey({ rendition: 'r1.p0', sn: 6 })), 0, id);
      assert.equal(pool(id).readyPeers()[0]?.stateOfKey(segmentKey(msg)), 'have', id);
    }
    pool('pa').withdraw(msg);
    await clock.advance(100);
    assert.equal(pool('pb').holdersOf(segmentKey(msg)), 0);
  });

  void test('a peer that announced a segment is not told we have it, nor that we lost it; the others are told both', async () => {
    const { clock, net, pool } = pools(['pa', 'pb', 'pc']);
    pool('pa').connectTo(['pb', 'pc']);
    await clock.advance(2_000);
    const ref = { rendition: 'r1.p0', sn: 7 };
    const key = segmentKey(ref);
    // pb announces the segment to pa first.
    pool('pb').announce({ type: 'have', ...ref, sizeBytes: 1000 }, key);
    await clock.advance(100);
    const sentTo = new Map<string, number>();
    for (const link of net.node('pa').openLinks()) {
      const send = link.send.bind(link);
      link.send = (bytes) => {
        sentTo.set(link.remoteNode ?? '?', (sentTo.get(link.remoteNode ?? '?') ?? 0) + 1);
        send(bytes);
      };
    }
    pool('pa').announce({ type: 'receiving', ...ref }, key);
    pool('pa').announce({ type: 'have', ...ref, sizeBytes: 1000 }, key);
    pool('pa').withdraw(ref);
    pool('pa').withdraw(ref);
    assert.deepEqual([...sentTo].sort(), [['pc', 3]], 'pc: receiving, have, one lost; pb: nothing');
    await clock.advance(100);
    assert.equal(pool('pc').holdersOf(key), 0, 'pc saw the lost');
  });
});

void describe('a link that fails inside send()', () => {
  void test('the uploader survives the re-entrant close, the downloader falls back, nothing throws', async () => {
    const bed = new Testbed({ seed: 'send-fails', bandwidthBytesPerSec: 500_000, lowWaterBytes: 16 * 1024 });
    const e = bed.addEngine('E', { sendHighWaterBytes: 64 * 1024 });
    const f = bed.addEngine('F');
    await bed.connectAll();
    const ref = { rendition: 'v0', sn: 1 };
    const seg = bed.publish(ref, 400_000);
    await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_000)));
    await bed.clock.advance(100);
    const loading = f.engine.loadSegment(bed.request(ref, 10_000));
    await bed.clock.advance(150);
    const link = e.node.linkToPeer(bed.idOf('F'));
    assert.ok(link && link.bytesSent > 0, 'the upload is under way');
    link.failOnSend = 'send failed: OperationError';
    const got = await bed.clock.settle(loading);
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.ok(e.disconnects.some((d) => d.reason === 'link closed: send failed: OperationError'), JSON.stringify(e.disconnects));
    assert.deepEqual(e.errors, []);
    assert.equal(f.http.log[0]?.range?.startBytes, f.engine.stats().p2pBytes, 'F resumed over HTTP where E stopped');
    bed.destroyAll();
  });
});
