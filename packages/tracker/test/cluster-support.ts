/** Shared by the cluster tests: Redis per test, in-process nodes, peer-list and readiness helpers. */
import type { TestContext } from 'node:test';
import { startTracker } from '../src/index.js';
import type { TrackerConfig, TrackerServer } from '../src/index.js';
import { startRedis } from './redis-server.js';
import type { RedisServer } from './redis-server.js';
import type { TestClient } from './test-client.js';

/** Short, so expiry tests run in seconds; the production default is 15 s. */
export const TEST_TTL_MS = 3_000;
export const TEST_BEAT_MS = 1_000;
/** Waits on cluster state are bounded by this (not asserted: a timeout that fails the test). */
export const CLUSTER_WAIT_MS = 15_000;

export async function redisFor(t: TestContext, port?: number, dataDir?: string): Promise<RedisServer> {
  const redis = await startRedis(port, dataDir);
  t.after(() => redis.stop());
  return redis;
}

export function clusterOptions(redisUrl: string, nodeId: string): NonNullable<TrackerConfig['cluster']> {
  return { redisUrl, nodeId, memberTtlMs: TEST_TTL_MS, nodeHeartbeatMs: TEST_BEAT_MS, keyPrefix: 'test:' };
}

/** An in-process node, closed after the test, ready (Redis connected) when it resolves. */
export async function node(t: TestContext, redisUrl: string, nodeId: string, config: Partial<TrackerConfig> = {}): Promise<TrackerServer> {
  const tracker = await startTracker({ port: 0, cluster: clusterOptions(redisUrl, nodeId), ...config });
  t.after(() => tracker.close());
  await waitReady(tracker.httpUrl, true);
  return tracker;
}

/** Polls /ready until it answers `ready` (200) or not (503). */
export async function waitReady(httpUrl: string, ready: boolean): Promise<void> {
  await waitFor(async () => {
    const res = await fetch(`${httpUrl}/ready`).catch(() => undefined);
    await res?.body?.cancel();
    return res !== undefined && (res.status === 200) === ready;
  }, `${httpUrl}/ready to be ${ready ? 200 : 503}`);
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = CLUSTER_WAIT_MS): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - started;
}

/** Asks for a peer list and returns it sorted. */
export async function peersOf(client: TestClient, swarm: string): Promise<string[]> {
  client.send({ type: 'peers', swarm });
  return (await client.skipTo('peers')).peers.sort();
}
