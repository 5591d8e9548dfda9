/**
 * The scheduler's choices of source: which peers to ask for a segment and in what order, and which
 * of us fetch a new segment from the CDN (rendezvous hashing over us and our peers).
 */
import type { SegmentRef } from '@swarmcast/protocol';
import { countedUploadKbps, type Peer } from './peer.js';
import type { Clock } from './ports.js';
import { rendezvousTop } from './rendezvous.js';
import { segmentKey } from './segment-id.js';

/**
 * A peer that answered us BUSY this recently is asked after every other candidate: its queue is
 * likely still full (the simulator, 300 peers x 60 s, seeds 7/8/9: +1.3 points of P2P share).
 */
const RECENTLY_BUSY_MS = 1_000;

/** A peer designated this many times in a row without announcing is no longer designated. */
const MAX_MISSED_FETCHES = 2;

export interface SourceChoiceHost {
  readonly clock: Clock;
  /** Our id as announced in HELLO. */
  readonly selfId: string;
  /** The upload we announce (EngineConfig.uploadKbps). */
  readonly selfUploadKbps: number;
  /** We are a seeder (EngineConfig.seeder). */
  readonly selfIsSeeder: boolean;
  readyPeers(): Peer[];
  isSeeder(peer: Peer): boolean;
}

/** A peer's weight in the choice of HTTP fetchers: its announced upload (bounded), 1 when it announced none. */
function fetcherWeight(countedUploadKbps: number): number {
  return Math.max(1, countedUploadKbps);
}

export class SourceChoice {
  constructor(
    private readonly host: SourceChoiceHost,
    /** At most this many HTTP fetchers for a segment (EngineConfig.httpFetchersPerSegment). */
    private readonly httpFetchersPerSegment: number,
    /** One HTTP fetcher per this many of us and our peers (EngineConfig.peersPerHttpFetcher). */
    private readonly peersPerHttpFetcher: number,
  ) {}

  /** The ready peers that hold or receive `ref`, except `exclude`, best first. */
  candidates(ref: SegmentRef, exclude: ReadonlySet<string>): Peer[] {
    // Seeders first while they deliver in time (one receiving a segment gets it from the CDN as fast
    // as we would); then our last source (see lastSource); then holders before relays; then peers
    // that delivered in time; then the larger announced upload (a peer that overstates it is soon
    // ranked down by its late deliveries). Peers that just answered us BUSY come last.
    const key = segmentKey(ref);
    const now = this.host.clock.now();
    const source = this.lastSource();
    const rank = (p: Peer): number =>
      (p === source ? -5e12 : 0) +
      (p.lateDeliveries < 2 && this.host.isSeeder(p) ? 0 : 8e12) +
      (p.stateOfKey(key) === 'have' ? 0 : 4e12) +
      (now - p.lastBusyAtMs < RECENTLY_BUSY_MS ? 2e13 : 0) +
      Math.min(p.lateDeliveries, 3) * 1e12 -
      Math.min(p.uploadKbps, 1e6) * 1e4 +
      p.activeDownloads;
    return this.host
      .readyPeers()
      .filter((p) => !exclude.has(p.id) && p.stateOfKey(key) !== undefined)
      .sort((a, b) => rank(a) - rank(b));
  }

  /**
   * The peer to take over the rest of a slow relay's transfer (see EngineConfig.relayHandoverAfterMs):
   * the best candidate not in `exclude`, if it holds the whole segment, did not answer us BUSY
   * lately, and sends `restBytes` within `withinMs` at the upload it announced.
   */
  handoverHolder(ref: SegmentRef, exclude: ReadonlySet<string>, restBytes: number, withinMs: number): Peer | undefined {
    const best = this.candidates(ref, exclude)[0];
    if (best === undefined || best.stateOf(ref) !== 'have' || this.host.clock.now() - best.lastBusyAtMs < RECENTLY_BUSY_MS) return undefined;
    const bytesPerMs = best.countedUploadKbps / 8;
    return bytesPerMs > 0 && restBytes / bytesPerMs <= withinMs ? best : undefined;
  }

  /**
   * The ready peer that last delivered a segment to us in time; none when it was late since (the
   * order it kept is broken; the next delivery in time sets a new one). Asked first for each new
   * segment, it keeps the order in which copies pass from uplink to uplink the same from segment to
   * segment, so a peer's turn for the next one comes after its turn for this one ended instead of
   * colliding with it: +1.1 points in the simulator's constrained check (12 viewers, 1.5x uplinks).
   */
  lastSource(): Peer | undefined {
    let source: Peer | undefined;
    for (const p of this.host.readyPeers()) if (p.lastInTimeAtMs > (source?.lastInTimeAtMs ?? Number.NEGATIVE_INFINITY)) source = p;
    return source?.lateSinceInTime === true ? undefined : source;
  }

  /** True when we are among the HTTP fetchers of `ref`. */
  isFetcher(ref: SegmentRef): boolean {
    return this.fetchers(ref).includes(this.host.selfId);
  }

  /**
   * The HTTP fetchers of a new segment by rendezvous hashing over us and our peers, ranked by the
   * ids announced in HELLO (which, unlike tracker ids, survive a tracker reconnect). Each weighs by
   * the upload it announced (uploadKbps, 1 when it announced none): the first copy of a segment does
   * the most good on a fast uplink, which serves it on to several peers while it is new. A peer
   * overstating its uplink only makes itself a fetcher more often; one that then does not fetch, or
   * fetches and serves nobody, is asked last and soon left out (missedFetches, lateDeliveries).
   * Peers that repeatedly failed to fetch what they were designated for
   * are left out until they announce something again, and so are peers that announced segments of
   * other renditions lately and none of this one: they play another rung of the ladder and will not fetch it. With a
   * seeder among us, only seeders fetch (the tracker names them; one that misses is left out as any other).
   */
  fetchers(ref: SegmentRef): string[] {
    const now = this.host.clock.now();
    const peers = this.host.readyPeers().filter((p) => p.missedFetches < MAX_MISSED_FETCHES && p.renditions.mayPlay(ref.rendition, now));
    // A seeder fetches every segment anyway: with one among us, a second copy from the CDN is waste.
    const seeders = peers.filter((p) => this.host.isSeeder(p));
    if (seeders.length > 0 || this.host.selfIsSeeder) {
      const ids = seeders.map((p) => ({ id: p.helloId, weight: 1 }));
      if (this.host.selfIsSeeder) ids.push({ id: this.host.selfId, weight: 1 });
      return rendezvousTop(ids, segmentKey(ref), 1);
    }
    const candidates = [
      { id: this.host.selfId, weight: fetcherWeight(countedUploadKbps(this.host.selfUploadKbps)) },
      ...peers.map((p) => ({ id: p.helloId, weight: fetcherWeight(p.countedUploadKbps) })),
    ];
    // One fetcher per peersPerHttpFetcher of the neighbourhood: a small swarm needs one, a large one
    // seeds each segment in several places at once, so it spreads before the deadlines.
    const count = Math.min(this.httpFetchersPerSegment, Math.max(1, Math.ceil(candidates.length / this.peersPerHttpFetcher)));
    return rendezvousTop(candidates, segmentKey(ref), count);
  }

  /** Nobody announced `ref` while we waited: the peers designated to fetch it missed. */
  blame(ref: SegmentRef): void {
    const designated = new Set(this.fetchers(ref));
    for (const peer of this.host.readyPeers()) if (designated.has(peer.helloId)) peer.missedFetches += 1;
  }
}
