/** bench:swarm's human summary (stderr). */
import type { LoadSample } from './load.js';
import type { SwarmFigures } from './swarm-figures.js';

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;

export function formatSwarmSummary(f: SwarmFigures, load: { before: LoadSample; after: LoadSample }): string {
  const servers = f.processes[0];
  const peerProcs = f.processes.slice(1);
  const peerCpu = peerProcs.reduce((a, p) => a + p.cpuSec, 0);
  const lines = [
    `bench:swarm: ${f.peers} peers (${f.peersPlayed} played) in ${peerProcs.length} processes, ${f.durationSec} s each; load ${load.before.loadavg.join(' ')} -> ${load.after.loadavg.join(' ')}`,
    `  p2pShare                 ${pct(f.p2pShare)}`,
    `  origin egress / segment  ${f.originEgressPerSegment ?? '–'} (plain HTTP for all: ${f.baselineOriginEgressPerSegment})`,
    `  stall ratio mean / max   ${pct(f.stallRatio.mean)} / ${pct(f.stallRatio.max)}, ${f.stalls} stalls`,
    `  starving peers           ${f.starvingPeers} (${f.starvingRule})`,
    `  stalled                  ${(f.stalledMs.total / 1000).toFixed(1)} s in all, ${(f.stalledMs.whileHeld / 1000).toFixed(1)} s of it while the peer's own process was held (loop > 250 ms late); starving besides that: ${f.starvingBesidesHeldLoop}`,
    `  startup mean / max       ${f.startupMs.mean === null ? '–' : Math.round(f.startupMs.mean)} / ${f.startupMs.max ?? '–'} ms`,
    `  segments                 ${f.segments.p2p} from peers, ${f.segments.http} over HTTP, ${f.segments.failed} failed, ${f.segments.skipped} skipped`,
    `  WebRTC connections       ${f.links.made} made, ${f.links.opened} opened, slowest open ${f.links.openMsMax ?? '–'} ms`,
    `  servers process          ${servers?.cpuSec ?? '–'} CPU s, ${servers ? mib(servers.rssBytes) : '–'} peak RSS`,
    `  machine CPU              ${f.machineCpu.busyCores} of ${f.machineCpu.cores} cores busy over ${f.machineCpu.wallSec} s, ${f.machineCpu.benchCores} of them this bench's`,
    `  event loop delay p99/max ${f.processes.map((p) => `${p.eventLoopDelayMs.p99}/${p.eventLoopDelayMs.max}`).join(' ')} ms (servers, then peer processes)`,
    `  peer processes           ${peerCpu.toFixed(1)} CPU s in all; per process: ${peerProcs.map((p) => `${p.peers} peers ${p.cpuSec} s ${mib(p.rssBytes)} ${p.threadsMax} thr ${p.fdsMax} fds`).join('; ')}`,
  ];
  const starving = f.perPeer.filter((p) => p.starving).slice(0, 5);
  for (const p of starving) lines.push(`  starving #${p.i}: received ${p.received}/${p.expected}, stalled ${p.stalledMs} of ${p.watchMs} ms (${p.stalledWhileHeldMs} held)${p.errors.length > 0 ? `, ${p.errors[0] ?? ''}` : ''}`);
  return lines.join('\n');
}
