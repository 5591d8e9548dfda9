/**
 * Everything the tracker reports about itself: peer summaries aggregated per stream, Prometheus
 * metrics, the dashboard's history and its HTTP routes, and logs. The tracker calls it at a few
 * points (frame, message, reject, leave) and routes /metrics and /dashboard* to it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientMessage, PeerSummary } from '@swarmcast/protocol';
import type { Logger } from 'pino';
import type { TrackerConfig } from '../config.js';
import { TrackerError } from '../errors.js';
import type { TrackerRejectCode } from '../errors.js';
import { handleMonitoringRequest, type MonitoringData } from './monitoring-routes.js';
import { silentLogger, WarnLimiter } from './logger.js';
import { StreamHistory } from './stream-history.js';
import { StreamStats, gaugesOf, p2pShareOf } from './stream-stats.js';
import { TrackerMetrics } from './tracker-metrics.js';

export type ObservabilityConfig = Pick<
  TrackerConfig,
  | 'summaryIntervalMs'
  | 'maxStreamsTracked'
  | 'maxStreamsLabelled'
  | 'dashboardMaxStreams'
  | 'historySampleMs'
  | 'historySamples'
  | 'monitoringToken'
  | 'logger'
  | 'warnLogIntervalMs'
>;

/** What it reads from the tracker. */
export interface ObservabilitySources {
  connections(): number;
  swarms(): number;
  memberships(): number;
  viewers(swarm: string): number;
  /** Monotonic ms. */
  now(): number;
}

/** Refusals that happen in normal operation: logged at debug, not warn. */
const ROUTINE_REJECTS: ReadonlySet<TrackerRejectCode> = new Set(['SIGNAL_UNKNOWN_PEER', 'HEARTBEAT_TIMEOUT', 'SUMMARY_TOO_FREQUENT']);

export class Observability {
  readonly log: Logger;
  readonly streams: StreamStats;
  readonly metrics: TrackerMetrics;
  readonly #config: ObservabilityConfig;
  readonly #sources: ObservabilitySources;
  readonly #warns: WarnLimiter;
  readonly #histories = new Map<string, StreamHistory>();
  #timer: NodeJS.Timeout | undefined;
  #frameStartMs = 0;

  constructor(config: ObservabilityConfig, sources: ObservabilitySources) {
    this.#config = config;
    this.#sources = sources;
    this.log = (config.logger ?? silentLogger()).child({ module: 'tracker' });
    this.#warns = new WarnLimiter(config.warnLogIntervalMs);
    this.streams = new StreamStats(config, (_swarm, delta) => {
      this.metrics.summary(delta);
    });
    this.metrics = new TrackerMetrics({ ...sources, streams: () => this.streams.streams(), totals: () => this.streams.totals() }, config.maxStreamsLabelled);
  }

  /** Starts sampling the dashboard's history. */
  start(): void {
    this.#timer = setInterval(() => {
      this.#sample();
    }, this.#config.historySampleMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#histories.clear();
  }

  /** A frame arrived at nowMs (sources.now's clock): the relay latency of a signal is counted from here. */
  frame(nowMs: number): void {
    this.#frameStartMs = nowMs;
  }

  /** A valid message, about to be handled. */
  message(peerId: string, msg: ClientMessage): void {
    this.metrics.message(msg.type);
    if (this.log.isLevelEnabled('debug')) this.log.debug({ peerId, type: msg.type, swarm: 'swarm' in msg ? msg.swarm : undefined }, 'message');
  }

  /** A signal was queued to its addressee. */
  relayed(): void {
    this.metrics.relayed((this.#sources.now() - this.#frameStartMs) / 1000);
  }

  /** A summary from a member of its swarm; throws a non-fatal TrackerError when it is ignored. */
  summary(peerId: string, summary: PeerSummary): void {
    if (this.#config.summaryIntervalMs === 0) throw new TrackerError('SUMMARY_DISABLED', 'this tracker takes no summaries', { fatal: false });
    this.streams.report(peerId, summary, this.#sources.now());
  }

  /** The peer left the swarm or closed. */
  left(swarm: string, peerId: string): void {
    this.streams.departed(swarm, peerId, this.#sources.now());
  }

  rejected(code: TrackerRejectCode, ip: string | undefined, peerId?: string): void {
    this.metrics.reject(code);
    if (ROUTINE_REJECTS.has(code)) {
      if (this.log.isLevelEnabled('debug')) this.log.debug({ code, ip, peerId }, 'refused');
      return;
    }
    const suppressed = this.#warns.take(ip ?? 'no-address', this.#sources.now());
    if (suppressed !== undefined) this.log.warn({ code, ip, peerId, suppressed }, `client refused: ${code}`);
  }

  /** Answers /metrics and /dashboard*; false for any other path. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    return handleMonitoringRequest(req, res, this.#config.monitoringToken, {
      metrics: () => this.metrics.text(),
      metricsContentType: this.metrics.contentType,
      data: (sinceSec) => this.dashboardData(sinceSec),
      fail: (error) => {
        this.log.error({ err: error }, 'monitoring route failed');
      },
    });
  }

  /** The dashboard feed: the top streams by viewers, with their history since `sinceSec`. */
  dashboardData(sinceSec?: number): MonitoringData {
    const totals = this.streams.totals();
    const streams = this.#ranked().map(({ id, viewers }) => {
      const s = this.streams.get(id);
      const t = s?.totals;
      const g = s === undefined ? undefined : gaugesOf(s);
      return {
        id,
        viewers,
        reporters: g?.reporters ?? 0,
        p2pShare: t === undefined ? 0 : p2pShareOf(t),
        httpBytes: t?.httpBytes ?? 0,
        p2pBytes: t?.p2pBytes ?? 0,
        uploadedBytes: t?.uploadedBytes ?? 0,
        stalls: t?.stalls ?? 0,
        stalledMs: t?.stalledMs ?? 0,
        liveLatencyMs: g?.liveLatencyMs ?? null,
        peersMean: g?.peersMean ?? null,
        history: this.#histories.get(id)?.series(sinceSec) ?? null,
      };
    });
    return {
      nowSec: Date.now() / 1000,
      sampleMs: this.#config.historySampleMs,
      connections: this.#sources.connections(),
      swarms: this.#sources.swarms(),
      totals: { httpBytes: totals.httpBytes, p2pBytes: totals.p2pBytes, uploadedBytes: totals.uploadedBytes, p2pShare: p2pShareOf(totals) },
      streams,
    };
  }

  /** The dashboard's streams: the reported ones with the most viewers. */
  #ranked(): { id: string; viewers: number }[] {
    return [...this.streams.streams()]
      .map((s) => ({ id: s.id, viewers: this.#sources.viewers(s.id) }))
      .sort((a, b) => b.viewers - a.viewers || (a.id < b.id ? -1 : 1))
      .slice(0, this.#config.dashboardMaxStreams);
  }

  #sample(): void {
    const nowMs = this.#sources.now();
    this.streams.forgetIdle(nowMs - this.#config.historySampleMs * this.#config.historySamples);
    const ranked = this.#ranked();
    const keep = new Set(ranked.map((r) => r.id));
    for (const id of this.#histories.keys()) if (!keep.has(id)) this.#histories.delete(id);
    const t = Date.now() / 1000;
    for (const { id, viewers } of ranked) {
      const s = this.streams.get(id);
      if (s === undefined) continue;
      let history = this.#histories.get(id);
      if (history === undefined) this.#histories.set(id, (history = new StreamHistory(this.#config.historySamples)));
      const { httpBytes, p2pBytes, uploadedBytes, stalls } = s.totals;
      history.push({ t, viewers, httpBytes, p2pBytes, uploadedBytes, stalls, liveLatencyMs: gaugesOf(s).liveLatencyMs ?? Number.NaN });
    }
  }
}
