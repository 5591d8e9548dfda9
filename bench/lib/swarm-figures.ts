/** bench:swarm's swarm-wide figures, from the per-peer records, the processes and the origin. */
import { MAX_STALL_RATIO, MIN_RECEIVED_SHARE, stallRatioOf, type PeerFigures } from './swarm-peer-figures.js';
import type { MachineCpu } from './swarm-machine-cpu.js';
import type { ProcessFigures } from './swarm-process-sampler.js';
import { max, mean, type MeanMax } from './stats.js';

export interface SwarmFigures {
  /** Peers planned. */
  readonly peers: number;
  /** Peers that started playing. */
  readonly peersPlayed: number;
  /** Each peer's play time from its join, s. */
  readonly durationSec: number;
  /** Sum of p2pBytes / sum of (p2pBytes + httpBytes) over peers; 0 when no bytes. */
  readonly p2pShare: number;
  /** Segment bytes the origin sent to peers (the integrity authority's copies apart). */
  readonly segmentBytesFromOrigin: number;
  /** Origin segment bytes / bytes of one copy of each segment any peer loaded; 1.0 is the floor. */
  readonly originEgressPerSegment: number | null;
  /** Plain HTTP for every peer: each one fetches its own copy, so N per segment. */
  readonly baselineOriginEgressPerSegment: number;
  /** Per peer stalledMs / watchMs. */
  readonly stallRatio: MeanMax;
  /** Total stall count. */
  readonly stalls: number;
  /** Peers that never played, received < 90 % of their expected segments, or stalled > 5 % of their time (see PeerFigures.starving). */
  readonly starvingPeers: number;
  readonly starvingRule: string;
  /** Stall time over all peers, and how much of it fell while the peer's own process was held (see PeerFigures.stalledWhileHeldMs), ms. */
  readonly stalledMs: { readonly total: number; readonly whileHeld: number };
  /** Starving peers that would still starve with their held-loop stall time taken out (a diagnosis, not the figure). */
  readonly starvingBesidesHeldLoop: number;
  /** Join to first segment in hand, over peers that played, ms. */
  readonly startupMs: MeanMax;
  readonly uploadedBytes: number;
  /** WebRTC connections over all peers: made, opened, and the slowest open (ms). */
  readonly links: { readonly made: number; readonly opened: number; readonly openMsMax: number | null; readonly closeReasons: Readonly<Record<string, number>> };
  /** Segments loaded over all peers, by source, and the ones lost (failed or skipped). */
  readonly segments: { readonly http: number; readonly p2p: number; readonly failed: number; readonly skipped: number };
  /** Peers of each peer process. */
  readonly peersPerProcess: readonly number[];
  /** CPU seconds of each process (servers first, then peer processes). */
  readonly cpuSec: readonly number[];
  /** Peak RSS of each process, same order, bytes. */
  readonly rssBytes: readonly number[];
  readonly processes: readonly ProcessFigures[];
  /**
   * The machine over the run: cores' worth of CPU used by everything (busyCores) and by this
   * bench's processes (benchCores = their CPU seconds / wall time); the rest was other work.
   */
  readonly machineCpu: MachineCpu & { readonly benchCores: number };
  readonly perPeer: readonly PeerFigures[];
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const round3 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

export function swarmFigures(input: {
  readonly peers: number;
  readonly durationSec: number;
  readonly perPeer: readonly PeerFigures[];
  readonly segmentSizes: ReadonlyMap<number, number>;
  readonly segmentBytesFromOrigin: number;
  readonly servers: ProcessFigures;
  readonly children: readonly ProcessFigures[];
  readonly machineCpu: MachineCpu;
}): SwarmFigures {
  const { perPeer } = input;
  const p2p = sum(perPeer.map((p) => p.p2pBytes));
  const all = p2p + sum(perPeer.map((p) => p.httpBytes));
  const unique = sum([...input.segmentSizes.values()]);
  const played = perPeer.filter((p) => p.startupMs !== null);
  const ratios = perPeer.map(stallRatioOf);
  const processes = [input.servers, ...input.children];
  const seg = (k: keyof PeerFigures['segments']): number => sum(perPeer.map((p) => p.segments[k]));
  return {
    peers: input.peers,
    peersPlayed: played.length,
    durationSec: input.durationSec,
    p2pShare: round3(all > 0 ? p2p / all : 0) ?? 0,
    segmentBytesFromOrigin: input.segmentBytesFromOrigin,
    originEgressPerSegment: round3(unique > 0 ? input.segmentBytesFromOrigin / unique : null),
    baselineOriginEgressPerSegment: input.peers,
    stallRatio: { mean: round3(mean(ratios)), max: round3(max(ratios)) },
    stalls: sum(perPeer.map((p) => p.stalls)),
    // Peers that never reported (a process died) starve too.
    starvingPeers: perPeer.filter((p) => p.starving).length + Math.max(0, input.peers - perPeer.length),
    starvingRule: `never played, or received < ${MIN_RECEIVED_SHARE * 100} % of its expected segments, or stalled > ${MAX_STALL_RATIO * 100} % of its watch time`,
    stalledMs: { total: sum(perPeer.map((p) => p.stalledMs)), whileHeld: sum(perPeer.map((p) => p.stalledWhileHeldMs)) },
    starvingBesidesHeldLoop: perPeer.filter((p) => p.starvingBesidesHeldLoop).length + Math.max(0, input.peers - perPeer.length),
    startupMs: { mean: mean(played.map((p) => p.startupMs ?? 0)), max: max(played.map((p) => p.startupMs ?? 0)) },
    uploadedBytes: sum(perPeer.map((p) => p.uploadedBytes)),
    links: {
      made: sum(perPeer.map((p) => p.links.made)),
      opened: sum(perPeer.map((p) => p.links.opened)),
      openMsMax: max(perPeer.flatMap((p) => (p.links.openMsMax === null ? [] : [p.links.openMsMax]))),
      closeReasons: countReasons(perPeer),
    },
    segments: { http: seg('http'), p2p: seg('p2p'), failed: seg('failed'), skipped: seg('skipped') },
    peersPerProcess: input.children.map((c) => c.peers),
    cpuSec: processes.map((p) => p.cpuSec),
    rssBytes: processes.map((p) => p.rssBytes),
    processes,
    machineCpu: { ...input.machineCpu, benchCores: input.machineCpu.wallSec > 0 ? Math.round((sum(processes.map((p) => p.cpuSec)) / input.machineCpu.wallSec) * 100) / 100 : 0 },
    perPeer,
  };
}

function countReasons(perPeer: readonly PeerFigures[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of perPeer) for (const [reason, n] of Object.entries(p.links.closeReasons)) out[reason] = (out[reason] ?? 0) + n;
  return out;
}
