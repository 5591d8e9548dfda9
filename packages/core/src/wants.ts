import type { SegmentRef } from '@swarmcast/protocol';
import type { Peer } from './peer.js';
import { segmentKey } from './segment-id.js';
import { SegmentUrls } from './segment-urls.js';

/** Segments a WANT was sent for (each is sent once), and URLs fetched for one: past this, the oldest are forgotten. */
const MAX_KEYS = 256;

/** What Wants needs from the engine. */
export interface WantsHost {
  readonly clock: { now(): number };
  /** Peers past HELLO with a working path. */
  readyPeers(): readonly Peer[];
  /** The HTTP fetchers of `ref` by rendezvous over us and our peers (HELLO ids), the first the top one. */
  fetchers(ref: SegmentRef): string[];
  /** Our own HELLO id. */
  readonly selfId: string;
  /** Are we among the HTTP fetchers of `ref` (see Engine.isDesignatedFetcher)? */
  isFetcher(ref: SegmentRef): boolean;
  /** We hold `ref`, or are getting it. */
  hasOrGets(ref: SegmentRef): boolean;
  /** The player's deadline for `ref` if it is the segment after the player's latest (Prefetcher.nextDeadlineMs). */
  nextDeadlineMs(ref: SegmentRef): number | undefined;
  /** Least time before a deadline for a fetch started early (EngineConfig.minP2pSlackMs). */
  readonly minSlackMs: number;
  /** Starts getting `ref` from `url` (HTTP, as its fetcher) by `deadlineMs`, before our player asks. */
  fetch(ref: SegmentRef, url: string, deadlineMs: number): void;
}

/**
 * WANT (protocol 5). A new live segment's first HTTP copy used to enter a neighbourhood when one of
 * its rendezvous fetchers' own player asked for it, up to a target duration after the first viewer
 * near it did (each player refreshes its playlist at its own phase), and the copies from peers then
 * had that much less time before the deadlines. Now the first viewer whose player asks for a segment
 * nobody near it holds or is receiving tells the top fetcher (one message, once per segment), which
 * fetches it at once if it too counts itself the top fetcher and its own player is about to need it: the
 * segment after its latest, whose URL it finds from its own player's URLs (SegmentUrls). A peer names
 * no URL, so a WANT can only make us fetch, early, what our player would have fetched.
 */
export class Wants {
  /** WANT messages sent. */
  sent = 0;
  /** WANT messages received. */
  received = 0;
  /** Segments fetched because of a WANT. */
  fetched = 0;
  /** Of those, the ones the player then named by another URL than predicted (dropped, fetched again). */
  urlMismatches = 0;
  private readonly urls = new SegmentUrls();
  private readonly sentKeys = new Set<string>();
  /** Segment key -> the predicted URL a WANT made us fetch it from, until our player names it. */
  private readonly fetchedUrls = new Map<string, string>();

  constructor(private readonly host: WantsHost) {}

  /**
   * Our player asked for `ref` at `url` (a whole resource: `ranged` false) by `deadlineMs`, and we
   * are getting it. Due too soon for peers, it goes to HTTP at once here: no WANT then.
   */
  playerAsked(ref: SegmentRef, url: string, ranged: boolean, deadlineMs: number): void {
    if (!ranged) this.urls.asked(ref, url);
    const key = segmentKey(ref);
    if (deadlineMs - this.host.clock.now() < this.host.minSlackMs) return;
    if (this.sentKeys.has(key) || this.host.isFetcher(ref)) return;
    const peers = this.host.readyPeers();
    // Someone near us holds it or is receiving it: it is in the neighbourhood already.
    if (peers.some((p) => p.stateOfKey(key) !== undefined)) return;
    const top = this.host.fetchers(ref)[0];
    if (top === undefined || top === this.host.selfId) return;
    const peer = peers.find((p) => p.helloId === top);
    if (peer === undefined) return;
    this.sentKeys.add(key);
    if (this.sentKeys.size > MAX_KEYS) this.sentKeys.delete(this.sentKeys.values().next().value ?? '');
    peer.send({ type: 'want', rendition: ref.rendition, sn: ref.sn });
    this.sent += 1;
  }

  /**
   * A peer wants `ref`: fetch it now if we are its top fetcher by our own neighbours too (in a large
   * neighbourhood the others fetch at their own players' asks; more early copies cost more HTTP bytes
   * than the late transfers they save) and our player will need it next.
   */
  wanted(ref: SegmentRef): void {
    this.received += 1;
    if (this.host.hasOrGets(ref)) return;
    const deadlineMs = this.host.nextDeadlineMs(ref);
    if (deadlineMs === undefined || deadlineMs - this.host.clock.now() < this.host.minSlackMs) return;
    if (!this.host.isFetcher(ref) || this.host.fetchers(ref)[0] !== this.host.selfId) return;
    const url = this.urls.predict(ref);
    if (url === undefined) return;
    this.fetched += 1;
    const key = segmentKey(ref);
    this.fetchedUrls.set(key, url);
    if (this.fetchedUrls.size > MAX_KEYS) this.fetchedUrls.delete(this.fetchedUrls.keys().next().value ?? '');
    this.host.fetch(ref, url, deadlineMs);
  }

  /**
   * Our player asks for `ref` at `url`: false if a WANT made us fetch it from another URL (the
   * prediction was wrong: what we fetched is not what the player wants). Forgets the prediction.
   */
  matchesFetched(ref: SegmentRef, url: string, ranged: boolean): boolean {
    const key = segmentKey(ref);
    const fetchedUrl = this.fetchedUrls.get(key);
    if (fetchedUrl === undefined) return true;
    this.fetchedUrls.delete(key);
    if (fetchedUrl === url && !ranged) return true;
    this.urlMismatches += 1;
    return false;
  }
}
