/**
 * One measured run against one tracker: start it in its own process, connect the peers from
 * several worker processes, measure memory on the idle connected peers, then run the exchange load
 * for the window and measure throughput, relay latency and the tracker's CPU. Every child process
 * is killed by PID at the end, on success or failure.
 */
import { readFileSync } from 'node:fs';
import { LatencyHistogram } from './histogram.js';
import type { LoadReport, ServerSample, TrackerKind, WorkerPlan } from './ipc.js';
import { ServerHandle } from './server-handle.js';
import { WorkerHandle } from './worker-handle.js';

/** The load shape, the same for both trackers. */
export interface LoadShape {
  readonly peers: number;
  readonly durationSec: number;
  readonly workers: number;
  readonly swarmSize: number;
  readonly exchangesPerSecPerPeer: number;
  readonly announceIntervalSec: number;
  readonly sdpBytes: number;
  /** Pin the tracker to CPU 0 and the workers to CPU 1 (when taskset works). */
  readonly pin: boolean;
  /**
   * What each peer sends every announce interval (Swarmcast): `peers` (a peer-list request; in cluster
   * mode each is a Redis script) or `ping` (the heartbeat Swarmcast's client sends; peer lists are then
   * asked only when a peer knows no partner).
   * @default 'peers'
   */
  readonly heartbeat?: 'peers' | 'ping';
}

/** Figures of one tracker under the load shape. */
export interface TrackerFigures {
  /** Peers connected and joined when the load started. */
  readonly peers: number;
  /** Client->tracker messages handled per second: relayed offers and answers + answered announces. */
  readonly messagesPerSec: number;
  readonly relayLatencyMs: { readonly p50: number | null; readonly p99: number | null };
  /**
   * Tracker RSS growth from no peers to all peers connected and idle, per peer (after gc): includes
   * fixed costs (young generation growth, JIT code), so it overstates the cost of a peer at small N.
   */
  readonly bytesPerPeer: number;
  /**
   * Marginal V8 heap used + external per idle peer: growth while the second half of the peers
   * connected, per peer of that half (after gc); with one worker, growth from no peers.
   */
  readonly heapBytesPerPeer: number;
  /** The same marginal figure for RSS: noisy (RSS grows in steps as pages are committed), for reference. */
  readonly marginalRssBytesPerPeer: number;
  /** Tracker CPU (user + system) during the load window. */
  readonly cpuSec: number;
  /** Kernel share of cpuSec (system / (user + system)). */
  readonly cpuSystemShare: number;
  /** cpuSec / window: near 1 means the tracker's core was the bottleneck. */
  readonly cpuUtilization: number;
  readonly messagesPerCpuSec: number;
  /** CPU of all load workers during the window / window: near 1 with pinning means the load generator was the bottleneck. */
  readonly loadCpuUtilization: number;
  /** The tracker's event-loop delay over the window (10 ms resolution): its own share of the latency tail. */
  readonly trackerEventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly signalsRelayed: number;
  readonly announcesAnswered: number;
  readonly exchangesCompleted: number;
  readonly exchangesLost: number;
  /** What the shape asks at most: peers x exchangesPerSecPerPeer x 2 + peers / announce interval. */
  readonly offeredMessagesPerSec: number;
  readonly connectFailed: number;
  readonly clientErrors: Readonly<Record<string, number>>;
  readonly trackerErrors: Readonly<Record<string, number>>;
  readonly memory: { readonly before: ServerSample; readonly half: ServerSample | null; readonly halfPeers: number; readonly idle: ServerSample };
}

/** Source addresses 127.0.0.k each carry at most this many peers (ephemeral ports and maxConnectionsPerIp). */
export const PEERS_PER_ADDRESS = 5_000;
const CONNECT_CONCURRENCY = 100;
const EXCHANGE_TIMEOUT_MS = 5_000;
const SETTLE_MS = 1_500;

/** Children of the current run, so a SIGINT handler can kill them. */
export const liveChildren = new Set<{ stop(): Promise<void> }>();

/** Soft RLIMIT_NOFILE of this process (children inherit it); Infinity when unreadable. */
export function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s+/)[3];
    return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    return Infinity;
  }
}

/** Throws a clear error when the tracker process could not hold this many sockets. */
export function checkFileLimit(peers: number): void {
  const limit = openFileLimit();
  if (peers + 100 > limit) {
    throw new Error(
      `--peers ${peers} needs more than ${limit} open files in the tracker process (ulimit -n): ` +
        `raise it (root with CAP_SYS_RESOURCE: ulimit -n 200000) or use --peers ${Math.max(0, limit - 100)}`,
    );
  }
}

/** Splits the peers over the workers; with several ports (cluster nodes) each worker's peers go round robin over them. */
export function workerPlans(kind: TrackerKind, ports: readonly number[], shape: LoadShape): WorkerPlan[] {
  const plans: WorkerPlan[] = [];
  const per = Math.ceil(shape.peers / shape.workers);
  for (let first = 0; first < shape.peers; first += per) {
    plans.push({
      kind,
      ports,
      firstPeer: first,
      peers: Math.min(per, shape.peers - first),
      swarmSize: shape.swarmSize,
      peersPerAddress: PEERS_PER_ADDRESS,
      connectConcurrency: CONNECT_CONCURRENCY,
      exchangesPerSecPerPeer: shape.exchangesPerSecPerPeer,
      announceIntervalMs: shape.announceIntervalSec * 1000,
      heartbeat: shape.heartbeat ?? 'peers',
      exchangeTimeoutMs: EXCHANGE_TIMEOUT_MS,
      sdpBytes: shape.sdpBytes,
    });
  }
  return plans;
}

/** A tracker with its peers connected, ready for load windows; stop() kills everything. */
export class LoadSession {
  private constructor(
    readonly server: ServerHandle,
    readonly workers: readonly WorkerHandle[],
    readonly peers: number,
    readonly connectFailed: number,
    readonly before: ServerSample,
    /** After the first batch of workers connected (none with a single worker). */
    readonly mid: { readonly sample: ServerSample; readonly peers: number } | undefined,
  ) {}

  static async open(kind: TrackerKind, shape: LoadShape, log: (line: string) => void): Promise<LoadSession> {
    const server = await ServerHandle.start(kind, shape.pin ? 0 : undefined);
    liveChildren.add(server);
    const workers: WorkerHandle[] = [];
    try {
      const before = await server.sample(true);
      const plans = workerPlans(kind, [server.port], shape);
      for (const _ of plans) {
        const worker = new WorkerHandle(shape.pin ? 1 : undefined);
        workers.push(worker);
        liveChildren.add(worker);
      }
      // Two batches, with a memory sample between: the second batch's growth per peer is the marginal
      // cost of a peer, free of fixed costs (young generation growth, JIT code) that the first pays.
      const t0 = Date.now();
      const half = Math.max(1, Math.floor(plans.length / 2));
      const connectBatch = (from: number, to: number): Promise<{ open: number; failed: number }[]> =>
        Promise.all(plans.slice(from, to).map((plan, i) => (workers[from + i] as WorkerHandle).connect(plan)));
      const first = await connectBatch(0, half);
      const mid = plans.length > 1 ? await server.sample(true) : undefined;
      const connected = [...first, ...(await connectBatch(half, plans.length))];
      const open = connected.reduce((n, c) => n + c.open, 0);
      const failed = connected.reduce((n, c) => n + c.failed, 0);
      const firstOpen = first.reduce((n, c) => n + c.open, 0);
      log(`${kind}: ${open} peers connected and joined in ${((Date.now() - t0) / 1000).toFixed(1)} s (${failed} failed)`);
      return new LoadSession(server, workers, open, failed, before, mid === undefined ? undefined : { sample: mid, peers: firstOpen });
    } catch (error) {
      await stopAll(server, workers);
      throw error;
    }
  }

  /** One window of load on every worker; the tracker's CPU is sampled at its exact start and end. */
  async window(durationMs: number, churnPerSec: number, exchanges: boolean): Promise<{ reports: LoadReport[]; start: ServerSample; end: ServerSample }> {
    const start = await this.server.sample(false);
    const churnEach = churnPerSec / this.workers.length;
    const loads = Promise.all(this.workers.map((w) => w.load(durationMs, churnEach, exchanges)));
    // Awaited below; this keeps a worker dying meanwhile from being reported as unhandled.
    loads.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const end = await this.server.sample(false);
    return { reports: await loads, start, end };
  }

  stop(): Promise<void> {
    return stopAll(this.server, this.workers);
  }
}

async function stopAll(server: ServerHandle, workers: readonly WorkerHandle[]): Promise<void> {
  await Promise.allSettled(workers.map((w) => w.stop()));
  await server.stop();
  for (const w of workers) liveChildren.delete(w);
  liveChildren.delete(server);
}

/** The workers' counters summed, their histograms merged (all relays, and the cross-node ones alone). */
export type MergedReports = Omit<LoadReport, 'relayLatency' | 'crossNodeLatency' | 'type'> & { histogram: LatencyHistogram; crossHistogram: LatencyHistogram };

/** Sums the workers' counters and merges their histograms. */
export function mergeReports(reports: readonly LoadReport[]): MergedReports {
  const histogram = new LatencyHistogram();
  const crossHistogram = new LatencyHistogram();
  const errors: Record<string, number> = {};
  const sum = { signalsRelayed: 0, crossNodeSignals: 0, announcesAnswered: 0, exchangesCompleted: 0, exchangesLost: 0, peersReplaced: 0, cpuSec: 0 };
  for (const r of reports) {
    histogram.merge(r.relayLatency);
    crossHistogram.merge(r.crossNodeLatency);
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += r[key];
    for (const [k, v] of Object.entries(r.errors)) if (v > 0) errors[k] = (errors[k] ?? 0) + v;
  }
  return { histogram, crossHistogram, errors, ...sum };
}

/** The full measurement of one tracker under the shape. */
export async function measureTracker(kind: TrackerKind, shape: LoadShape, log: (line: string) => void): Promise<TrackerFigures> {
  const session = await LoadSession.open(kind, shape, log);
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idle = await session.server.sample(true);
    const peers = Math.max(1, session.peers);
    const base = session.mid ?? { sample: session.before, peers: 0 };
    const marginalPeers = Math.max(1, session.peers - base.peers);
    const durationMs = shape.durationSec * 1000;
    log(`${kind}: load window ${shape.durationSec} s`);
    const { reports, start, end } = await session.window(durationMs, 0, true);
    const merged = mergeReports(reports);
    const cpuSec = end.cpuSec - start.cpuSec;
    const windowSec = (end.atMs - start.atMs) / 1000;
    const handled = merged.signalsRelayed + merged.announcesAnswered;
    const trackerErrors = Object.fromEntries(Object.entries(end.errors).filter(([, v]) => v > 0));
    return {
      peers: session.peers,
      messagesPerSec: handled / shape.durationSec,
      relayLatencyMs: { p50: merged.histogram.quantileMs(0.5), p99: merged.histogram.quantileMs(0.99) },
      bytesPerPeer: Math.round((idle.rssBytes - session.before.rssBytes) / peers),
      heapBytesPerPeer: Math.round((idle.heapUsedBytes + idle.externalBytes - base.sample.heapUsedBytes - base.sample.externalBytes) / marginalPeers),
      marginalRssBytesPerPeer: Math.round((idle.rssBytes - base.sample.rssBytes) / marginalPeers),
      cpuSec,
      cpuUtilization: cpuSec / windowSec,
      cpuSystemShare: cpuSec > 0 ? (end.cpuSystemSec - start.cpuSystemSec) / cpuSec : 0,
      messagesPerCpuSec: cpuSec > 0 ? handled / cpuSec : 0,
      loadCpuUtilization: merged.cpuSec / windowSec,
      trackerEventLoopDelayMs: end.eventLoopDelayMs,
      signalsRelayed: merged.signalsRelayed,
      announcesAnswered: merged.announcesAnswered,
      exchangesCompleted: merged.exchangesCompleted,
      exchangesLost: merged.exchangesLost,
      offeredMessagesPerSec: session.peers * (shape.exchangesPerSecPerPeer * 2 + 1 / shape.announceIntervalSec),
      connectFailed: session.connectFailed,
      clientErrors: merged.errors,
      trackerErrors,
      memory: { before: session.before, half: session.mid?.sample ?? null, halfPeers: base.peers, idle },
    };
  } finally {
    await session.stop();
  }
}
