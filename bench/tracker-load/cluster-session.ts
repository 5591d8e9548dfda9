/**
 * Cluster mode's processes: one redis-server, N Swarmcast tracker nodes (each its own process, node
 * id `node-<k>`, its own port) sharing swarms through it, and W load workers whose peers go round
 * robin over the nodes (peer i to node i % N), so every swarm spans the nodes. Nothing is pinned: N
 * trackers, Redis and the workers share the machine's cores. Every child is stopped by PID at the
 * end, on success or failure (and by main.ts's SIGINT handler through liveChildren).
 */
import { readFileSync } from 'node:fs';
import type { LoadReport, ServerSample } from './ipc.js';
import { RedisProcess } from './redis-process.js';
import type { RedisSample } from './redis-process.js';
import { liveChildren, openFileLimit, workerPlans } from './run-load.js';
import type { LoadShape } from './run-load.js';
import { ServerHandle } from './server-handle.js';
import { WorkerHandle } from './worker-handle.js';

/** The load shape plus the number of tracker nodes. */
export interface ClusterShape extends LoadShape {
  readonly nodes: number;
}

/** Descriptors a process needs besides its sockets (stdio, IPC, Redis links, epoll, timers). */
const FD_MARGIN = 100;

/** Throws a clear error when a tracker node or a load worker could not hold its share of sockets. */
export function checkClusterFileLimits(shape: Pick<ClusterShape, 'peers' | 'nodes' | 'workers'>): void {
  const limit = openFileLimit();
  const perNode = Math.ceil(shape.peers / shape.nodes);
  const perWorker = Math.ceil(shape.peers / shape.workers);
  if (perNode + FD_MARGIN > limit) {
    throw new Error(`--peers ${shape.peers} over --nodes ${shape.nodes} is ${perNode} sockets per tracker node, more than its open-file limit ${limit} allows: use --nodes ${Math.ceil(shape.peers / (limit - FD_MARGIN))} or more`);
  }
  if (perWorker + FD_MARGIN > limit) {
    throw new Error(`--peers ${shape.peers} over --workers ${shape.workers} is ${perWorker} sockets per load process, more than its open-file limit ${limit} allows: use --workers ${Math.ceil(shape.peers / (limit - FD_MARGIN))} or more`);
  }
}

/** Busy and total jiffies of the whole machine (every process, ours and others'), from /proc/stat. */
export interface MachineCpu {
  readonly busy: number;
  readonly total: number;
}

export function machineCpu(): MachineCpu {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const n = line.trim().split(/\s+/).slice(1).map(Number);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    // idle + iowait are not busy.
    return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** What one load window collected. */
export interface ClusterWindow {
  readonly reports: LoadReport[];
  readonly start: readonly ServerSample[];
  readonly end: readonly ServerSample[];
  readonly redisStart: RedisSample;
  readonly redisEnd: RedisSample;
  /** Share of all the machine's CPU time that was busy during the window (0..1). */
  readonly machineBusy: number;
}

export class ClusterSession {
  private constructor(
    readonly redis: RedisProcess,
    readonly nodes: readonly ServerHandle[],
    readonly workers: readonly WorkerHandle[],
    readonly peers: number,
    readonly connectFailed: number,
    readonly before: readonly ServerSample[],
    readonly redisBefore: RedisSample,
  ) {}

  static async open(shape: ClusterShape, log: (line: string) => void): Promise<ClusterSession> {
    const redis = await RedisProcess.start();
    liveChildren.add(redis);
    const nodes: ServerHandle[] = [];
    const workers: WorkerHandle[] = [];
    try {
      log(`redis-server pid ${redis.pid} at ${redis.url}`);
      // Started one after the other: each resolves once its Redis links are up.
      for (let k = 0; k < shape.nodes; k++) {
        const node = await ServerHandle.start('swarmcast', undefined, { redisUrl: redis.url, nodeId: `node-${k}` });
        nodes.push(node);
        liveChildren.add(node);
      }
      log(`${shape.nodes} tracker nodes on ports ${nodes.map((n) => n.port).join(', ')} (pids ${nodes.map((n) => n.pid ?? '?').join(', ')})`);
      const before = await Promise.all(nodes.map((n) => n.sample(true)));
      const redisBefore = await redis.sample();
      const plans = workerPlans('swarmcast', nodes.map((n) => n.port), shape);
      for (const _ of plans) {
        const worker = new WorkerHandle(undefined);
        workers.push(worker);
        liveChildren.add(worker);
      }
      const t0 = Date.now();
      const connected = await Promise.all(plans.map((plan, i) => (workers[i] as WorkerHandle).connect(plan)));
      const open = connected.reduce((n, c) => n + c.open, 0);
      const failed = connected.reduce((n, c) => n + c.failed, 0);
      log(`cluster: ${open} peers connected and joined over ${shape.nodes} nodes in ${((Date.now() - t0) / 1000).toFixed(1)} s (${failed} failed)`);
      return new ClusterSession(redis, nodes, workers, open, failed, before, redisBefore);
    } catch (error) {
      await stopAll(redis, nodes, workers);
      throw error;
    }
  }

  /** One load window on every worker; the nodes' and Redis's CPU are sampled at its start and end. */
  async window(durationMs: number): Promise<ClusterWindow> {
    const cpu0 = machineCpu();
    const [start, redisStart] = await Promise.all([Promise.all(this.nodes.map((n) => n.sample(false))), this.redis.sample()]);
    const loads = Promise.all(this.workers.map((w) => w.load(durationMs, 0, true)));
    // Awaited below; this keeps a worker dying meanwhile from being reported as unhandled.
    loads.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const [end, redisEnd] = await Promise.all([Promise.all(this.nodes.map((n) => n.sample(false))), this.redis.sample()]);
    const cpu1 = machineCpu();
    const total = cpu1.total - cpu0.total;
    return { reports: await loads, start, end, redisStart, redisEnd, machineBusy: total > 0 ? (cpu1.busy - cpu0.busy) / total : 0 };
  }

  stop(): Promise<void> {
    return stopAll(this.redis, this.nodes, this.workers);
  }
}

async function stopAll(redis: RedisProcess, nodes: readonly ServerHandle[], workers: readonly WorkerHandle[]): Promise<void> {
  await Promise.allSettled(workers.map((w) => w.stop()));
  // The nodes withdraw their members from Redis as they close: Redis goes last.
  await Promise.allSettled(nodes.map((n) => n.stop()));
  await redis.stop();
  for (const child of [...workers, ...nodes, redis]) liveChildren.delete(child);
}
