/**
 * The simulator's figure for the scenario a bench:live run just measured in browsers, so each run
 * checks that the simulator (the same core over a modelled network) agrees with real browsers.
 * Same viewers, duration, joins and stream (the loop's mean bitrate, 2 s segments); uploads on loopback are
 * modelled as 25x the bitrate (the browsers' uplink is not the limit there), a shaped run uses its
 * --upload-kbps and --rtt-ms as the testbed applies them: --rtt-ms is each viewer's access link
 * (bench/lib/netns-testbed.ts), so a viewer is rtt from the origin and 2 x rtt from another viewer,
 * whose traffic crosses both access links. The simulated players sit at hls.js's default distance
 * from the edge and play to the end of the run (a browser viewer leaves `duration` after its join).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineDefaults } from '@swarmcast/core';
import { defaultLoopDir, parseLoopIndex } from '@swarmcast/origin';
import { computeMetrics } from '../../sim/src/metrics.ts';
import { scenario, type ScenarioParams } from '../../sim/src/params.ts';
import { runScenario } from '../../sim/src/world.ts';

/**
 * The stream bench:live plays, the origin's bundled loop (bench/lib/environment.ts), at its mean
 * bitrate: its segments' bytes over their duration (369 kbit/s; its BANDWIDTH, the peak, is 403).
 */
export const BITRATE_KBPS = parseLoopIndex(JSON.parse(readFileSync(join(defaultLoopDir, 'index.json'), 'utf8'))).averageBandwidth / 1000;
/** The loop's segment duration. */
const SEGMENT_SEC = 2;
/** Loopback uplinks, as a multiple of the bitrate: far above what the swarm needs. */
const LOOPBACK_UPLOAD_MULTIPLE = 25;
const LOOPBACK_RTT_MS = 1;
/** The origin's own time to answer a segment request, on top of the round trip to it (it serves from memory). */
const ORIGIN_SERVE_MS = 5;
const SEEDS = ['bench-1', 'bench-2', 'bench-3'];

export interface SimCheckInput {
  readonly viewers: number;
  readonly durationSec: number;
  readonly joinSpreadSec: number;
  readonly churnPct: number;
  readonly uploadKbps: number | null;
  readonly rttMs: number | null;
  /** Numeric engine settings, as the browsers got them (see BenchArgs.engineOverrides). */
  readonly engineOverrides?: Readonly<Record<string, number>>;
}

export interface SimCheck {
  /** Mean over the seeds. */
  readonly p2pShare: number;
  readonly p2pShareBySeed: number[];
  readonly liveLatencySec: number;
  readonly stalls: number;
  /** rttMs: the access link's (viewer to origin); peerRttMs: viewer to viewer, as simulated. */
  readonly scenario: { peers: number; durationSec: number; rampSec: number; uploadMultiple: number; rttMs: number; peerRttMs: number; churn: number; seeds: string[] };
}

/** The network of the check: upload as a multiple of the bitrate, RTT to the origin and between viewers. */
function checkNetwork(input: SimCheckInput): { uploadMultiple: number; rttMs: number; peerRttMs: number } {
  return {
    uploadMultiple: input.uploadKbps === null ? LOOPBACK_UPLOAD_MULTIPLE : input.uploadKbps / BITRATE_KBPS,
    rttMs: input.rttMs ?? LOOPBACK_RTT_MS,
    // Viewer to viewer: two access links (see above); on loopback there are none.
    peerRttMs: input.rttMs === null ? LOOPBACK_RTT_MS : 2 * input.rttMs,
  };
}

/** The simulator's scenario for one seed of the check: what the testbed gave the browsers. */
export function simCheckScenario(input: SimCheckInput, seed: string): ScenarioParams {
  const { uploadMultiple, rttMs, peerRttMs } = checkNetwork(input);
  return scenario({
    peers: input.viewers,
    durationSec: input.durationSec,
    rampSec: input.joinSpreadSec,
    uploadMix: [{ fraction: 1, multiple: uploadMultiple }],
    downloadMultiple: Math.max(25, 4 * uploadMultiple),
    rttMinMs: peerRttMs,
    rttMaxMs: peerRttMs,
    originTtfbMinMs: rttMs,
    originTtfbMaxMs: rttMs + ORIGIN_SERVE_MS,
    churn: input.churnPct / 100,
    bitrateKbps: BITRATE_KBPS,
    segmentSec: SEGMENT_SEC,
    // The browsers' store (64 MiB: hundreds of segments), so the check sends LOST as rarely as they do.
    storeSegments: Math.floor(engineDefaults.storeBudgetBytes / ((BITRATE_KBPS * 1000 * SEGMENT_SEC) / 8)),
    seed,
    engine: { ...input.engineOverrides },
  });
}

export async function simulatorCheck(input: SimCheckInput): Promise<SimCheck> {
  const shares: number[] = [];
  let latency = 0;
  let stalls = 0;
  for (const seed of SEEDS) {
    const r = computeMetrics(await runScenario(simCheckScenario(input, seed)));
    shares.push(r.p2pShare);
    latency += r.liveLatencySec.mean;
    stalls += r.stalls;
  }
  return {
    p2pShare: shares.reduce((a, b) => a + b, 0) / shares.length,
    p2pShareBySeed: shares,
    liveLatencySec: latency / SEEDS.length,
    stalls,
    scenario: { peers: input.viewers, durationSec: input.durationSec, rampSec: input.joinSpreadSec, ...checkNetwork(input), churn: input.churnPct / 100, seeds: SEEDS },
  };
}
