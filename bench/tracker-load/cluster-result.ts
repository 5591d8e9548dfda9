/** Cluster mode's JSON result and its human summary. */
import type { ClusterFigures } from './cluster-load.js';
import type { ClusterShape } from './cluster-session.js';

export interface ClusterResult {
  readonly shape: ClusterShape & { readonly offeredMessagesPerSec: number };
  /** The cluster's figures (Swarmcast only: bittorrent-tracker has no cluster mode). */
  readonly swarmcast: ClusterFigures;
  /** Why the figures may mislead. */
  readonly warnings: readonly string[];
}

/** A process this busy during the window was (close to) saturated. */
const SATURATED = 0.9;

export function clusterResult(shape: ClusterShape, f: ClusterFigures): ClusterResult {
  const warnings: string[] = [];
  if (f.peers < shape.peers) warnings.push(`only ${f.peers} of ${shape.peers} peers connected`);
  if (f.signalsRelayed === 0) warnings.push('no signal was relayed');
  if (shape.nodes > 1 && f.crossNodeSignals === 0) warnings.push('no relay crossed nodes');
  for (const n of f.perNode) {
    if (n.redisErrors > 0 || n.localFallbacks > 0) warnings.push(`${n.nodeId}: ${n.redisErrors} Redis errors, ${n.localFallbacks} peer lists from local members only`);
    if (n.cpuUtilization >= SATURATED) warnings.push(`${n.nodeId} used ${(n.cpuUtilization * 100).toFixed(0)} % of a core: saturated`);
  }
  if (f.redis.cpuUtilization >= SATURATED) warnings.push(`redis-server used ${(f.redis.cpuUtilization * 100).toFixed(0)} % of a core: saturated`);
  if (f.machineCpuBusy >= SATURATED) warnings.push(`the machine's CPUs were ${(f.machineCpuBusy * 100).toFixed(0)} % busy (all processes): latency measures CPU contention`);
  if (Object.keys(f.clientErrors).length > 0) warnings.push(`client errors ${JSON.stringify(f.clientErrors)}`);
  return { shape: { ...shape, offeredMessagesPerSec: f.offeredMessagesPerSec }, swarmcast: f, warnings };
}

const num = (n: number | null, digits = 0): string => (n === null ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const pct = (share: number): string => `${num(share * 100)} %`;
const lat = (p: { p50: number | null; p99: number | null }): string => `${num(p.p50, 2)} / ${num(p.p99, 2)}`;

export function formatClusterSummary(r: ClusterResult): string {
  const f = r.swarmcast;
  const s = r.shape;
  const lines = [
    `${s.peers} peers over ${s.nodes} tracker nodes + Redis, swarms of ${s.swarmSize} spanning nodes, <= ${s.exchangesPerSecPerPeer} exchanges/s/peer (closed loop), ${s.heartbeat ?? 'peers'} every ${s.announceIntervalSec} s, ${s.durationSec} s window, ${s.workers} load processes`,
    '',
    '| cluster | |',
    '|---|---|',
    `| peers connected | ${num(f.peers)} (${num(f.connectFailed)} failed) |`,
    `| messages/s handled (offered at most) | ${num(f.messagesPerSec)} (${num(f.offeredMessagesPerSec)}) |`,
    `| relay latency p50 / p99 (ms), all | ${lat(f.relayLatencyMs)} |`,
    `| same node / cross node p50 / p99 (ms) | ${lat(f.sameNodeRelayLatencyMs)} / ${lat(f.crossNodeRelayLatencyMs)} |`,
    `| relays that crossed nodes | ${pct(f.crossNodeShare)} (${num(f.crossNodeSignals)} of ${num(f.signalsRelayed)}) |`,
    `| tracker CPU (s, all nodes) / messages per CPU-second | ${num(f.cpuSec, 1)} / ${num(f.messagesPerCpuSec)} |`,
    `| RSS bytes per idle peer (all nodes' growth / peers) | ${num(f.bytesPerPeer)} |`,
    `| redis-server CPU / commands/s / RSS idle, end (MB) | ${pct(f.redis.cpuUtilization)} / ${num(f.redis.commandsPerSec)} / ${num(f.redis.rssBytes.idle / 1e6, 1)}, ${num(f.redis.rssBytes.end / 1e6, 1)} |`,
    `| load workers CPU / machine busy (all processes) | ${pct(f.loadCpuUtilization)} / ${pct(f.machineCpuBusy)} |`,
    `| exchanges completed / lost | ${num(f.exchangesCompleted)} / ${num(f.exchangesLost)} |`,
    '',
    '| node | peers | CPU | event-loop delay p99 / max (ms) | relayed | sent / delivered remote | RSS bytes/peer |',
    '|---|---|---|---|---|---|---|',
    ...f.perNode.map(
      (n) =>
        `| ${n.nodeId} | ${num(n.peers)} | ${pct(n.cpuUtilization)} | ${num(n.eventLoopDelayMs.p99, 1)} / ${num(n.eventLoopDelayMs.max, 1)} | ${num(n.signalsRelayed)} | ${num(n.signalsSentRemote)} / ${num(n.signalsDeliveredRemote)} | ${num(n.bytesPerPeer)} |`,
    ),
  ];
  for (const w of r.warnings) lines.push(`WARNING ${w}`);
  return lines.join('\n');
}
