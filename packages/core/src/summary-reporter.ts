/**
 * Sends the tracker a summary of this peer's delivery and playback counters every
 * summaryIntervalMs, for the tracker's metrics and dashboard. Only to a tracker that asked for
 * them (summaryIntervalMs in its welcome), and never more often than it allows.
 */
import { LIMITS, type PeerSummary } from '@swarmcast/protocol';
import type { EngineConfig } from './config.js';
import type { Clock, TimerHandle } from './ports.js';

/** What the player integration knows and the engine does not: stalls and live latency. */
export interface PlaybackReport {
  /** Stalls after startup so far (cumulative). */
  readonly stalls: number;
  /** Time stalled so far, ms (cumulative). */
  readonly stalledMs: number;
  /** Distance to the live edge now, seconds; null when unknown or VOD. */
  readonly liveLatencySec: number | null;
}

/** The engine's side of a summary (cumulative counters and the peer count now). */
export interface DeliveryCounters {
  readonly httpBytes: number;
  readonly p2pBytes: number;
  readonly uploadedBytes: number;
  readonly segmentsHttp: number;
  readonly segmentsP2p: number;
  readonly peers: number;
}

export type SummaryFields = Omit<PeerSummary, 'type' | 'swarm'>;

export interface SummaryReporterHost {
  /** Our id at the tracker now; undefined while not connected. */
  peerId(): string | undefined;
  /** The tracker's least interval between summaries (from its welcome); undefined: it takes none. */
  trackerIntervalMs(): number | undefined;
  counters(): DeliveryCounters;
  send(summary: SummaryFields): void;
}

export type SummaryReporterConfig = Pick<EngineConfig, 'summaryIntervalMs'>;

type Cumulative = Pick<SummaryFields, 'httpBytes' | 'p2pBytes' | 'uploadedBytes' | 'segmentsHttp' | 'segmentsP2p' | 'stalls' | 'stalledMs'>;
const CUMULATIVE_KEYS = ['httpBytes', 'p2pBytes', 'uploadedBytes', 'segmentsHttp', 'segmentsP2p', 'stalls', 'stalledMs'] as const;
const ZERO: Cumulative = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, segmentsHttp: 0, segmentsP2p: 0, stalls: 0, stalledMs: 0 };
const U32_MAX = 0xffff_ffff;

export class SummaryReporter {
  private timer: TimerHandle;
  private lastSentMs = Number.NEGATIVE_INFINITY;
  private playback: PlaybackReport = { stalls: 0, stalledMs: 0, liveLatencySec: null };
  /** The tracker connection the last summary went to, and what it carried (engine-cumulative). */
  private sentPeerId: string | undefined;
  private lastSent: Cumulative = ZERO;
  /**
   * Engine-cumulative values already reported on earlier tracker connections: a new connection is a
   * new peer to the tracker, so it is sent only what the old one was not told (nothing twice).
   */
  private baseline: Cumulative = ZERO;
  private stopped = false;

  constructor(
    private readonly config: SummaryReporterConfig,
    private readonly clock: Clock,
    private readonly host: SummaryReporterHost,
  ) {}

  start(): void {
    if (this.config.summaryIntervalMs === 0 || this.stopped) return;
    this.schedule();
  }

  /** Takes the player's latest figures; values that are not finite and >= 0 are ignored. */
  reportPlayback(report: PlaybackReport): void {
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
    this.playback = {
      stalls: ok(report.stalls) ? report.stalls : this.playback.stalls,
      stalledMs: ok(report.stalledMs) ? report.stalledMs : this.playback.stalledMs,
      liveLatencySec: report.liveLatencySec === null || ok(report.liveLatencySec) ? report.liveLatencySec : this.playback.liveLatencySec,
    };
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.schedule();
      this.tick();
    }, this.config.summaryIntervalMs);
  }

  private tick(): void {
    const minMs = this.host.trackerIntervalMs();
    const peerId = this.host.peerId();
    if (minMs === undefined || peerId === undefined) return;
    const now = this.clock.now();
    if (now - this.lastSentMs < Math.max(this.config.summaryIntervalMs, minMs)) return;
    if (peerId !== this.sentPeerId) {
      this.baseline = this.lastSent;
      this.sentPeerId = peerId;
    }
    const c = this.host.counters();
    const current: Cumulative = {
      httpBytes: c.httpBytes,
      p2pBytes: c.p2pBytes,
      uploadedBytes: c.uploadedBytes,
      segmentsHttp: c.segmentsHttp,
      segmentsP2p: c.segmentsP2p,
      stalls: this.playback.stalls,
      stalledMs: this.playback.stalledMs,
    };
    const fields = { ...ZERO };
    for (const key of CUMULATIVE_KEYS) {
      const max = key === 'segmentsHttp' || key === 'segmentsP2p' || key === 'stalls' ? U32_MAX : LIMITS.maxSummaryBytes;
      fields[key] = clamp(current[key] - this.baseline[key], max);
    }
    const latency = this.playback.liveLatencySec;
    this.host.send({
      ...fields,
      liveLatencyMs: latency === null ? null : clamp(latency * 1000, U32_MAX),
      peers: clamp(c.peers, LIMITS.maxSummaryPeers),
    });
    this.lastSent = current;
    this.lastSentMs = now;
  }
}

/** An integer in [0, max], as the summary schema requires (a value out of it would get us dropped). */
function clamp(n: number, max: number): number {
  return Math.min(max, Math.max(0, Math.round(n)));
}
