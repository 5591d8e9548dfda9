/** The human-readable summary of a run. */
import type { SimResult } from './metrics.ts';

const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)} %`;

export function formatSummary(r: SimResult): string {
  const p = r.params;
  const mix = p.uploadMix.map((c) => `${Math.round(c.fraction * 100)}%@${c.multiple}x`).join(' ');
  const lines = [
    `Swarmcast simulation: ${r.peers} peers (${r.sessions} sessions), ${r.simulatedSec} s simulated in ${r.wallSec} s wall`,
    `  scenario: ${p.bitrateKbps} kbit/s, ${p.segmentSec} s segments, upload ${mix}, download ${p.downloadMultiple}x, ` +
      `RTT ${p.rttMinMs}-${p.rttMaxMs} ms, loss ${pct(p.loss)}, churn ${pct(p.churn, 0)} (crash share ${p.crashShare}), seed ${p.seed}` +
      (p.byteScale > 1 ? `, byte scale ${p.byteScale}` : ''),
    `  integrity checks are OFF in simulation (peers trusted)`,
    `  offload:  P2P share ${pct(r.p2pShare)} | limit 1-1/n ${pct(r.offloadLimit, 2)} (${pct(r.shareOfLimit)} of it) | ` +
      `rhoMax ${pct(r.rhoMax, 2)} (${pct(r.shareOfRhoMax)} of it) | origin egress ${r.originEgressPerSegment}x segment`,
    `  QoE:      continuity ${pct(r.continuity, 3)} | stalls ${r.stalls} | stall ratio mean ${pct(r.stallRatio.mean, 3)} max ${pct(r.stallRatio.max, 2)} | ` +
      `startup mean ${r.startupMs.mean} ms max ${r.startupMs.max} ms`,
    `  latency:  live latency mean ${r.liveLatencySec.mean} s | lag spread at end ${r.lagSpreadSec} s`,
    `  cost:     control overhead ${pct(r.controlOverhead, 2)} | CPU per viewer ${(r.cpuPerViewer * 1e6).toFixed(1)} us/s | ` +
      `${r.counts.events} events, ${r.counts.dataChannelMessages} DataChannel messages`,
  ];
  const problems = (r.counts.engineErrors ?? 0) + (r.counts.callbackErrors ?? 0) + (r.counts.loadErrors ?? 0) + (r.counts.trackerRejected ?? 0);
  if (problems > 0) {
    lines.push(
      `  PROBLEMS: engine errors ${r.counts.engineErrors}, callback errors ${r.counts.callbackErrors}, load errors ${r.counts.loadErrors}, ` +
        `tracker rejects ${r.counts.trackerRejected}`,
    );
    for (const e of r.errors) lines.push(`    ${e.split('\n').slice(0, 3).join(' | ')}`);
  }
  return lines.join('\n');
}
