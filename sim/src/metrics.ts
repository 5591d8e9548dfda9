/**
 * The run's figures, named as in ARCHITECTURE.md "Metrics everyone uses", from what every part
 * counted. rhoMax, the best P2P share the scenario allows:
 *   rhoMax = min(1 - 1/n, U / b)
 * where n = peers, b = the bitrate and U = the mean upload capacity over the upload mix
 * (sum of fraction x multiple x b): the origin must send every segment at least once (1 - 1/n), and
 * peers cannot upload more than their capacity in total (U / b of the demand).
 */
import type { ScenarioParams } from './params.ts';
import type { RunOutcome } from './world.ts';

export interface SimResult {
  peers: number;
  sessions: number;
  simulatedSec: number;
  wallSec: number;
  integrity: 'off';
  p2pShare: number;
  originEgressPerSegment: number;
  offloadLimit: number;
  rhoMax: number;
  shareOfLimit: number;
  shareOfRhoMax: number;
  continuity: number;
  stallRatio: { mean: number; max: number };
  stalls: number;
  startupMs: { mean: number; max: number };
  liveLatencySec: { mean: number };
  lagSpreadSec: number;
  controlOverhead: number;
  /** controlOverhead without LOST messages (which a browser's 64 MB store rarely sends; see README). */
  controlOverheadNoLost: number;
  cpuPerViewer: number;
  /** CPU seconds of the run (user + system): comparable across runs on a busy machine, unlike wallSec. */
  cpuSec: number;
  counts: Record<string, number>;
  engine: Record<string, number>;
  /** Peer disconnections by reason (numbers and keys masked). */
  disconnectReasons: Record<string, number>;
  errors: string[];
  notes: string[];
  params: ScenarioParams;
  date: string;
}

const round = (x: number, digits = 4): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : 0);
const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const max = (xs: readonly number[]): number => xs.reduce((a, b) => (b > a ? b : a), 0);

/** The mean upload capacity as a multiple of the bitrate. */
export function meanUploadMultiple(params: ScenarioParams): number {
  return params.uploadMix.reduce((s, c) => s + c.fraction * c.multiple, 0);
}

export function computeMetrics(run: RunOutcome): SimResult {
  const { params, sessions } = run;
  const n = params.peers;
  const p2p = run.engineTotals.p2pBytes ?? 0;
  const http = run.engineTotals.httpBytes ?? 0;
  const p2pShare = p2p + http === 0 ? 0 : p2p / (p2p + http);
  const offloadLimit = 1 - 1 / n;
  const rhoMax = Math.min(offloadLimit, meanUploadMultiple(params));
  const judged = sessions.reduce((s, r) => s + r.judgedLoads, 0);
  const stalls = sessions.reduce((s, r) => s + r.stalls, 0);
  const segmentMs = params.segmentSec * 1000;
  const ratios = sessions.flatMap((r) => {
    if (r.playStartMs === undefined || r.endMs === undefined) return [];
    const watchMs = r.endMs - r.playStartMs;
    return watchMs >= segmentMs ? [r.stalledMs / watchMs] : [];
  });
  const startups = sessions.flatMap((r) => (r.startupMs === undefined ? [] : [r.startupMs]));
  const latencySum = sessions.reduce((s, r) => s + r.latencySumSec, 0);
  const latencySamples = sessions.reduce((s, r) => s + r.latencySamples, 0);
  const endMs = params.durationSec * 1000;
  const finals = sessions.flatMap((r) => (r.endMs === endMs && r.finalLatencySec !== undefined ? [r.finalLatencySec] : []));
  const segmentBytesOnce = run.distinctSegments * run.segmentBytes;
  const scale = params.byteScale;
  return {
    peers: n,
    sessions: sessions.length,
    simulatedSec: params.durationSec,
    wallSec: round(run.wallSec, 1),
    integrity: 'off',
    p2pShare: round(p2pShare),
    originEgressPerSegment: round(segmentBytesOnce === 0 ? 0 : run.origin.egressBytes / segmentBytesOnce, 2),
    offloadLimit: round(offloadLimit, 6),
    rhoMax: round(rhoMax, 6),
    shareOfLimit: round(p2pShare / offloadLimit),
    shareOfRhoMax: round(p2pShare / rhoMax),
    continuity: round(judged === 0 ? 1 : (judged - stalls) / judged, 5),
    stallRatio: { mean: round(mean(ratios), 5), max: round(max(ratios), 5) },
    stalls,
    startupMs: { mean: round(mean(startups), 0), max: round(max(startups), 0) },
    liveLatencySec: { mean: round(latencySamples === 0 ? 0 : latencySum / latencySamples, 2) },
    lagSpreadSec: round(finals.length === 0 ? 0 : Math.max(...finals) - Math.min(...finals), 2),
    controlOverhead: round(run.network.dataBytes === 0 ? 0 : run.network.controlBytes / run.network.dataBytes, 5),
    controlOverheadNoLost: round(run.network.dataBytes === 0 ? 0 : (run.network.controlBytes - run.network.lostBytes) / run.network.dataBytes, 5),
    cpuPerViewer: round(run.cpuSec / n / params.durationSec, 6),
    cpuSec: round(run.cpuSec, 1),
    counts: {
      judgedLoads: judged,
      loadsFromP2p: sessions.reduce((s, r) => s + r.loadsFromP2p, 0),
      loadsFromHttp: sessions.reduce((s, r) => s + r.loadsFromHttp, 0),
      loadErrors: sessions.reduce((s, r) => s + r.loadErrors, 0),
      startupsMissing: sessions.length - startups.length,
      distinctSegments: run.distinctSegments,
      segmentBytes: run.segmentBytes,
      originEgressBytes: Math.round(run.origin.egressBytes),
      originRequests: run.origin.requests,
      originRangeRequests: run.origin.rangeRequests,
      originAborted: run.origin.aborted,
      dataChannelMessages: run.network.messages,
      dataChannelDataMessages: run.network.dataMessages,
      dataChannelDataBytes: Math.round(run.network.dataBytes),
      dataChannelControlBytes: run.network.controlBytes,
      trackerMessagesIn: run.tracker.messagesIn,
      trackerMessagesOut: run.tracker.messagesOut,
      trackerSignalsRelayed: run.tracker.signalsRelayed,
      trackerRejected: run.tracker.rejected,
      events: run.events,
      engineErrors: run.engineErrors,
      callbackErrors: run.callbackErrorCount,
    },
    // Byte counters at full scale (the engines count the byteScale-times-smaller bytes they held).
    engine: Object.fromEntries(Object.entries(run.engineTotals).map(([k, v]) => [k, /bytes/i.test(k) && !/control|tracker/i.test(k) ? v * scale : v])),
    disconnectReasons: run.disconnectReasons,
    errors: run.callbackErrors.slice(0, 5),
    notes: [
      'integrity checks are off in simulation (integrity: "off"): peers are trusted, no hashing or signatures',
      `rhoMax = min(1 - 1/n, mean upload / bitrate) = min(${round(offloadLimit, 6)}, ${round(meanUploadMultiple(params), 4)})`,
      ...(scale > 1 ? [`byte scale ${scale}: segment bytes are held ${scale}x smaller in memory, the network charges them at full size`] : []),
    ],
    params,
    date: new Date().toISOString(),
  };
}
