/**
 * Prometheus metrics of one tracker, in a Registry of its own (never prom-client's global one), so
 * several trackers in one process do not clash. Counters move as things happen; gauges are read
 * from the tracker when scraped. Every label has a bounded set of values: message types and reject
 * codes are fixed lists, and streams are labelled only for the maxStreamsLabelled streams with the
 * most viewers, the rest summed under stream="other".
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { TrackerRejectCode } from '../errors.js';
import { CheapHistogram } from './cheap-histogram.js';
import { gaugesOf, p2pShareOf } from './stream-stats.js';
import type { StreamState, StreamTotals } from './stream-stats.js';

/** Where scrape-time gauges come from. */
export interface MetricsSources {
  connections(): number;
  swarms(): number;
  memberships(): number;
  /** Members of a swarm now. */
  viewers(swarm: string): number;
  streams(): Iterable<StreamState>;
  totals(): Readonly<StreamTotals>;
}

/** The label value of streams beyond the labelled ones. */
export const OTHER_STREAM = 'other';
const PREFIX = 'swarmcast_tracker_';
/** Relay latency buckets, seconds: 50 µs to 100 ms. */
const RELAY_BUCKETS_SEC = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

export class TrackerMetrics {
  readonly registry = new Registry();
  /** Valid messages by type since start: a plain count per message, handed to prom-client when scraped. */
  readonly #messageCounts = new Map<string, number>();
  readonly #rejects: Counter<'reason'>;
  readonly #relay: CheapHistogram;
  readonly #summaries: Counter;
  readonly #bytes: Counter<'source'>;
  readonly #uploaded: Counter;
  readonly #saved: Counter;
  readonly #stalls: Counter;
  readonly #stalledSec: Counter;

  constructor(sources: MetricsSources, maxStreamsLabelled: number) {
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({ name: PREFIX + name, help, registers, collect(): void { this.set(read()); } });
    };
    gauge('connections', 'Open, accepted client connections.', () => sources.connections());
    gauge('swarms', 'Swarms with at least one member.', () => sources.swarms());
    gauge('swarm_memberships', 'Swarm memberships (a connection in two swarms counts twice).', () => sources.memberships());
    gauge('p2p_share', 'Segment bytes peers got from peers over all segment bytes they reported, since start (0-1).', () => p2pShareOf(sources.totals()));
    const messageCounts = this.#messageCounts;
    const scraped = new Map<string, number>();
    new Counter({
      name: `${PREFIX}messages_total`,
      help: 'Valid client messages, by type.',
      labelNames: ['type'],
      registers,
      collect(): void {
        for (const [type, n] of messageCounts) {
          this.inc({ type }, n - (scraped.get(type) ?? 0));
          scraped.set(type, n);
        }
      },
    });
    this.#rejects = new Counter({ name: `${PREFIX}rejects_total`, help: 'Refused input and dropped connections, by reason (TrackerRejectCode).', labelNames: ['reason'], registers });
    this.#relay = new CheapHistogram({
      name: `${PREFIX}signal_relay_seconds`,
      help: 'Time from receiving a signal frame to queueing it to its addressee.',
      buckets: RELAY_BUCKETS_SEC,
      registers,
    });
    this.#summaries = new Counter({ name: `${PREFIX}summaries_total`, help: 'Peer summaries accepted.', registers });
    this.#bytes = new Counter({ name: `${PREFIX}peer_bytes_total`, help: 'Segment bytes peers reported receiving, by source (http, p2p).', labelNames: ['source'], registers });
    this.#uploaded = new Counter({ name: `${PREFIX}peer_uploaded_bytes_total`, help: 'Segment bytes peers reported sending to peers.', registers });
    this.#saved = new Counter({ name: `${PREFIX}origin_bytes_saved_total`, help: 'Origin egress saved: segment bytes peers got from peers instead of HTTP.', registers });
    this.#stalls = new Counter({ name: `${PREFIX}peer_stalls_total`, help: 'Playback stalls peers reported.', registers });
    this.#stalledSec = new Counter({ name: `${PREFIX}peer_stalled_seconds_total`, help: 'Time peers reported stalled.', registers });
    // Zero-valued series exist from the start, so rate() works from the first scrape.
    this.#bytes.inc({ source: 'http' }, 0);
    this.#bytes.inc({ source: 'p2p' }, 0);
    this.#defineStreamGauges(sources, maxStreamsLabelled);
  }

  /** type: a ClientMessage type (a fixed list, so the map stays small). */
  message(type: string): void {
    this.#messageCounts.set(type, (this.#messageCounts.get(type) ?? 0) + 1);
  }

  reject(code: TrackerRejectCode): void {
    this.#rejects.inc({ reason: code });
  }

  relayed(seconds: number): void {
    this.#relay.observe(seconds);
  }

  /** An accepted summary's increments. */
  summary(delta: Readonly<StreamTotals>): void {
    this.#summaries.inc();
    this.#bytes.inc({ source: 'http' }, delta.httpBytes);
    this.#bytes.inc({ source: 'p2p' }, delta.p2pBytes);
    this.#saved.inc(delta.p2pBytes);
    this.#uploaded.inc(delta.uploadedBytes);
    this.#stalls.inc(delta.stalls);
    this.#stalledSec.inc(delta.stalledMs / 1000);
  }

  /** The exposition text. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #defineStreamGauges(sources: MetricsSources, maxLabelled: number): void {
    const registers = [this.registry];
    // One collect fills all four (prom-client reads them in registration order, viewers first), so
    // a scrape sees one consistent ranking.
    const viewers = new Gauge({
      name: `${PREFIX}stream_viewers`,
      help: 'Members of the stream\'s swarm.',
      labelNames: ['stream'],
      registers,
      collect: () => {
        fill();
      },
    });
    const share = new Gauge({ name: `${PREFIX}stream_p2p_share`, help: 'P2P share of the stream since it was first reported (0-1).', labelNames: ['stream'], registers });
    const bytes = new Gauge({ name: `${PREFIX}stream_bytes`, help: 'Segment bytes the stream\'s peers reported receiving, by source.', labelNames: ['stream', 'source'], registers });
    const latency = new Gauge({ name: `${PREFIX}stream_live_latency_seconds`, help: 'Mean live latency of the stream\'s reporting peers.', labelNames: ['stream'], registers });
    const fill = (): void => {
      for (const g of [viewers, share, bytes, latency]) g.reset();
      const ranked = [...sources.streams()].map((s) => ({ s, viewers: sources.viewers(s.id) })).sort((a, b) => b.viewers - a.viewers);
      const other = { viewers: 0, httpBytes: 0, p2pBytes: 0 };
      ranked.forEach(({ s, viewers: n }, i) => {
        if (i >= maxLabelled) {
          other.viewers += n;
          other.httpBytes += s.totals.httpBytes;
          other.p2pBytes += s.totals.p2pBytes;
          return;
        }
        const stream = s.id;
        viewers.set({ stream }, n);
        share.set({ stream }, p2pShareOf(s.totals));
        bytes.set({ stream, source: 'http' }, s.totals.httpBytes);
        bytes.set({ stream, source: 'p2p' }, s.totals.p2pBytes);
        const ms = gaugesOf(s).liveLatencyMs;
        if (ms !== null) latency.set({ stream }, ms / 1000);
      });
      if (ranked.length > maxLabelled) {
        viewers.set({ stream: OTHER_STREAM }, other.viewers);
        share.set({ stream: OTHER_STREAM }, p2pShareOf(other));
        bytes.set({ stream: OTHER_STREAM, source: 'http' }, other.httpBytes);
        bytes.set({ stream: OTHER_STREAM, source: 'p2p' }, other.p2pBytes);
      }
    };
  }
}
