/**
 * The tracker's ICE servers (welcome.iceServers, TURN credentials minted per peer) reach the
 * connector for every new connection; a connector that cannot connect with them (privacy mode and
 * no TURN server) keeps the engine out of the swarm, HTTP only.
 */
import { nodeCrypto } from './support/node-crypto.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IceServer } from '@swarmcast/protocol';
import { Engine, EngineError, type ConnectOptions, type PeerConnector } from '../src/index.ts';
import { MemoryHttp } from './support/memory-http.ts';
import type { MemoryNode } from './support/memory-network.ts';
import { TEST_SWARM, TEST_TRACKER_URL, Testbed, type TestEngine } from './support/testbed.ts';

/** A memory-network connector that records the options of each connect() and may refuse. */
interface RecordingConnector extends PeerConnector {
  readonly seen: { remotePeerId: string; initiator: boolean; options: ConnectOptions }[];
  readonly asked: ConnectOptions[];
}

function recordingConnector(node: MemoryNode, refuse?: (options: ConnectOptions) => string | undefined): RecordingConnector {
  const seen: RecordingConnector['seen'] = [];
  const asked: ConnectOptions[] = [];
  return {
    seen,
    asked,
    connect(remotePeerId, initiator, events, options) {
      seen.push({ remotePeerId, initiator, options });
      return node.connect(remotePeerId, initiator, events);
    },
    refusal(options) {
      asked.push(options);
      return refuse?.(options);
    },
  };
}

/** Adds an engine to the testbed with its own connector (Testbed.addEngine hands the bare node). */
function addEngine(bed: Testbed, name: string, connector: (node: MemoryNode) => PeerConnector): TestEngine {
  const clockOwner = `engine:${name}`;
  const node = bed.network.node(name);
  const http = new MemoryHttp({ clock: bed.clock.view(`http:${name}`), resources: bed.resources, latencyMs: 50 });
  const engine = new Engine(
    { trackerUrl: TEST_TRACKER_URL, swarmId: TEST_SWARM, integrity: 'off', maxJoinDelayMs: 0 },
    { clock: bed.clock.view(clockOwner), http, connector: connector(node), trackerSocket: bed.tracker.socketFactory, random: bed.random.fork(name), crypto: nodeCrypto },
  );
  const entry: TestEngine = { name, engine, http, node, clockOwner, disconnects: [], errors: [] };
  engine.on('error', (e) => entry.errors.push(e.error));
  engine.start();
  bed.engines.set(name, entry);
  return entry;
}

const TURN: IceServer = { urls: ['turn:turn.test:3478?transport=udp'], username: '1700000000:p', credential: 'c3VwZXI=' };

void describe('ICE servers from the tracker', () => {
  void test('reach the connector for every connection, offerer and answerer alike; a reconnect brings fresh ones', async () => {
    const bed = new Testbed({ seed: 'ice' });
    bed.tracker.iceServers = [TURN];
    const connectors = new Map<string, RecordingConnector>();
    for (const name of ['A', 'B']) {
      addEngine(bed, name, (node) => {
        const c = recordingConnector(node);
        connectors.set(name, c);
        return c;
      });
    }
    await bed.connectAll();
    const a = connectors.get('A');
    const b = connectors.get('B');
    assert.ok(a && b);
    assert.equal(a.seen.length + b.seen.length, 2, 'one connection, one side each');
    assert.deepEqual(new Set([...a.seen, ...b.seen].map((s) => s.initiator)), new Set([true, false]));
    for (const s of [...a.seen, ...b.seen]) assert.deepEqual(s.options, { trackerIceServers: [TURN] });
    assert.deepEqual(a.asked, [{ trackerIceServers: [TURN] }], 'refusal() asked once per welcome');

    // A tracker reconnect brings new credentials: the next connection uses them.
    const fresh: IceServer = { ...TURN, username: '1700003600:q', credential: 'bmV3' };
    bed.tracker.iceServers = [fresh];
    bed.tracker.kick(bed.idOf('A'), 'restart');
    bed.tracker.kick(bed.idOf('B'), 'restart');
    bed.get('A').node.disconnect('restart');
    await bed.clock.advance(40_000);
    await bed.connectAll();
    const last = [...a.seen, ...b.seen].at(-1);
    assert.deepEqual(last?.options, { trackerIceServers: [fresh] });
    assert.deepEqual(a.asked.at(-1), { trackerIceServers: [fresh] });
    assert.deepEqual(bed.get('A').errors, []);
    bed.destroyAll();
  });

  void test('a tracker without iceServers: connections get an empty list', async () => {
    const bed = new Testbed({ seed: 'no-ice' });
    const seen: ConnectOptions[] = [];
    for (const name of ['A', 'B']) {
      addEngine(bed, name, (node) => ({
        connect(remotePeerId, initiator, events, options) {
          seen.push(options);
          return node.connect(remotePeerId, initiator, events);
        },
      }));
    }
    await bed.connectAll();
    assert.deepEqual(seen, [{ trackerIceServers: [] }, { trackerIceServers: [] }]);
    bed.destroyAll();
  });

  void test('a connector that refuses: the engine stays out of the swarm for good, says why once, and plays over HTTP', async () => {
    const bed = new Testbed({ seed: 'refused' });
    const needTurn = (o: ConnectOptions): string | undefined =>
      o.trackerIceServers.some((s) => s.urls.some((u) => u.startsWith('turn'))) ? undefined : 'privacy mode needs a TURN server';
    const other = addEngine(bed, 'O', (node) => node);
    const connectors: RecordingConnector[] = [];
    const priv = addEngine(bed, 'P', (node) => {
      const c = recordingConnector(node, needTurn);
      connectors.push(c);
      return c;
    });
    const disconnects: string[] = [];
    priv.engine.on('tracker-disconnected', (e) => disconnects.push(e.reason));
    await bed.clock.advance(2_000);

    assert.equal(priv.engine.peerId, undefined);
    assert.deepEqual(bed.tracker.members(TEST_SWARM), [other.engine.peerId], 'only O joined');
    assert.equal(bed.tracker.connectionCount, 1, "P's tracker socket is closed");
    assert.equal(priv.errors.length, 1);
    const error = priv.errors[0];
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, 'P2P_REFUSED');
    assert.match(error.message, /privacy mode needs a TURN server/);
    assert.deepEqual(disconnects, ['P2P refused: no usable ICE servers']);

    // No reconnect, no refill, no connection, ever; segments come over HTTP.
    await bed.clock.advance(120_000);
    assert.equal(connectors[0]?.asked.length, 1);
    assert.deepEqual(connectors[0].seen, []);
    assert.equal(bed.clock.pendingTimers(priv.clockOwner), 0, JSON.stringify(bed.clock.pendingByOwner()));
    const ref = { rendition: 'v0', sn: 1 };
    const { bytes } = bed.publish(ref, 40_000);
    const loaded = await bed.clock.settle(priv.engine.loadSegment(bed.request(ref, 5_000)));
    assert.equal(loaded.source, 'http');
    assert.deepEqual(loaded.bytes, bytes);
    assert.equal(priv.engine.stats().p2pBytes, 0);
    assert.equal(priv.errors.length, 1);
    bed.destroyAll();
    await bed.clock.advance(1_000);
    assert.equal(bed.clock.pendingTimers(), 0, JSON.stringify(bed.clock.pendingByOwner()));
  });

  void test('the same connector with a TURN server from the tracker joins and connects', async () => {
    const bed = new Testbed({ seed: 'accepted' });
    bed.tracker.iceServers = [TURN];
    const needTurn = (o: ConnectOptions): string | undefined => (o.trackerIceServers.length > 0 ? undefined : 'no TURN');
    addEngine(bed, 'A', (node) => recordingConnector(node, needTurn));
    addEngine(bed, 'B', (node) => recordingConnector(node, needTurn));
    await bed.connectAll();
    assert.equal(bed.tracker.members(TEST_SWARM).length, 2);
    assert.deepEqual(bed.get('A').errors, []);
    bed.destroyAll();
  });
});
