import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { ID_PATTERN, TRACKER_PROTOCOL_VERSION } from '@swarmcast/protocol';
import { WebSocket } from 'ws';
import { startTracker } from '../src/index.js';
import type { TrackerConfig, TrackerServer } from '../src/index.js';
import { CANDIDATE, OFFER, connect, eventually, joined } from './test-client.js';

async function start(t: TestContext, config: Partial<TrackerConfig> = {}): Promise<TrackerServer> {
  const tracker = await startTracker({ port: 0, ...config });
  t.after(() => tracker.close());
  return tracker;
}

void describe('tracker: peers and signaling', () => {
  void test('welcome carries a server-made id, the protocol and the heartbeat', async (t) => {
    const tracker = await start(t, { heartbeatIntervalMs: 1234, heartbeatTimeoutMs: 5000 });
    assert.match(tracker.url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(tracker.httpUrl, `http://127.0.0.1:${tracker.port}`);
    const a = await connect(t, tracker.url);
    const b = await connect(t, `${tracker.url}any/path?x=1`);
    assert.match(a.peerId, ID_PATTERN);
    assert.equal(a.peerId.length, 16);
    assert.notEqual(a.peerId, b.peerId);
    a.send({ type: 'ping' });
    assert.deepEqual(await a.next(), { type: 'pong' });

    // The welcome message itself, with nothing more than the protocol allows.
    const raw = await connectRawWelcome(t, tracker.url);
    assert.deepEqual(Object.keys(raw).sort(), ['heartbeatMs', 'peerId', 'protocol', 'summaryIntervalMs', 'type']);
    assert.equal(raw.protocol, TRACKER_PROTOCOL_VERSION);
    assert.equal(raw.heartbeatMs, 1234);
  });

  void test('join lists the other members; peers gives a fresh sample; repeated join replies again', async (t) => {
    const tracker = await start(t);
    const a = await connect(t, tracker.url);
    a.join('live/1');
    assert.deepEqual(await a.expect('joined'), { type: 'joined', swarm: 'live/1', peers: [] });
    const b = await connect(t, tracker.url);
    b.join('live/1');
    assert.deepEqual(await b.expect('joined'), { type: 'joined', swarm: 'live/1', peers: [a.peerId] });
    a.send({ type: 'peers', swarm: 'live/1' });
    assert.deepEqual(await a.expect('peers'), { type: 'peers', swarm: 'live/1', peers: [b.peerId] });
    b.join('live/1');
    assert.deepEqual((await b.expect('joined')).peers, [a.peerId]);
    assert.equal(tracker.stats().swarmsDetail['live/1']?.peers, 2);
  });

  void test('peer lists are capped at maxPeersInList and never include the asker', async (t) => {
    const tracker = await start(t, { maxPeersInList: 3 });
    const clients = [];
    for (let i = 0; i < 6; i++) clients.push(await joined(t, tracker.url, 's'));
    const last = await connect(t, tracker.url);
    last.join('s');
    const { peers } = await last.expect('joined');
    assert.equal(peers.length, 3);
    assert.equal(new Set(peers).size, 3);
    assert.ok(!peers.includes(last.peerId));
    const ids = new Set(clients.map((c) => c.peerId));
    for (const id of peers) assert.ok(ids.has(id));
  });

  void test('signal is relayed both ways with from = the real sender', async (t) => {
    const tracker = await start(t);
    const a = await joined(t, tracker.url, 'live');
    const b = await joined(t, tracker.url, 'live');
    a.send({ type: 'signal', swarm: 'live', to: b.peerId, data: OFFER });
    assert.deepEqual(await b.expect('signal'), { type: 'signal', swarm: 'live', from: a.peerId, data: OFFER });
    b.send({ type: 'signal', swarm: 'live', to: a.peerId, data: CANDIDATE });
    assert.deepEqual(await a.expect('signal'), { type: 'signal', swarm: 'live', from: b.peerId, data: CANDIDATE });
    assert.equal(tracker.stats().signalsRelayed, 2);
  });

  void test('a signal to a peer of another swarm, or to oneself, is dropped without closing the sender', async (t) => {
    const tracker = await start(t);
    const a = await joined(t, tracker.url, 'one');
    const other = await joined(t, tracker.url, 'two');
    a.send({ type: 'signal', swarm: 'one', to: other.peerId, data: OFFER });
    a.send({ type: 'signal', swarm: 'one', to: a.peerId, data: OFFER });
    await a.roundTrip();
    // Had the signal been relayed, it would have been queued to `other` before this pong.
    await other.roundTrip();
    const stats = tracker.stats();
    assert.equal(stats.rejects['SIGNAL_UNKNOWN_PEER'], 2);
    assert.equal(stats.signalsRelayed, 0);
  });

  void test('leave removes the peer and drops the empty swarm; close removes it from every swarm', async (t) => {
    const tracker = await start(t);
    const a = await joined(t, tracker.url, 'x');
    const b = await joined(t, tracker.url, 'x');
    b.join('y');
    await b.expect('joined');
    assert.deepEqual(tracker.stats().swarmsDetail, { x: { peers: 2 }, y: { peers: 1 } });
    b.send({ type: 'leave', swarm: 'y' });
    await b.roundTrip();
    assert.deepEqual(tracker.stats().swarmsDetail, { x: { peers: 2 } });
    a.send({ type: 'peers', swarm: 'x' });
    assert.deepEqual((await a.expect('peers')).peers, [b.peerId]);
    b.send({ type: 'leave', swarm: 'x' });
    await b.roundTrip();
    a.send({ type: 'peers', swarm: 'x' });
    assert.deepEqual((await a.expect('peers')).peers, []);
    b.join('x');
    await b.expect('joined');
    await b.close();
    await eventually(() => tracker.stats().connections === 1, 'the tracker to see the close');
    a.send({ type: 'peers', swarm: 'x' });
    assert.deepEqual((await a.expect('peers')).peers, []);
    const stats = tracker.stats();
    assert.equal(stats.connections, 1);
    assert.equal(stats.peers, 1);
    assert.deepEqual(stats.swarmsDetail, { x: { peers: 1 } });
  });

  void test('stats and health reflect connections, swarms and counters', async (t) => {
    const tracker = await start(t);
    const a = await joined(t, tracker.url, 'm');
    const b = await joined(t, tracker.url, 'm');
    b.join('n');
    await b.expect('joined');
    a.send({ type: 'signal', swarm: 'm', to: b.peerId, data: OFFER });
    await b.expect('signal');

    const health = await fetch(`${tracker.httpUrl}/health`);
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await health.json(), { status: 'ok', connections: 2, swarms: 2 });

    const res = await fetch(`${tracker.httpUrl}/stats?pretty=0`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await res.json(), {
      connections: 2,
      swarms: 2,
      peers: 3,
      messagesIn: 4,
      signalsRelayed: 1,
      rejects: {},
      swarmsDetail: { m: { peers: 2 }, n: { peers: 1 } },
      integrity: null,
      cluster: null,
    });
    assert.deepEqual(tracker.stats(), await (await fetch(`${tracker.httpUrl}/stats`)).json());

    // Alone (no cluster), a listening tracker is ready.
    const ready = await fetch(`${tracker.httpUrl}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', ready: true });

    const missing = await fetch(`${tracker.httpUrl}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('access-control-allow-origin'), '*');
    await missing.body?.cancel();
    const favicon = await fetch(`${tracker.httpUrl}/favicon.ico`);
    assert.equal(favicon.status, 204);
    const post = await fetch(`${tracker.httpUrl}/stats`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  });
});

/** Reads the first frame of a fresh connection as raw JSON. */
async function connectRawWelcome(t: TestContext, url: string): Promise<Record<string, unknown>> {
  const socket = new WebSocket(url);
  const closed = new Promise((resolve) => socket.once('close', resolve));
  t.after(async () => {
    socket.close();
    await closed;
  });
  return new Promise((resolve) => {
    socket.once('message', (data) => {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- text frames arrive as a Buffer
      resolve(JSON.parse(data.toString()) as Record<string, unknown>);
    });
  });
}
