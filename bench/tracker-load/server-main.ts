/**
 * The tracker under test, alone in its own process (so its CPU and memory are its own): Swarmcast's
 * tracker or bittorrent-tracker's WebSocket server, on 127.0.0.1 port 0. Controlled over IPC by
 * server-handle.ts; exits when told, or when the parent goes away.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { startTracker } from '@swarmcast/tracker';
import type { TrackerServer } from '@swarmcast/tracker';
import { Server } from 'bittorrent-tracker';
import type { ClusterCounters, ServerCommand, ServerReport, TrackerKind } from './ipc.js';

interface Running {
  readonly port: number;
  connections(): number | null;
  errors(): Record<string, number>;
  signalsRelayed(): number | null;
  cluster(): ClusterCounters | null;
  close(): Promise<void>;
}

/** A cluster node waits this long for its Redis links before it gives up starting. */
const REDIS_READY_TIMEOUT_MS = 20_000;

const kindArg = process.argv[2];
// Cluster mode (Swarmcast only): `--redis-url URL --node-id ID` after the kind.
const { values: clusterArgs } = parseArgs({ args: process.argv.slice(3), options: { 'redis-url': { type: 'string' }, 'node-id': { type: 'string' } }, strict: true });
if (kindArg !== 'swarmcast' && kindArg !== 'bittorrent-tracker') throw new Error(`unknown tracker kind ${String(kindArg)}`);
const kind: TrackerKind = kindArg;
if (process.send === undefined) throw new Error('server-main.ts runs as a child with an IPC channel');
const send = (msg: ServerReport): void => {
  process.send?.(msg);
};

// How long ready work waits in the tracker: the tracker's share of relay latency.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const running = kind === 'swarmcast' ? await startSwarmcast() : await startBittorrentTracker();
send({ type: 'ready', port: running.port });

process.on('message', (raw: ServerCommand) => {
  if (raw.type === 'sample') send(sample(raw.gc));
  else void shutdown();
});
// The parent died or closed the channel: do not linger.
process.on('disconnect', () => void shutdown());

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  const force = setTimeout(() => process.exit(0), 3_000);
  loopDelay.disable();
  await running.close().catch(() => undefined);
  clearTimeout(force);
  process.exit(0);
}

function sample(gc: boolean): ServerReport {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect !== undefined) {
    collect();
    collect();
  }
  const delay = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
  loopDelay.reset();
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    type: 'sample',
    atMs: performance.timeOrigin + performance.now(),
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    heapSpaceCommittedBytes: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size])),
    externalBytes: mem.external,
    cpuSec: (cpu.user + cpu.system) / 1e6,
    cpuSystemSec: cpu.system / 1e6,
    eventLoopDelayMs: delay,
    connections: running.connections(),
    errors: running.errors(),
    signalsRelayed: running.signalsRelayed(),
    cluster: running.cluster(),
  };
}

async function startSwarmcast(): Promise<Running> {
  // Defaults but for the port, and a per-IP cap that the bench's source addresses never reach.
  // TRACKER_BENCH_WS_LAYER=ws measures the ws library as the peer layer instead of the tracker's own.
  const layer = process.env.TRACKER_BENCH_WS_LAYER;
  if (layer !== undefined && layer !== 'lite' && layer !== 'ws') throw new Error(`TRACKER_BENCH_WS_LAYER must be lite or ws, got ${layer}`);
  const redisUrl = clusterArgs['redis-url'];
  const cluster = redisUrl === undefined ? {} : { cluster: { redisUrl, ...(clusterArgs['node-id'] === undefined ? {} : { nodeId: clusterArgs['node-id'] }) } };
  const tracker: TrackerServer = await startTracker({ host: '127.0.0.1', port: 0, ...cluster, ...(layer === undefined ? {} : { webSocketLayer: layer }) });
  if (redisUrl !== undefined) await redisReady(tracker);
  return {
    port: tracker.port,
    connections: () => tracker.stats().connections,
    errors: () => tracker.stats().rejects,
    signalsRelayed: () => tracker.stats().signalsRelayed,
    cluster: () => {
      const c = tracker.stats().cluster;
      if (c === null) return null;
      const { redisConnected, redisErrors, signalsSentRemote, signalsDeliveredRemote, signalsDroppedRemote, localFallbacks } = c;
      return { redisConnected, redisErrors, signalsSentRemote, signalsDeliveredRemote, signalsDroppedRemote, localFallbacks };
    },
    close: () => tracker.close(),
  };
}

/** Resolves once the node's Redis links are up (peers joining before would be left out of Redis until the next resync). */
async function redisReady(tracker: TrackerServer): Promise<void> {
  const started = performance.now();
  while (tracker.stats().cluster?.redisConnected !== true) {
    if (performance.now() - started > REDIS_READY_TIMEOUT_MS) {
      await tracker.close();
      throw new Error(`cluster node: Redis not connected within ${REDIS_READY_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startBittorrentTracker(): Promise<Running> {
  // WebSocket part only: no UDP, no HTTP announce, no /stats page (a bare HTTP server carries the upgrade).
  const server = new Server({ udp: false, http: false, ws: true, stats: false });
  let warnings = 0;
  server.on('warning', () => {
    warnings += 1;
  });
  server.on('error', () => {
    warnings += 1;
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const http = server.http;
  if (http === null) throw new Error('bittorrent-tracker started without its HTTP server');
  const address = http.address();
  if (address === null || typeof address !== 'object') throw new Error('bittorrent-tracker has no address');
  return {
    port: address.port,
    // Counting would add a listener per socket to the server's memory: the workers count instead.
    connections: () => null,
    errors: (): Record<string, number> => (warnings > 0 ? { warning: warnings } : {}),
    signalsRelayed: () => null,
    cluster: () => null,
    // Its ws server tracks no clients, so close() would wait for them: the process exit ends them.
    close: () => Promise.resolve(),
  };
}
