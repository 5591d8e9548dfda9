/** The load mode's JSON result and its human summary. */
import type { LoadShape, TrackerFigures } from './run-load.js';

export interface LoadResult {
  readonly shape: LoadShape & { readonly offeredMessagesPerSec: number };
  readonly swarmcast: TrackerFigures;
  readonly bittorrentTracker: TrackerFigures | null;
  /** Swarmcast / bittorrent-tracker; null without the baseline. */
  readonly ratios: {
    readonly throughputRatio: number;
    readonly messagesPerCpuSecRatio: number;
    /** bittorrent-tracker's bytes per peer / Swarmcast's. */
    readonly memoryRatio: number;
    /** bittorrent-tracker's heapBytesPerPeer / Swarmcast's. */
    readonly heapMemoryRatio: number;
    readonly p99LatencyRatio: number | null;
  } | null;
  /** Why the figures may mislead (e.g. the tracker's core was not saturated). */
  readonly warnings: readonly string[];
}

export function loadResult(shape: LoadShape, swarmcast: TrackerFigures, bt: TrackerFigures | null): LoadResult {
  const warnings: string[] = [];
  for (const [name, f] of [['swarmcast', swarmcast], ['bittorrentTracker', bt]] as const) {
    if (f === null) continue;
    if (f.peers < shape.peers) warnings.push(`${name}: only ${f.peers} of ${shape.peers} peers connected`);
    if (f.signalsRelayed === 0) warnings.push(`${name}: no signal was relayed`);
    if (f.cpuUtilization < 0.9) warnings.push(`${name}: the tracker used ${(f.cpuUtilization * 100).toFixed(0)} % of its core: not saturated (load workers ${(f.loadCpuUtilization * 100).toFixed(0)} %), messagesPerSec is a lower bound of its capacity`);
    if (Object.keys(f.clientErrors).length > 0) warnings.push(`${name}: client errors ${JSON.stringify(f.clientErrors)}`);
  }
  const ratios =
    bt === null
      ? null
      : {
          throughputRatio: ratio(swarmcast.messagesPerSec, bt.messagesPerSec),
          messagesPerCpuSecRatio: ratio(swarmcast.messagesPerCpuSec, bt.messagesPerCpuSec),
          memoryRatio: ratio(bt.bytesPerPeer, swarmcast.bytesPerPeer),
          heapMemoryRatio: ratio(bt.heapBytesPerPeer, swarmcast.heapBytesPerPeer),
          p99LatencyRatio: swarmcast.relayLatencyMs.p99 === null || bt.relayLatencyMs.p99 === null ? null : ratio(swarmcast.relayLatencyMs.p99, bt.relayLatencyMs.p99),
        };
  return { shape: { ...shape, offeredMessagesPerSec: swarmcast.offeredMessagesPerSec }, swarmcast, bittorrentTracker: bt, ratios, warnings };
}

function ratio(a: number, b: number): number {
  return b === 0 ? Infinity : Math.round((a / b) * 100) / 100;
}

const num = (n: number | null, digits = 0): string => (n === null ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function formatLoadSummary(r: LoadResult): string {
  const cols = [r.swarmcast, r.bittorrentTracker];
  const row = (label: string, get: (f: TrackerFigures) => string, ratio = ''): string =>
    `| ${label} | ${cols.map((f) => (f === null ? '-' : get(f))).join(' | ')} | ${ratio} |`;
  const lines = [
    `${r.shape.peers} peers in swarms of ${r.shape.swarmSize}, <= ${r.shape.exchangesPerSecPerPeer} exchanges/s/peer (closed loop), announce every ${r.shape.announceIntervalSec} s, ${r.shape.durationSec} s window, ${r.shape.workers} load processes`,
    '',
    '| | Swarmcast | bittorrent-tracker | ratio |',
    '|---|---|---|---|',
    row('peers connected', (f) => num(f.peers)),
    row('messages/s handled', (f) => num(f.messagesPerSec), r.ratios ? `${r.ratios.throughputRatio}x` : ''),
    row('messages per tracker CPU-second', (f) => num(f.messagesPerCpuSec), r.ratios ? `${r.ratios.messagesPerCpuSecRatio}x` : ''),
    row('relay latency p50 / p99 (ms)', (f) => `${num(f.relayLatencyMs.p50, 2)} / ${num(f.relayLatencyMs.p99, 2)}`),
    row('tracker event-loop delay p99 / max (ms)', (f) => `${num(f.trackerEventLoopDelayMs.p99, 1)} / ${num(f.trackerEventLoopDelayMs.max, 1)}`),
    row('tracker CPU (s) / utilization', (f) => `${num(f.cpuSec, 1)} / ${num(f.cpuUtilization * 100)} %`),
    row('kernel share of tracker CPU', (f) => `${num(f.cpuSystemShare * 100)} %`),
    row('load workers CPU utilization', (f) => `${num(f.loadCpuUtilization * 100)} %`),
    row('RSS bytes per idle peer (bytesPerPeer: all growth / peers)', (f) => num(f.bytesPerPeer), r.ratios ? `${r.ratios.memoryRatio}x less` : ''),
    row('heap+external bytes per idle peer (marginal)', (f) => num(f.heapBytesPerPeer), r.ratios ? `${r.ratios.heapMemoryRatio}x less` : ''),
    row('RSS bytes per idle peer (marginal, noisy)', (f) => num(f.marginalRssBytesPerPeer)),
    row('exchanges completed / lost', (f) => `${num(f.exchangesCompleted)} / ${num(f.exchangesLost)}`),
  ];
  for (const w of r.warnings) lines.push(`WARNING ${w}`);
  return lines.join('\n');
}
