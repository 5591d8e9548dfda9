/**
 * The server side of a cluster run: the demo origin, a redis-server started here, and tracker nodes
 * as separate processes (so one can be killed for real), all on loopback ports. Every node is the
 * integrity authority of the live stream with the same key: Ed25519 is deterministic, so they sign
 * identical records.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from '@swarmcast/integrity';
import { startOrigin } from '@swarmcast/origin';
import type { TrackerStats } from '@swarmcast/tracker';
import { startRedis } from '../../../packages/tracker/test/redis-server.js';
import type { RedisServer } from '../../../packages/tracker/test/redis-server.js';
import { startTrackerProcess } from '../../../packages/tracker/test/tracker-process.js';
import type { TrackerProcess } from '../../../packages/tracker/test/tracker-process.js';
import { closeAll } from './close-all.js';
import type { Origin } from './stack.js';
import { WEB_PUBLIC_DIR } from './stack.js';

export { assertRedisInstalled } from '../../../packages/tracker/test/redis-server.js';

export interface ClusterNode {
  readonly nodeId: string;
  readonly process: TrackerProcess;
  /** GET /stats of the node. */
  stats(): Promise<TrackerStats>;
}

export interface ClusterStack {
  readonly origin: Origin;
  readonly redis: RedisServer;
  readonly nodes: readonly ClusterNode[];
  /** Kills what is still running (nodes, Redis), closes the origin, removes the key file; idempotent. */
  close(): Promise<void>;
}

export async function startClusterStack(nodeCount: number): Promise<ClusterStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = (): Promise<void> => closeAll(cleanups.reverse());
  try {
    const origin = await startOrigin({ port: 0, liveSource: 'loop', staticDir: WEB_PUBLIC_DIR });
    cleanups.push(() => origin.close());
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const dir = await mkdtemp(join(tmpdir(), 'swarmcast-cluster-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'signing-key.json');
    const key = generateSigningKey();
    await writeFile(keyFile, JSON.stringify({ keyId: key.keyId, publicKey: key.publicKey, privateKeyPkcs8: key.privateKeyPkcs8 }), { mode: 0o600 });
    const nodes: ClusterNode[] = [];
    for (let i = 1; i <= nodeCount; i++) {
      const nodeId = `node-${i}`;
      const proc = await startTrackerProcess(['--port', '0', '--node-id', nodeId, '--stream', origin.liveMasterUrl, '--key', keyFile], {
        SWARMCAST_TRACKER_REDIS_URL: redis.url,
      });
      cleanups.push(async () => {
        await proc.stop('SIGKILL');
      });
      nodes.push({ nodeId, process: proc, stats: () => fetchStats(proc.httpUrl) });
    }
    let closed: Promise<void> | undefined;
    return { origin, redis, nodes, close: () => (closed ??= close()) };
  } catch (error) {
    await close();
    throw error;
  }
}

async function fetchStats(httpUrl: string): Promise<TrackerStats> {
  const res = await fetch(`${httpUrl}/stats`);
  if (!res.ok) throw new Error(`${httpUrl}/stats answered ${res.status}`);
  return (await res.json()) as TrackerStats;
}
