import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LIMITS, TRACKER_SHUTDOWN_CODE } from '@swarmcast/protocol';
import { startTracker } from '../src/index.js';
import { TestClient, connect, eventually, joined, openClient } from './test-client.js';

void describe('tracker: heartbeat, capacity and shutdown', () => {
  void test('a silent client is closed with 4001 HEARTBEAT_TIMEOUT while a pinging one stays', async (t) => {
    // The timeout is 20 ping intervals: the active client (in this process, like the tracker) stays
    // alive through event-loop stalls of a loaded machine well beyond the interval (it failed once
    // at 4 intervals under a load average of 40).
    const tracker = await startTracker({ port: 0, heartbeatIntervalMs: 50, heartbeatTimeoutMs: 1_000 });
    t.after(() => tracker.close());
    const silent = await joined(t, tracker.url, 's');
    const active = await joined(t, tracker.url, 's');
    // The active client follows the advertised interval.
    const pinger = setInterval(() => {
      active.send({ type: 'ping' });
    }, 50);
    t.after(() => {
      clearInterval(pinger);
    });

    const error = await silent.expect('error');
    assert.equal(error.code, 'HEARTBEAT_TIMEOUT');
    assert.deepEqual(await silent.closed, { code: 4001, reason: 'HEARTBEAT_TIMEOUT' });
    clearInterval(pinger);
    await active.skipTo('pong');
    active.send({ type: 'peers', swarm: 's' });
    assert.deepEqual((await active.skipTo('peers')).peers, []);
    assert.equal(tracker.stats().rejects['HEARTBEAT_TIMEOUT'], 1);
    assert.deepEqual(tracker.stats().swarmsDetail, { s: { peers: 1 } });
  });

  void test('beyond maxConnections new sockets are closed with 1013 TRACKER_FULL, and slots free on close', async (t) => {
    const tracker = await startTracker({ port: 0, maxConnections: 2 });
    t.after(() => tracker.close());
    const a = await connect(t, tracker.url);
    await connect(t, tracker.url);
    const refused = await openClient(t, tracker.url);
    assert.deepEqual(await refused.closed, { code: 1013, reason: 'TRACKER_FULL' });
    await a.close();
    // The slot frees once the tracker sees the close, which no message reports.
    await eventually(() => tracker.stats().connections === 1, 'the tracker to see the close');
    await connect(t, tracker.url);
    assert.equal(tracker.stats().connections, 2);
    assert.ok((tracker.stats().rejects['TRACKER_FULL'] ?? 0) >= 1);
  });

  void test('beyond maxConnectionsPerIp new sockets from that address are refused', async (t) => {
    const tracker = await startTracker({ port: 0, maxConnectionsPerIp: 1 });
    t.after(() => tracker.close());
    await connect(t, tracker.url);
    const refused = await openClient(t, tracker.url);
    assert.deepEqual(await refused.closed, { code: 1013, reason: 'TRACKER_FULL' });
    assert.deepEqual(tracker.stats().rejects, { TRACKER_FULL: 1 });
  });

  void test('close() closes clients with 1001, is idempotent, and stops listening', async () => {
    const tracker = await startTracker({ port: 0 });
    const client = new TestClient(tracker.url);
    await client.open();
    await client.expect('welcome');
    client.join('z');
    await client.expect('joined');
    const first = tracker.close();
    assert.equal(tracker.close(), first);
    await first;
    // Told why first, so the client reconnects elsewhere at once instead of backing off.
    const told = await client.expect('error');
    assert.equal(told.code, TRACKER_SHUTDOWN_CODE);
    assert.deepEqual(await client.closed, { code: 1001, reason: 'TRACKER_SHUTDOWN' });
    await tracker.close();
    const late = new TestClient(tracker.url);
    await assert.rejects(late.open());
    await late.closed;
    const stats = tracker.stats();
    assert.equal(stats.connections, 0);
    assert.equal(stats.swarms, 0);
  });

  void test('a client that ignores the close handshake is cut off, so close() still ends', async () => {
    const tracker = await startTracker({ port: 0 });
    const client = new TestClient(tracker.url);
    await client.open();
    await client.expect('welcome');
    // Stop reading: the closing handshake never completes from this side.
    client.socket.pause();
    const started = Date.now();
    await tracker.close();
    assert.ok(Date.now() - started < 5_000);
    client.socket.terminate();
    await client.closed;
  });

  void test('startTracker rejects with a clear error when the port is taken', async (t) => {
    const tracker = await startTracker({ port: 0 });
    t.after(() => tracker.close());
    await assert.rejects(startTracker({ port: tracker.port }), /Tracker could not listen on 127\.0\.0\.1:\d+/);
  });

  void test('a peer that stops reading is dropped once its send buffer overflows; the sender is unharmed', async (t) => {
    const tracker = await startTracker({ port: 0, rateLimitBurst: 5_000 });
    t.after(() => tracker.close());
    const sender = await joined(t, tracker.url, 'w');
    const stuck = await joined(t, tracker.url, 'w');
    stuck.socket.pause();
    const big = { kind: 'description', sdpType: 'offer', sdp: 'x'.repeat(LIMITS.maxSdpLength) } as const;
    // Far more than the socket buffers and MAX_SEND_BUFFER_BYTES together; stops once the tracker gives up.
    for (let i = 0; i < 2_000 && tracker.stats().rejects['SEND_BUFFER_FULL'] === undefined; i++) {
      sender.send({ type: 'signal', swarm: 'w', to: stuck.peerId, data: big });
      if (i % 50 === 49) await sender.roundTrip();
    }
    assert.equal(tracker.stats().rejects['SEND_BUFFER_FULL'], 1);
    assert.deepEqual(tracker.stats().swarmsDetail, { w: { peers: 1 } });
    await sender.roundTrip();
    stuck.socket.resume();
    await stuck.closed;
  });
});
