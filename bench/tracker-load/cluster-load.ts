/**
 * Cluster mode's measurement (`--redis --nodes N`): the load shape of run-load.ts against N Swarmcast
 * tracker nodes sharing swarms through one redis-server (cluster-session.ts), with the whole
 * cluster's figures, each node's, Redis's, and relay latency split by whether the offer or answer
 * crossed nodes (sender and addressee connected to different nodes: relayed through Redis pub/sub).
 */
import type { ClusterCounters, ServerSample } from './ipc.js';
import type { RedisSample } from './redis-process.js';
import { ClusterSession } from './cluster-session.js';
import type { ClusterShape, ClusterWindow } from './cluster-session.js';
import { mergeReports } from './run-load.js';

const SETTLE_MS = 1_500;

type Percentiles = { readonly p50: number | null; readonly p99: number | null };

/** One tracker node's figures over the window (its own process). */
export interface NodeFigures {
  readonly nodeId: string;
  readonly port: number;
  /** Connections it held when the load started. */
  readonly peers: number;
  /** Its CPU (user + system) during the window, and that / window. */
  readonly cpuSec: number;
  readonly cpuUtilization: number;
  readonly cpuSystemShare: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** RSS growth from no peers to its peers connected and idle (after gc), per peer. */
  readonly bytesPerPeer: number;
  /** Signals it relayed in the window (to a local member, or published to the addressee's node). */
  readonly signalsRelayed: number;
  /** The window's change of its cluster counters. */
  readonly signalsSentRemote: number;
  readonly signalsDeliveredRemote: number;
  readonly signalsDroppedRemote: number;
  readonly redisErrors: number;
  readonly localFallbacks: number;
  readonly trackerErrors: Readonly<Record<string, number>>;
}

/** redis-server over the window. */
export interface RedisFigures {
  readonly cpuSec: number;
  /** cpuSec / window: near 1 means Redis's single thread was the bottleneck. */
  readonly cpuUtilization: number;
  readonly cpuSystemShare: number;
  readonly commandsPerSec: number;
  /** RSS and INFO used_memory: before any peer, with every peer connected and idle, at the window's end. */
  readonly rssBytes: { readonly before: number; readonly idle: number; readonly end: number };
  readonly usedMemoryBytes: { readonly before: number; readonly idle: number; readonly end: number };
  readonly connectedClients: number;
}

/** The whole cluster under the load shape: the usual TrackerFigures fields, summed or merged over nodes, and the cluster's own. */
export interface ClusterFigures {
  readonly nodes: number;
  /** Peers connected and joined when the load started. */
  readonly peers: number;
  /** Client->tracker messages handled per second over all nodes: relayed offers and answers + answered announces. */
  readonly messagesPerSec: number;
  readonly relayLatencyMs: Percentiles;
  /** Offers and answers whose sender and addressee were on the same node. */
  readonly sameNodeRelayLatencyMs: Percentiles;
  /** Offers and answers that crossed nodes (published to the addressee's node through Redis). */
  readonly crossNodeRelayLatencyMs: Percentiles;
  /** Share of relayed offers and answers that crossed nodes (counted by the receiving peers). */
  readonly crossNodeShare: number;
  /** All nodes' RSS growth from no peers to every peer connected and idle, per peer. */
  readonly bytesPerPeer: number;
  /** All tracker nodes' CPU during the window (Redis not included: redis.cpuSec). */
  readonly cpuSec: number;
  readonly messagesPerCpuSec: number;
  /** The load workers' CPU / window. */
  readonly loadCpuUtilization: number;
  /** Busy share of the whole machine's CPU time during the window (all processes, others' too). */
  readonly machineCpuBusy: number;
  readonly signalsRelayed: number;
  readonly crossNodeSignals: number;
  readonly announcesAnswered: number;
  readonly exchangesCompleted: number;
  readonly exchangesLost: number;
  /** What the shape asks at most: peers x exchangesPerSecPerPeer x 2 + peers / announce interval. */
  readonly offeredMessagesPerSec: number;
  readonly connectFailed: number;
  readonly clientErrors: Readonly<Record<string, number>>;
  readonly trackerErrors: Readonly<Record<string, number>>;
  readonly perNode: readonly NodeFigures[];
  readonly redis: RedisFigures;
}

export async function measureCluster(shape: ClusterShape, log: (line: string) => void): Promise<ClusterFigures> {
  const session = await ClusterSession.open(shape, log);
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idle = await Promise.all(session.nodes.map((n) => n.sample(true)));
    const redisIdle = await session.redis.sample();
    log(`cluster: load window ${shape.durationSec} s`);
    const w = await session.window(shape.durationSec * 1000);
    const windowSec = ((w.end[0]?.atMs ?? 0) - (w.start[0]?.atMs ?? 0)) / 1000 || shape.durationSec;
    const merged = mergeReports(w.reports);
    const perNode = session.nodes.map((n, k) => nodeFigures(`node-${k}`, n.port, session.before[k], idle[k], w.start[k], w.end[k], windowSec));
    const cpuSec = perNode.reduce((s, n) => s + n.cpuSec, 0);
    const handled = merged.signalsRelayed + merged.announcesAnswered;
    const trackerErrors: Record<string, number> = {};
    for (const n of perNode) for (const [k, v] of Object.entries(n.trackerErrors)) trackerErrors[k] = (trackerErrors[k] ?? 0) + v;
    const rssGrowth = idle.reduce((s, sample, k) => s + sample.rssBytes - (session.before[k]?.rssBytes ?? sample.rssBytes), 0);
    const same = merged.histogram.without(merged.crossHistogram);
    return {
      nodes: shape.nodes,
      peers: session.peers,
      messagesPerSec: handled / shape.durationSec,
      relayLatencyMs: percentiles(merged.histogram),
      sameNodeRelayLatencyMs: percentiles(same),
      crossNodeRelayLatencyMs: percentiles(merged.crossHistogram),
      crossNodeShare: merged.signalsRelayed > 0 ? merged.crossNodeSignals / merged.signalsRelayed : 0,
      bytesPerPeer: Math.round(rssGrowth / Math.max(1, session.peers)),
      cpuSec,
      messagesPerCpuSec: cpuSec > 0 ? handled / cpuSec : 0,
      loadCpuUtilization: merged.cpuSec / windowSec,
      machineCpuBusy: w.machineBusy,
      signalsRelayed: merged.signalsRelayed,
      crossNodeSignals: merged.crossNodeSignals,
      announcesAnswered: merged.announcesAnswered,
      exchangesCompleted: merged.exchangesCompleted,
      exchangesLost: merged.exchangesLost,
      offeredMessagesPerSec: session.peers * (shape.exchangesPerSecPerPeer * 2 + 1 / shape.announceIntervalSec),
      connectFailed: session.connectFailed,
      clientErrors: merged.errors,
      trackerErrors,
      perNode,
      redis: redisFigures(session.redisBefore, redisIdle, w, windowSec),
    };
  } finally {
    await session.stop();
  }
}

function percentiles(h: { quantileMs(q: number): number | null }): Percentiles {
  return { p50: h.quantileMs(0.5), p99: h.quantileMs(0.99) };
}

function nodeFigures(
  nodeId: string,
  port: number,
  before: ServerSample | undefined,
  idle: ServerSample | undefined,
  start: ServerSample | undefined,
  end: ServerSample | undefined,
  windowSec: number,
): NodeFigures {
  if (before === undefined || idle === undefined || start === undefined || end === undefined) throw new Error(`${nodeId}: a sample is missing`);
  const cpuSec = end.cpuSec - start.cpuSec;
  const peers = idle.connections ?? 0;
  const delta = (key: keyof Omit<ClusterCounters, 'redisConnected'>): number => (end.cluster?.[key] ?? 0) - (start.cluster?.[key] ?? 0);
  const errors: Record<string, number> = {};
  for (const [k, v] of Object.entries(end.errors)) if (v - (start.errors[k] ?? 0) > 0) errors[k] = v - (start.errors[k] ?? 0);
  return {
    nodeId,
    port,
    peers,
    cpuSec,
    cpuUtilization: cpuSec / windowSec,
    cpuSystemShare: cpuSec > 0 ? (end.cpuSystemSec - start.cpuSystemSec) / cpuSec : 0,
    eventLoopDelayMs: end.eventLoopDelayMs,
    bytesPerPeer: Math.round((idle.rssBytes - before.rssBytes) / Math.max(1, peers)),
    signalsRelayed: (end.signalsRelayed ?? 0) - (start.signalsRelayed ?? 0),
    signalsSentRemote: delta('signalsSentRemote'),
    signalsDeliveredRemote: delta('signalsDeliveredRemote'),
    signalsDroppedRemote: delta('signalsDroppedRemote'),
    redisErrors: delta('redisErrors'),
    localFallbacks: delta('localFallbacks'),
    trackerErrors: errors,
  };
}

function redisFigures(before: RedisSample, idle: RedisSample, w: ClusterWindow, windowSec: number): RedisFigures {
  const cpuSec = w.redisEnd.cpuSec - w.redisStart.cpuSec;
  return {
    cpuSec,
    cpuUtilization: cpuSec / windowSec,
    cpuSystemShare: cpuSec > 0 ? (w.redisEnd.cpuSystemSec - w.redisStart.cpuSystemSec) / cpuSec : 0,
    commandsPerSec: (w.redisEnd.commandsProcessed - w.redisStart.commandsProcessed) / windowSec,
    rssBytes: { before: before.rssBytes, idle: idle.rssBytes, end: w.redisEnd.rssBytes },
    usedMemoryBytes: { before: before.usedMemoryBytes, idle: idle.usedMemoryBytes, end: w.redisEnd.usedMemoryBytes },
    connectedClients: w.redisEnd.connectedClients,
  };
}
