/** The human summary of a benchmark: one row per figure, one column per run. */
import type { BenchRun } from './run.js';
import { httpFetchReasons, sumCounters } from './edge-figures.js';
import { formatStartupSteps } from './startup-steps.js';
import type { RunRatios, RunSummary } from './stats.js';

type Cell = (s: RunSummary) => string;

const num = (v: number | null, digits = 0, unit = ''): string => (v === null ? '–' : `${v.toFixed(digits)}${unit}`);
const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)} %`);
const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;

const ROWS: readonly [string, Cell][] = [
  ['viewers / sessions (started)', (s) => `${s.viewers} / ${s.sessions} (${s.startedViewers})`],
  ['P2P share', (s) => pct(s.p2pShare)],
  ['limit 1-1/n (share of it)', (s) => `${pct(s.offloadLimit)} (${pct(s.shareOfLimit)})`],
  ['origin segment bytes', (s) => mib(s.segmentBytesFromOrigin)],
  ['origin egress per segment', (s) => num(s.originEgressPerSegment, 3)],
  ['stall ratio mean / max', (s) => `${pct(s.stallRatio.mean)} / ${pct(s.stallRatio.max)}`],
  ['stalls', (s) => String(s.stalls)],
  ['startup mean / max', (s) => `${num(s.startupMs.mean, 0, ' ms')} / ${num(s.startupMs.max, 0, ' ms')}`],
  ['live latency mean / spread', (s) => `${num(s.liveLatencySec.mean, 2, ' s')} / ${num(s.lagSpreadSec, 2, ' s')}`],
  ['control overhead', (s) => pct(s.controlOverhead)],
  ['hls.js errors', (s) => String(s.hlsErrors)],
];

export function formatSummaryTable(swarmcast: RunSummary, baseline: RunSummary | null, ratios: RunRatios | null): string {
  const header = ['', 'swarmcast', ...(baseline ? ['hls.js only'] : [])];
  const rows = ROWS.map(([label, cell]) => [label, cell(swarmcast), ...(baseline ? [cell(baseline)] : [])]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (ratios) {
    out.push(
      '',
      `origin bytes swarmcast/baseline: ${num(ratios.originBytes, 3)}` +
        `   startup delta: ${num(ratios.startupDeltaMs, 0, ' ms')}` +
        `   latency delta: ${num(ratios.latencyDeltaSec, 2, ' s')}`,
    );
  }
  return out.join('\n');
}

/** CPU per viewer and, in constrained mode, what the viewers really uploaded against the cap. */
export function formatExtraLines(swarmcast: BenchRun, baseline: BenchRun | null, capKbps: number | null): string {
  const runs: [string, BenchRun][] = [['swarmcast', swarmcast], ...(baseline ? [['baseline', baseline] as [string, BenchRun]] : [])];
  const out = runs.map(([label, r]) => `${label}: CPU per viewer ${(100 * r.cpuPerViewer).toFixed(1)} % of a core`);
  for (const [label, r] of runs) out.push(formatStartupSteps(label, r.startupSteps));
  out.push(`swarmcast: HTTP segment fetches by why ${formatCounts(httpFetchReasons(swarmcast.perViewer))}; BUSY answers by why ${formatCounts(sumCounters(swarmcast.perViewer.map((v) => v.uploadRefusals)))}`);
  out.push(`swarmcast: ${formatPeerAttempts(sumCounters(swarmcast.perViewer.map((v) => v.peerAttempts)))}`);
  out.push(`swarmcast: ${formatLateSplits(sumCounters(swarmcast.perViewer.map((v) => v.lateSplits)))}`);
  out.push(`swarmcast: WANT ${formatCounts(sumCounters(swarmcast.perViewer.map((v) => v.wants)))}`);
  out.push(`swarmcast: control overhead by message ${formatOverheadByType(swarmcast.controlOverheadByType)}`);
  for (const [label, r] of runs) {
    if (!r.shaping) continue;
    const q = r.shaping.qdisc;
    out.push(`${label}: upload per viewer max ${r.shaping.maxUploadKbps.join('/')} kbit/s over 2 s, mean ${r.shaping.meanUploadKbps.join('/')} kbit/s` +
      `${capKbps === null ? '' : ` (cap ${String(capKbps)})`}; tbf sent ${mib(q.sentBytes)}, ${String(q.overlimits)} overlimits, ${String(q.drops)} drops` +
      (r.shaping.wirePerChannelByte === null ? '' : `, ${r.shaping.wirePerChannelByte.toFixed(3)}x the DataChannel bytes`));
  }
  return out.join('\n');
}

/**
 * The viewers' requests to peers (ViewerReport.peerAttempts, summed) by how they ended, with the
 * mean time the delivered and the late ones had when asked, how long a delivered one waited for its
 * first byte, and how many were asked of relays (peers still receiving the segment).
 */
export function formatPeerAttempts(a: Readonly<Record<string, number>>): string {
  const n = (key: string): number => a[key] ?? 0;
  const meanMs = (totalKey: string, countKey: string): string => (n(countKey) > 0 ? `${(n(totalKey) / n(countKey)).toFixed(0)} ms` : '-');
  return `requests to peers delivered ${String(n('delivered'))} (had ${meanMs('deliveredWithinMs', 'delivered')} on average, ` +
    `first byte after ${meanMs('deliveredFirstByteMs', 'delivered')}; ${String(n('deliveredRelay'))} from relays), ` +
    `late ${String(n('late'))} (had ${meanMs('lateWithinMs', 'late')}; ${String(n('lateRelay'))} from relays, ${String(n('handedOver'))} of them handed to a holder; ` +
    `${String(n('lateUnstarted'))} without a byte, ${String(n('lateQueued'))} of them queued), ` +
    `stalled ${String(n('stalled'))}, busy ${String(n('busy'))}, failed ${String(n('failed'))}`;
}

/** Late transfers split between their peer and an HTTP tail (ViewerReport.lateSplits, summed). */
export function formatLateSplits(s: Readonly<Record<string, number>>): string {
  const n = (key: string): number => s[key] ?? 0;
  return `late transfers split (head from the peer, tail over HTTP) ${String(n('splits'))}, ` +
    `gaps fetched ${String(n('gaps'))}, head bytes ${(n('headBytes') / 1024).toFixed(0)} KiB`;
}

/** `type x.xx %, ...` largest first, the non-zero ones ('data' is the DATA headers), or `none`. */
export function formatOverheadByType(byType: Readonly<Record<string, number>>): string {
  return Object.entries(byType)
    .filter(([, r]) => r > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([type, r]) => `${type === 'data' ? 'DATA headers' : type} ${(100 * r).toFixed(2)} %`)
    .join(', ') || 'none';
}

/** `name n, ...` for the non-zero counters, or `none`. */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${String(n)}`).join(', ') || 'none';
}
