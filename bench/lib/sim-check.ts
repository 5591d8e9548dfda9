/**
 * The simulator's figure for the scenario a bench:live run just measured in browsers, so each run
 * checks that the simulator (the same core over a modelled network) agrees with real browsers.
 * Same viewers, duration, joins and stream (400 kbit/s, 2 s segments); uploads on loopback are
 * modelled as 25x the bitrate (the browsers' uplink is not the limit there), a shaped run uses its
 * --upload-kbps and --rtt-ms. The simulated players sit at hls.js's default distance from the
 * edge and play to the end of the run (a browser viewer leaves `duration` after its join).
 */
import { computeMetrics } from '../../sim/src/metrics.ts';
import { scenario } from '../../sim/src/params.ts';
import { runScenario } from '../../sim/src/world.ts';

/** The demo origin's stream (packages/origin/src/live-ffmpeg.ts). */
const BITRATE_KBPS = 400;
/** Loopback uplinks, as a multiple of the bitrate: far above what the swarm needs. */
const LOOPBACK_UPLOAD_MULTIPLE = 25;
const LOOPBACK_RTT_MS = 1;
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
  readonly scenario: { peers: number; durationSec: number; rampSec: number; uploadMultiple: number; rttMs: number; churn: number; seeds: string[] };
}

export async function simulatorCheck(input: SimCheckInput): Promise<SimCheck> {
  const uploadMultiple = input.uploadKbps === null ? LOOPBACK_UPLOAD_MULTIPLE : input.uploadKbps / BITRATE_KBPS;
  const rttMs = input.rttMs ?? LOOPBACK_RTT_MS;
  const churn = input.churnPct / 100;
  const shares: number[] = [];
  let latency = 0;
  let stalls = 0;
  for (const seed of SEEDS) {
    const params = scenario({
      peers: input.viewers,
      durationSec: input.durationSec,
      rampSec: input.joinSpreadSec,
      uploadMix: [{ fraction: 1, multiple: uploadMultiple }],
      downloadMultiple: Math.max(25, 4 * uploadMultiple),
      rttMinMs: rttMs,
      rttMaxMs: rttMs,
      churn,
      bitrateKbps: BITRATE_KBPS,
      segmentSec: 2,
      seed,
      engine: { ...input.engineOverrides },
    });
    const r = computeMetrics(await runScenario(params));
    shares.push(r.p2pShare);
    latency += r.liveLatencySec.mean;
    stalls += r.stalls;
  }
  return {
    p2pShare: shares.reduce((a, b) => a + b, 0) / shares.length,
    p2pShareBySeed: shares,
    liveLatencySec: latency / SEEDS.length,
    stalls,
    scenario: { peers: input.viewers, durationSec: input.durationSec, rampSec: input.joinSpreadSec, uploadMultiple, rttMs, churn, seeds: SEEDS },
  };
}
