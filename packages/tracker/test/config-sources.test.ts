import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TRACKER_SHUTDOWN_CODE } from '@swarmcast/protocol';
import { Redis } from 'ioredis';
import { envName, mergeConfigSources, readConfigFile } from '../src/config-sources.js';
import { resolveTrackerConfig } from '../src/index.js';
import type { TrackerStats } from '../src/index.js';
import { redisFor, waitReady } from './cluster-support.js';
import { TestClient } from './test-client.js';
import { startTrackerProcess } from './tracker-process.js';

void describe('tracker config from file, environment and flags', () => {
  void test('flags win over variables, variables over the file; cluster is merged key by key', () => {
    const file = { port: 1000, maxPeersInList: 5, rateLimitBurst: 50, cluster: { redisUrl: 'redis://file:6379', memberTtlMs: 30_000 } };
    const env = { SWARMCAST_TRACKER_PORT: '2000', SWARMCAST_TRACKER_MAX_PEERS_IN_LIST: '7', SWARMCAST_TRACKER_NODE_ID: 'env-node', TRACKER_HOST: '0.0.0.0' };
    const flags = { port: '3000', 'redis-url': 'redis://flag:6379', 'rate-limit-messages-per-sec': '12.5' };
    const merged = mergeConfigSources(file, env, flags);
    assert.deepEqual(merged, {
      port: 3000,
      host: '0.0.0.0',
      maxPeersInList: 7,
      rateLimitBurst: 50,
      rateLimitMessagesPerSec: 12.5,
      cluster: { redisUrl: 'redis://flag:6379', memberTtlMs: 30_000, nodeId: 'env-node' },
    });
    const config = resolveTrackerConfig(merged);
    assert.equal(config.cluster?.nodeHeartbeatMs, 5_000, 'defaults fill the rest');
    assert.equal(envName('cluster-member-ttl-ms'), 'SWARMCAST_TRACKER_CLUSTER_MEMBER_TTL_MS');
    // The new variable wins over the old one.
    assert.equal(mergeConfigSources(undefined, { TRACKER_PORT: '1', SWARMCAST_TRACKER_PORT: '2' }, {}).port, 2);
  });

  void test('bad values say where they came from; bad merged values fail resolveTrackerConfig', async () => {
    assert.throws(() => mergeConfigSources(undefined, { SWARMCAST_TRACKER_MAX_CONNECTIONS: 'lots' }, { port: '80x' }), {
      message: 'Invalid tracker config: SWARMCAST_TRACKER_MAX_CONNECTIONS must be an integer, got "lots"; --port must be an integer, got "80x"',
    });
    assert.throws(() => resolveTrackerConfig(mergeConfigSources({ nope: 1 }, {}, { 'cluster-member-ttl-ms': '10' })), (error: Error) => {
      assert.match(error.message, /unknown option 'nope'/);
      assert.match(error.message, /cluster.redisUrl must be a redis:\/\//);
      assert.match(error.message, /cluster.memberTtlMs must be an integer from 1000/);
      return true;
    });
    const dir = await mkdtemp(join(tmpdir(), 'swarmcast-config-'));
    try {
      await writeFile(join(dir, 'bad.json'), '{ "port": ');
      await writeFile(join(dir, 'list.json'), '[1]');
      await assert.rejects(readConfigFile(join(dir, 'bad.json')), /config file .*bad\.json is not valid JSON/);
      await assert.rejects(readConfigFile(join(dir, 'list.json')), /must hold a JSON object/);
      await assert.rejects(readConfigFile(join(dir, 'missing.json')), /cannot read config file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void test('main: runs from a config file; SIGTERM tells peers to go elsewhere, leaves Redis and exits 0', async (t) => {
    const redis = await redisFor(t);
    const dir = await mkdtemp(join(tmpdir(), 'swarmcast-config-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'tracker.json');
    await writeFile(file, JSON.stringify({ port: 0, maxPeersInList: 3, cluster: { redisUrl: redis.url, nodeId: 'from-file', keyPrefix: 'test:' } }));
    const tracker = await startTrackerProcess(['--config', file]);
    t.after(() => tracker.stop('SIGKILL'));
    assert.match(tracker.output(), /as cluster node from-file/);
    await waitReady(tracker.httpUrl, true);
    const raw = new Redis(redis.url);
    t.after(() => raw.quit());
    const stats = (await (await fetch(`${tracker.httpUrl}/stats`)).json()) as TrackerStats;
    const instance = stats.cluster?.instance ?? '';
    assert.match(instance, /^from-file:[\w-]{8}$/);
    assert.equal(await raw.exists(`test:node:${instance}`), 1);

    const client = new TestClient(tracker.url);
    t.after(() => client.close());
    await client.open();
    client.peerId = (await client.expect('welcome')).peerId;
    client.join('s');
    await client.expect('joined');
    assert.equal(await raw.hget('test:swarm:s', client.peerId), instance);

    assert.equal(await tracker.stop('SIGTERM'), 0);
    assert.equal((await client.expect('error')).code, TRACKER_SHUTDOWN_CODE);
    assert.deepEqual(await client.closed, { code: 1001, reason: TRACKER_SHUTDOWN_CODE });
    assert.equal(await raw.exists(`test:node:${instance}`), 0, 'the node withdrew its liveness key');
    assert.equal(await raw.hlen('test:swarm:s'), 0, 'and its members');
  });
});
