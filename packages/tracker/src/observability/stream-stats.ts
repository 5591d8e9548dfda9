/**
 * Per-stream aggregation of peer summaries. Each peer's counters are cumulative over its
 * connection, so the tracker adds up the increments between a peer's consecutive reports: a
 * stream's totals then include peers that left (their last report stays counted) and a lost report
 * loses nothing. The latest report of each connected peer gives the gauges (latency, peers).
 * Bounded: at most maxStreamsTracked streams, one entry per connected reporting peer.
 */
import type { PeerSummary } from '@swarmcast/protocol';
import { TrackerError } from '../errors.js';

/** Counters summed over peers, present and departed. */
export interface StreamTotals {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  segmentsHttp: number;
  segmentsP2p: number;
  stalls: number;
  stalledMs: number;
}

export const TOTAL_KEYS = ['httpBytes', 'p2pBytes', 'uploadedBytes', 'segmentsHttp', 'segmentsP2p', 'stalls', 'stalledMs'] as const;

export function emptyTotals(): StreamTotals {
  return { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, segmentsHttp: 0, segmentsP2p: 0, stalls: 0, stalledMs: 0 };
}

/** P2P bytes over all segment bytes, 0 when nothing was received. */
export function p2pShareOf(t: Pick<StreamTotals, 'httpBytes' | 'p2pBytes'>): number {
  const all = t.httpBytes + t.p2pBytes;
  return all > 0 ? t.p2pBytes / all : 0;
}

export interface StreamStatsConfig {
  /** Reports from one peer closer together than half this are ignored (SUMMARY_TOO_FREQUENT). */
  readonly summaryIntervalMs: number;
  /** Most streams aggregated at once; at the cap, a new stream evicts the idlest one without reporters, or is refused. */
  readonly maxStreamsTracked: number;
}

interface PeerEntry {
  last: PeerSummary;
  acceptedMs: number;
}

/** One stream's state, read-only for the outside. */
export interface StreamState {
  readonly id: string;
  readonly totals: Readonly<StreamTotals>;
  /** Latest report of each connected peer, by peer id. */
  readonly peers: ReadonlyMap<string, { readonly last: PeerSummary }>;
  /** When the stream last received a report or lost a reporter (monotonic ms). */
  readonly updatedMs: number;
}

interface MutableStream {
  readonly id: string;
  readonly totals: StreamTotals;
  readonly peers: Map<string, PeerEntry>;
  updatedMs: number;
}

/** Gauges of a stream from its connected reporters. */
export interface StreamGauges {
  /** Connected peers that reported at least once. */
  reporters: number;
  /** Mean live latency over reporters that know theirs, ms; null if none does. */
  liveLatencyMs: number | null;
  /** Mean peer count over reporters; null without reporters. */
  peersMean: number | null;
}

/** Increments one accepted report added, for counters kept elsewhere (Prometheus). */
export type ReportListener = (swarm: string, delta: Readonly<StreamTotals>) => void;

export class StreamStats {
  readonly #config: StreamStatsConfig;
  readonly #streams = new Map<string, MutableStream>();
  readonly #totals = emptyTotals();
  readonly #onReport: ReportListener | undefined;

  constructor(config: StreamStatsConfig, onReport?: ReportListener) {
    this.#config = config;
    this.#onReport = onReport;
  }

  /**
   * Adds a summary from `peerId` (already known to be a member of summary.swarm). Throws a
   * non-fatal TrackerError when the report is ignored: too soon after the previous one, counters
   * that went down, or no room for a new stream.
   */
  report(peerId: string, summary: PeerSummary, nowMs: number): void {
    const stream = this.#streams.get(summary.swarm) ?? this.#addStream(summary.swarm, nowMs);
    const previous = stream.peers.get(peerId);
    if (previous !== undefined) {
      if (nowMs - previous.acceptedMs < this.#config.summaryIntervalMs / 2) {
        throw new TrackerError('SUMMARY_TOO_FREQUENT', `at most one summary per ${this.#config.summaryIntervalMs} ms`, { fatal: false });
      }
      const down = TOTAL_KEYS.find((k) => summary[k] < previous.last[k]);
      if (down !== undefined) throw new TrackerError('SUMMARY_REGRESSED', `summary counter ${down} went down: counters are cumulative`, { fatal: false });
    }
    const delta = emptyTotals();
    for (const k of TOTAL_KEYS) {
      delta[k] = summary[k] - (previous?.last[k] ?? 0);
      stream.totals[k] += delta[k];
      this.#totals[k] += delta[k];
    }
    stream.peers.set(peerId, { last: summary, acceptedMs: nowMs });
    stream.updatedMs = nowMs;
    this.#onReport?.(summary.swarm, delta);
  }

  /** The peer left the swarm (or closed): its counters stay in the totals, its gauges go. */
  departed(swarm: string, peerId: string, nowMs: number): void {
    const stream = this.#streams.get(swarm);
    if (stream?.peers.delete(peerId) === true) stream.updatedMs = nowMs;
  }

  /** Drops streams with no reporter left that were last updated before `beforeMs`. */
  forgetIdle(beforeMs: number): void {
    for (const [id, s] of this.#streams) if (s.peers.size === 0 && s.updatedMs < beforeMs) this.#streams.delete(id);
  }

  get(swarm: string): StreamState | undefined {
    return this.#streams.get(swarm);
  }

  streams(): IterableIterator<StreamState> {
    return this.#streams.values();
  }

  get size(): number {
    return this.#streams.size;
  }

  /** Every stream's totals summed, departed and forgotten streams included: only grows. */
  totals(): Readonly<StreamTotals> {
    return this.#totals;
  }

  #addStream(id: string, nowMs: number): MutableStream {
    if (this.#streams.size >= this.#config.maxStreamsTracked) this.#evictOne();
    const stream: MutableStream = { id, totals: emptyTotals(), peers: new Map(), updatedMs: nowMs };
    this.#streams.set(id, stream);
    return stream;
  }

  /** Evicts the least recently updated stream without reporters, or refuses the new one. */
  #evictOne(): void {
    let idlest: MutableStream | undefined;
    for (const s of this.#streams.values()) if (s.peers.size === 0 && (idlest === undefined || s.updatedMs < idlest.updatedMs)) idlest = s;
    if (idlest === undefined) {
      throw new TrackerError('SUMMARY_UNTRACKED', `the tracker aggregates at most ${this.#config.maxStreamsTracked} streams`, { fatal: false });
    }
    this.#streams.delete(idlest.id);
  }
}

/** Gauges of one stream from the latest reports of its connected peers. */
export function gaugesOf(stream: StreamState): StreamGauges {
  let latencySum = 0;
  let latencyCount = 0;
  let peersSum = 0;
  for (const { last } of stream.peers.values()) {
    peersSum += last.peers;
    if (last.liveLatencyMs !== null) {
      latencySum += last.liveLatencyMs;
      latencyCount += 1;
    }
  }
  const n = stream.peers.size;
  return { reporters: n, liveLatencyMs: latencyCount > 0 ? latencySum / latencyCount : null, peersMean: n > 0 ? peersSum / n : null };
}
