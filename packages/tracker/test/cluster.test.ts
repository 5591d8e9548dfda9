import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadSigningKey, signRecord, verifyRecord } from '@swarmcast/integrity';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { resolveTrackerConfig } from '../src/index.js';
import type { TrackerConfig } from '../src/index.js';
import { TEST_BEAT_MS, TEST_TTL_MS, clusterOptions, node, peersOf, redisFor, waitFor, waitReady } from './cluster-support.js';
import { newKey, recordsUntil } from './integrity-support.js';
import { CANDIDATE, OFFER, joined } from './test-client.js';
import { startTrackerProcess } from './tracker-process.js';

const SWARM = 'http://origin.example/live/master.m3u8';
const SECRET = 'correct-horse-battery-staple';

function clusterOptionsCheck(cluster: Record<string, unknown>): TrackerConfig {
  return resolveTrackerConfig({ cluster: cluster as unknown as TrackerConfig['cluster'] });
}

void describe('cluster over Redis', () => {
  void test('peers on different nodes see each other and exchange signals; records published on one node reach the others', async (t) => {
    const redis = await redisFor(t);
    const key = newKey();
    const integrity = { authoritySecret: SECRET, authorityPublicKeys: [{ keyId: key.keyId, publicKey: key.publicKey }] };
    const a = await node(t, redis.url, 'node-a', integrity);
    const b = await node(t, redis.url, 'node-b', integrity);
    const c = await node(t, redis.url, 'node-c', integrity);

    const a1 = await joined(t, a.url, SWARM);
    const b1 = await joined(t, b.url, SWARM);
    b1.join(SWARM);
    assert.deepEqual((await b1.expect('joined')).peers, [a1.peerId], 'a joiner on b is offered the member on a');
    const c1 = await joined(t, c.url, SWARM);
    assert.deepEqual(await peersOf(a1, SWARM), [b1.peerId, c1.peerId].sort(), 'peer lists draw from every node');
    assert.deepEqual(await peersOf(c1, SWARM), [a1.peerId, b1.peerId].sort());

    a1.send({ type: 'signal', swarm: SWARM, to: b1.peerId, data: OFFER });
    assert.deepEqual(await b1.skipTo('signal'), { type: 'signal', swarm: SWARM, from: a1.peerId, data: OFFER });
    b1.send({ type: 'signal', swarm: SWARM, to: a1.peerId, data: CANDIDATE });
    assert.deepEqual(await a1.skipTo('signal'), { type: 'signal', swarm: SWARM, from: b1.peerId, data: CANDIDATE });
    assert.equal(a.stats().signalsRelayed, 1);
    assert.equal(a.stats().cluster?.signalsSentRemote, 1);
    assert.equal(b.stats().cluster?.signalsDeliveredRemote, 1);
    // Each node counts its own members; the peer lists above cover the cluster.
    assert.equal(a.stats().peers, 1);

    // A signal to nobody is counted as unknown, as on a single tracker, and reaches no one.
    a1.send({ type: 'signal', swarm: SWARM, to: 'AAAAAAAAAAAAAAAA', data: OFFER });
    await waitFor(() => a.stats().rejects['SIGNAL_UNKNOWN_PEER'] === 1, 'the unknown addressee to be counted');

    // A sidecar publishes to node a only; members of b and c get the records, and answer get-records.
    const good = signRecord(SWARM, { rendition: 'r1', sn: 7, sizeBytes: 10, sha256: 'a'.repeat(64) }, loadSigningKey(key.privateKeyPkcs8));
    const forged = signRecord(SWARM, { rendition: 'r1', sn: 8, sizeBytes: 10, sha256: 'b'.repeat(64) }, loadSigningKey(newKey().privateKeyPkcs8));
    const publisher = new WebSocket(`${a.url}authority`, { headers: { Authorization: `Bearer ${SECRET}` } });
    t.after(() => { publisher.terminate(); });
    await new Promise((resolve, reject) => { publisher.once('open', resolve); publisher.once('error', reject); });
    publisher.send(JSON.stringify({ type: 'records', swarm: SWARM, records: [good, { ...forged, keyId: key.keyId }] }));
    for (const member of [a1, b1, c1]) assert.deepEqual(await recordsUntil(member, SWARM, (r) => r.length >= 1), [good]);
    assert.ok(verifyRecord(SWARM, good, key.publicKey));
    b1.send({ type: 'get-records', swarm: SWARM, rendition: 'r1', sns: [7] });
    assert.deepEqual((await b1.skipTo('records')).records, [good]);
  });

  void test('messages from Redis are validated: junk on a node channel is counted and dropped', async (t) => {
    const redis = await redisFor(t);
    const a = await node(t, redis.url, 'node-a');
    const a1 = await joined(t, a.url, SWARM);
    const raw = new Redis(redis.url);
    t.after(() => raw.quit());
    const junk = [
      'not a message',
      `${a1.peerId}\n{"type":"signal"}`,
      `${a1.peerId}\n${JSON.stringify({ type: 'pong' })}`,
      `bad id!\n${JSON.stringify({ type: 'signal', swarm: SWARM, from: 'AAAAAAAAAAAAAAAA', data: OFFER })}`,
      `${a1.peerId}\n${'x'.repeat(100_000)}`,
    ];
    for (const text of junk) await raw.publish('test:to:node-a', text);
    await raw.publish('test:records', 'node-b\n{"type":"records","swarm":"s","records":[{"bad":1}]}');
    await waitFor(() => a.stats().cluster?.invalidMessages === junk.length + 1, 'every junk message to be counted');
    // A valid one still gets through.
    await raw.publish('test:to:node-a', `${a1.peerId}\n${JSON.stringify({ type: 'signal', swarm: SWARM, from: 'AAAAAAAAAAAAAAAA', data: OFFER })}`);
    assert.equal((await a1.skipTo('signal')).from, 'AAAAAAAAAAAAAAAA');
  });

  void test('a node killed abruptly: its members vanish from the others within the member TTL; a node closed gracefully withdraws at once', async (t) => {
    const redis = await redisFor(t);
    const a = await node(t, redis.url, 'node-a');
    const b = await node(t, redis.url, 'node-b');
    const killed = await startTrackerProcess(['--port', '0', '--node-id', 'node-k', '--cluster-member-ttl-ms', String(TEST_TTL_MS), '--cluster-heartbeat-ms', String(TEST_BEAT_MS), '--cluster-key-prefix', 'test:'], {
      SWARMCAST_TRACKER_REDIS_URL: redis.url,
    });
    t.after(() => killed.stop('SIGKILL'));
    await waitReady(killed.httpUrl, true);

    const a1 = await joined(t, a.url, SWARM);
    const b1 = await joined(t, b.url, SWARM);
    const k1 = await joined(t, killed.url, SWARM);
    assert.deepEqual(await peersOf(a1, SWARM), [b1.peerId, k1.peerId].sort());

    assert.equal(await killed.stop('SIGKILL'), null);
    const killedAt = performance.now();
    const goneAfterMs = await waitFor(async () => !(await peersOf(a1, SWARM)).includes(k1.peerId), 'the killed node\'s member to vanish', TEST_TTL_MS + 10_000);
    t.diagnostic(`member of the killed node vanished ${Math.round(performance.now() - killedAt)} ms after the kill (member TTL ${TEST_TTL_MS} ms, heartbeat ${TEST_BEAT_MS} ms; ${Math.round(goneAfterMs)} ms of polling)`);
    assert.deepEqual(await peersOf(a1, SWARM), [b1.peerId]);
    a1.send({ type: 'signal', swarm: SWARM, to: k1.peerId, data: OFFER });
    await waitFor(() => a.stats().rejects['SIGNAL_UNKNOWN_PEER'] === 1, 'a signal to the dead node\'s member to be refused');

    await b.close();
    assert.deepEqual(await peersOf(a1, SWARM), [], 'a gracefully closed node withdraws its members before close() resolves');
  });

  void test('Redis down: nodes keep serving their own peers and report not ready; when it is back they rejoin the cluster, without ghosts', async (t) => {
    const redis = await redisFor(t);
    const a = await node(t, redis.url, 'node-a');
    const b = await node(t, redis.url, 'node-b');
    const a1 = await joined(t, a.url, SWARM);
    const b1 = await joined(t, b.url, SWARM);
    const leaver = await joined(t, a.url, SWARM);
    assert.deepEqual(await peersOf(b1, SWARM), [a1.peerId, leaver.peerId].sort());

    await redis.stop();
    await waitReady(a.httpUrl, false);
    await waitReady(b.httpUrl, false);
    assert.equal(a.stats().cluster?.redisConnected, false);
    // Its leave cannot reach Redis now.
    await leaver.close();
    // Local service goes on: joins, peer lists of local members, local signaling.
    const a2 = await joined(t, a.url, SWARM);
    assert.deepEqual(await peersOf(a2, SWARM), [a1.peerId]);
    a2.send({ type: 'signal', swarm: SWARM, to: a1.peerId, data: OFFER });
    assert.equal((await a1.skipTo('signal')).from, a2.peerId);
    // Other nodes' members are out of reach: counted, not fatal.
    a1.send({ type: 'signal', swarm: SWARM, to: b1.peerId, data: OFFER });
    await waitFor(() => a.stats().rejects['SIGNAL_UNKNOWN_PEER'] === 1, 'the unreachable addressee to be counted');
    assert.ok((a.stats().cluster?.localFallbacks ?? 0) >= 1);

    // An empty Redis on the same port: both nodes reconnect and write their members again.
    const instanceBefore = a.stats().cluster?.instance;
    await redisFor(t, redis.port);
    await waitReady(a.httpUrl, true);
    await waitReady(b.httpUrl, true);
    await waitFor(async () => (await peersOf(b1, SWARM)).length === 2, 'b to see a\'s members again');
    assert.deepEqual(await peersOf(b1, SWARM), [a1.peerId, a2.peerId].sort());
    b1.send({ type: 'signal', swarm: SWARM, to: a2.peerId, data: CANDIDATE });
    assert.deepEqual(await a2.skipTo('signal'), { type: 'signal', swarm: SWARM, from: b1.peerId, data: CANDIDATE });
    assert.notEqual(a.stats().cluster?.instance, instanceBefore, 'a lost writes, so it rewrote its members under a new instance');
  });

  void test('a leave lost while Redis was down leaves no ghost, even when Redis comes back with its old data', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'swarmcast-redis-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const redis = await redisFor(t, undefined, dataDir);
    const a = await node(t, redis.url, 'node-a');
    const b = await node(t, redis.url, 'node-b');
    const a1 = await joined(t, a.url, SWARM);
    const b1 = await joined(t, b.url, SWARM);
    const leaver = await joined(t, a.url, SWARM);
    const admin = new Redis(redis.url);
    await admin.save();
    await admin.quit();

    await redis.stop();
    await waitReady(a.httpUrl, false);
    await leaver.close();
    // Back from the snapshot, which still lists the leaver as a member of node a.
    await redisFor(t, redis.port, dataDir);
    await waitReady(a.httpUrl, true);
    await waitReady(b.httpUrl, true);
    await waitFor(async () => (await peersOf(b1, SWARM)).includes(a1.peerId), 'b to see a1 again');
    assert.deepEqual(await peersOf(b1, SWARM), [a1.peerId]);
  });

  void test('a Redis stall past the command timeout makes writes late, not lost: the node keeps its instance (no rewrite of every member) and its members stay listed', async (t) => {
    const redis = await redisFor(t);
    const a = await node(t, redis.url, 'node-a');
    const b = await node(t, redis.url, 'node-b');
    const a1 = await joined(t, a.url, SWARM);
    const instance = a.stats().cluster?.instance;
    assert.ok(instance !== undefined);
    // Redis stops answering (a stalled machine) but its connections stay up.
    process.kill(redis.pid, 'SIGSTOP');
    let stalled = true;
    t.after(() => { if (stalled) process.kill(redis.pid, 'SIGCONT'); });
    // This member's write is sent now and answered only after the command timeout (2 s).
    const a2 = await joined(t, a.url, SWARM);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    process.kill(redis.pid, 'SIGCONT');
    stalled = false;
    assert.ok((a.stats().cluster?.redisErrors ?? 0) > 0, 'commands timed out during the stall');
    // Two heartbeats later: no new instance, and both members are listed to the other node (the
    // swarm key expired during the stall: the heartbeat saw it gone and wrote the members again).
    await new Promise((resolve) => setTimeout(resolve, 2 * TEST_BEAT_MS + 500));
    assert.equal(a.stats().cluster?.instance, instance, 'a late write is not a lost one');
    const b1 = await joined(t, b.url, SWARM);
    await waitFor(async () => (await peersOf(b1, SWARM)).length === 2, 'b to list both members of a');
    assert.deepEqual(await peersOf(b1, SWARM), [a1.peerId, a2.peerId].sort());
  });

  void test('cluster options are checked', () => {
    assert.throws(() => clusterOptionsCheck({ redisUrl: 'http://x' }), /cluster.redisUrl must be a redis:\/\/ or rediss:\/\/ URL/);
    assert.throws(() => clusterOptionsCheck({ ...clusterOptions('redis://127.0.0.1:1', 'a b') }), /cluster.nodeId must be/);
    assert.throws(() => clusterOptionsCheck({ redisUrl: 'redis://h', memberTtlMs: 3000, nodeHeartbeatMs: 2000 }), /at most a third of cluster.memberTtlMs/);
    assert.throws(() => clusterOptionsCheck({ redisUrl: 'redis://h', extra: 1 }), /cluster: unknown option 'extra'/);
  });
});
