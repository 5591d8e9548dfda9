import type { SegmentRef } from '@swarmcast/protocol';
import type { EngineConfig } from './config.js';
import { EngineError } from './errors.js';
import { PartialSegment } from './partial-segment.js';
import type { Peer } from './peer.js';
import type { AcquiredSegment, AcquisitionHost } from './acquisition-host.js';
import type { ByteRange } from './ports.js';
import type { Verdict } from './record-book.js';
import type { HttpFetchReason } from './stats.js';
import { planLateSplit, type LateHead, type LateSplit } from './late-split.js';
import { askPeer, reasonOf, type AttemptOwner } from './peer-attempt.js';
import { fetchSegmentBytes, settle, type Settled } from './segment-http.js';

export type AcquisitionConfig = Pick<
  EngineConfig,
  'httpSafetyMs' | 'minHttpSafetyMs' | 'lateSplitPaceShare' | 'relayHandoverAfterMs' | 'minP2pSlackMs' | 'busyRetryWaitMs' | 'maxAnnounceWaitMs' | 'p2pStallTimeoutMs' | 'httpFetchersPerSegment' | 'seederWaitMs' | 'urgentPeerWaitMs'
>;

/** The HTTP margin is this many times a whole segment's measured fetch time (see Acquisition.safetyMs). */
const HTTP_SAFETY_FACTOR = 3;

/** An urgent try shorter than this could not bring a segment's first chunks: straight to HTTP. */
const MIN_URGENT_TRY_MS = 100;

/** A request to a peer with less time than this before the P2P deadline is not made (see runPeers). */
const MIN_PEER_TRY_MS = 500;

/**
 * Gets one segment's bytes by its deadline: from a peer when one can deliver in time, otherwise
 * (or for what a peer left undelivered) over HTTP with a Range request. Startup never waits for peers.
 */
export class Acquisition {
  /** The bytes assembled so far (read by uploads that relay them on, cut-through). */
  partial: PartialSegment | undefined;
  private p2pBytes = 0;
  /** Peers whose bytes are in `partial`. */
  private readonly contributors = new Set<Peer>();

  /** Set while a seeder or a holder is asked for a segment with little slack: the P2P deadline of that attempt. */
  private urgentUntilMs: number | undefined;

  /** Why the peer part left the segment to HTTP (counted when the HTTP fetch starts). */
  private httpReason: HttpFetchReason = 'unannounced';
  /** The last peer asked that did not deliver (for the count of HTTP fetches after a seeder). */
  private lastFailedPeer: Peer | undefined;

  /** The player's wait for the segment, once it asks (a prefetch has none yet). */
  private adopted: (() => void) | undefined;

  /** Set while a late peer goes on with the head of the rest (see late-split.ts); fromHttp fetches the tail. */
  private lateHead: LateHead | undefined;

  /** The peers asked in the current peer part (runPeers), by id. */
  private readonly tried = new Set<string>();

  /**
   * @param url undefined for a prefetch: peers only, until the player asks for the segment and
   *   adopt() gives the URL (and its deadline) for the HTTP part.
   * @param range where the segment lies in the resource at `url` (EXT-X-BYTERANGE), or undefined
   *   for the whole resource. Peers exchange the segment's own bytes, offsets from its start.
   */
  constructor(
    private readonly ref: SegmentRef,
    private url: string | undefined,
    private range: ByteRange | undefined,
    private deadlineMs: number,
    private readonly config: AcquisitionConfig,
    private readonly host: AcquisitionHost,
    private readonly signal: AbortSignal,
  ) {
    // Here, not as a field initializer: those run before the parameter properties are set.
    this.attemptOwner = this.makeAttemptOwner();
  }

  /** Wakes the peer part when expedite() moved the deadline earlier. */
  private readonly hurried = new Set<() => void>();

  /** What each request to a peer (askPeer) reads and changes of this acquisition. */
  private readonly attemptOwner: AttemptOwner;

  /** A prefetch has no URL until the player asks (adopt() may have run while run() awaited). */
  private hasUrl(): boolean {
    return this.url !== undefined;
  }

  /** The player asks for a segment being prefetched: from now on it may come over HTTP, by this deadline. */
  adopt(url: string, range: ByteRange | undefined, deadlineMs: number): void {
    if (this.url !== undefined) return;
    this.url = url;
    this.range = range;
    this.deadlineMs = deadlineMs;
    this.adopted?.();
  }

  /**
   * The player needs the segment sooner than it said (a seek: hls.js waits for a fragment it was
   * loading before it loads the new position). Peers keep only what fits the new deadline; the rest
   * comes over HTTP, from the offset peers reached.
   */
  expedite(deadlineMs: number): void {
    if (this.url === undefined || deadlineMs >= this.deadlineMs) return;
    this.deadlineMs = deadlineMs;
    for (const wake of [...this.hurried]) wake();
  }

  /** Peers must have delivered by then, so HTTP still makes the deadline (or a seeder's short try ends). */
  private p2pDeadlineMs(): number {
    return this.urgentUntilMs ?? this.deadlineMs - this.safetyMs();
  }

  /**
   * Time kept for HTTP before the deadline: httpSafetyMs until this viewer's HTTP fetches are
   * measured, then HTTP_SAFETY_FACTOR times what a whole segment's fetch takes, within
   * [minHttpSafetyMs, httpSafetyMs]; plus the timers' lag. Every ms not kept for a fast CDN is a
   * ms more for peers.
   */
  private safetyMs(): number {
    const fetchMs = this.host.httpFetchMs();
    const measured = fetchMs === undefined ? this.config.httpSafetyMs : Math.min(this.config.httpSafetyMs, Math.max(this.config.minHttpSafetyMs, HTTP_SAFETY_FACTOR * fetchMs));
    return measured + this.lagMs();
  }

  /** The timers' lag, at most httpSafetyMs: a starved page falls back that much earlier. */
  private lagMs(): number {
    return Math.min(this.config.httpSafetyMs, this.host.timerLagMs());
  }

  async run(): Promise<AcquiredSegment> {
    const result = await this.runPeers();
    if (result) return result;
    if (this.url === undefined) {
      // A prefetch whose peers could not deliver: the player may still ask before the deadline.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.host.clock.clearTimeout(timer);
          this.signal.removeEventListener('abort', done);
          this.adopted = undefined;
          resolve();
        };
        this.adopted = done;
        const timer = this.host.clock.setTimeout(done, Math.max(0, this.deadlineMs - this.safetyMs() - this.host.clock.now()));
        this.signal.addEventListener('abort', done);
      });
      this.throwIfAborted();
      if (!this.hasUrl()) throw new EngineError('PREFETCH_MISSED', 'prefetch: no peer delivered the segment and the player did not ask for it');
      // The player asks: peers get another chance with its time, as for any load.
      const again = await this.runPeers();
      if (again) return again;
    }
    return this.fromHttp();
  }

  /** The peer part: the bytes from peers, checked, or undefined to go on over HTTP. */
  private async runPeers(): Promise<AcquiredSegment | undefined> {
    const { clock } = this.host;
    if (this.deadlineMs - clock.now() < this.config.minP2pSlackMs + this.lagMs()) {
      if (this.url !== undefined) {
        const urgent = await this.fromUrgentSource();
        if (urgent) return urgent;
      } else {
        this.noteSlack();
      }
    } else if (!this.host.p2pAllowed(this.ref)) {
      this.httpReason = 'integrity';
    } else {
      const tried = this.tried;
      tried.clear();
      let waited = false;
      // Unless the loop below says otherwise: no time left for peers at all.
      this.httpReason = 'slack';
      // A late peer going on with the head leaves no room for another: the tail goes to HTTP.
      while (clock.now() < this.p2pDeadlineMs() && !this.lateHead) {
        this.throwIfAborted();
        const peer = this.host.candidates(this.ref, tried)[0];
        // Too little time left for a new peer to bring more than its first chunks: what it would
        // send after we gave up is thrown away, and its uplink was another requester's.
        if (peer && this.p2pDeadlineMs() - clock.now() < MIN_PEER_TRY_MS) break;
        if (peer) {
          tried.add(peer.id);
          const result = await askPeer(this.attemptOwner, peer);
          if (result === 'done' && this.partial?.complete === true) {
            // Not a byte from a peer reaches the player before it matches the signed record.
            if ((await this.checked(this.partial.bytes, this.p2pDeadlineMs())) === 'ok') return { bytes: this.partial.bytes, source: 'p2p' };
            this.host.countFallback();
            this.httpReason = 'unverified';
            this.lastFailedPeer = peer;
            break;
          }
          this.host.countFallback();
          this.httpReason = reasonOf(result);
          this.lastFailedPeer = peer;
          continue;
        }
        // Every peer asked is busy: their queues move and new holders come, while time is left.
        if (this.httpReason === 'peerBusy' && !this.partial && this.hasUrl() && (await this.waitForBusyPeers())) {
          tried.clear();
          continue;
        }
        // After a failed peer, or as a designated fetcher, waiting longer only eats the margin.
        if (waited || tried.size > 0 || this.partial) break;
        if (this.url !== undefined && this.host.isDesignatedFetcher(this.ref)) {
          this.httpReason = 'designated';
          break;
        }
        waited = true;
        this.httpReason = 'unannounced';
        await this.waitForAnnouncement();
      }
    }
    this.throwIfAborted();
    return undefined;
  }

  /**
   * Too little time for the usual P2P attempt (startup, a thin buffer): a seeder is asked anyway,
   * for seederWaitMs at most (a wait for its connection included); without one, a connected holder
   * that was never late, for urgentPeerWaitMs at most and only while HTTP would still make the
   * deadline after it. What they did not send by then comes over HTTP with a Range request.
   */
  private async fromUrgentSource(): Promise<AcquiredSegment | undefined> {
    const { clock } = this.host;
    const startMs = clock.now();
    if (this.config.seederWaitMs > 0) {
      const untilMs = startMs + this.config.seederWaitMs;
      const seeder = await this.host.seederHolding(this.ref, untilMs, this.signal);
      this.throwIfAborted();
      if (seeder && this.host.p2pAllowed(this.ref) && clock.now() < untilMs) {
        const result = await this.fromUrgentPeer(seeder, untilMs);
        this.host.countSeederAttempt(clock.now() - startMs, result !== undefined);
        return result;
      }
      // Counted when it waited for a seeder's connection; not for the tick it takes to find none.
      if (clock.now() - startMs >= 1) this.host.countSeederAttempt(clock.now() - startMs, false);
    }
    const untilMs = Math.min(clock.now() + this.config.urgentPeerWaitMs, this.deadlineMs - this.safetyMs());
    if (untilMs - clock.now() < MIN_URGENT_TRY_MS || !this.host.p2pAllowed(this.ref)) {
      this.noteSlack();
      return undefined;
    }
    let holder = this.host.urgentHolder(this.ref);
    // Joining: the connections being made may bring a holder (their HAVE-MAPs wake us) in time.
    // Strictly before the last useful moment: a wait that ends there must not start another.
    const waitUntilMs = untilMs - MIN_URGENT_TRY_MS / 2;
    while (!holder && this.host.connecting() && clock.now() < waitUntilMs) {
      await this.host.waitForAnnouncement(this.ref, waitUntilMs, this.signal, false);
      this.throwIfAborted();
      holder = this.host.urgentHolder(this.ref);
    }
    if (!holder || untilMs - clock.now() < MIN_URGENT_TRY_MS / 2) {
      this.noteSlack();
      return undefined;
    }
    const result = await this.fromUrgentPeer(holder, untilMs);
    this.host.countUrgentAttempt(result !== undefined);
    return result;
  }

  /** Asks `peer` for the segment until `untilMs`: the checked bytes, or undefined to go on over HTTP. */
  private async fromUrgentPeer(peer: Peer, untilMs: number): Promise<AcquiredSegment | undefined> {
    this.urgentUntilMs = untilMs;
    try {
      const result = await askPeer(this.attemptOwner, peer);
      if (result === 'done' && this.partial?.complete === true) {
        if ((await this.checked(this.partial.bytes, untilMs)) === 'ok') return { bytes: this.partial.bytes, source: 'p2p' };
        this.httpReason = 'unverified';
      } else {
        this.httpReason = reasonOf(result);
      }
      this.lastFailedPeer = peer;
      this.host.countFallback();
      return undefined;
    } finally {
      this.urgentUntilMs = undefined;
    }
  }

  /** Notes why a segment due too soon for peers goes to HTTP: did a connected peer hold it whole? */
  private noteSlack(): void {
    this.httpReason = this.host.candidates(this.ref, new Set()).some((p) => p.stateOf(this.ref) === 'have') ? 'slackHeld' : 'slack';
  }

  /**
   * Waits for a peer to announce the segment, until the P2P deadline (which expedite() may move),
   * and never while less than minP2pSlackMs is left: a segment no neighbour holds or fetches may
   * never be announced (a VOD position none of them played), and a wait that brought nothing must
   * not leave HTTP a thin buffer.
   */
  private waitForAnnouncement(): Promise<void> {
    const endMs = Math.min(this.host.clock.now() + this.config.maxAnnounceWaitMs, this.p2pDeadlineMs(), this.deadlineMs - this.config.minP2pSlackMs - this.lagMs());
    return this.waitForAnnouncementUntil(endMs, true);
  }

  /** host.waitForAnnouncement until `endMs`, ended early by an abort or by expedite(). */
  private async waitForAnnouncementUntil(endMs: number, blame: boolean): Promise<void> {
    const until = new AbortController();
    const stop = (): void => { until.abort(); };
    this.signal.addEventListener('abort', stop);
    this.hurried.add(stop);
    try {
      await this.host.waitForAnnouncement(this.ref, endMs, until.signal, blame);
    } finally {
      this.signal.removeEventListener('abort', stop);
      this.hurried.delete(stop);
    }
  }

  /**
   * See EngineConfig.busyRetryWaitMs: false (at once) when too little time is left to ask again,
   * else true after waiting for an announcement.
   */
  private async waitForBusyPeers(): Promise<boolean> {
    const { clock } = this.host;
    const lastAskMs = this.deadlineMs - this.config.minP2pSlackMs - this.lagMs();
    if (this.config.busyRetryWaitMs === 0 || clock.now() >= lastAskMs) return false;
    await this.waitForAnnouncementUntil(Math.min(clock.now() + this.config.busyRetryWaitMs, lastAskMs), false);
    this.throwIfAborted();
    return clock.now() < this.p2pDeadlineMs();
  }

  private throwIfAborted(): void {
    if (this.signal.aborted) throw new EngineError('LOAD_ABORTED', 'segment load aborted');
  }

  private makeAttemptOwner(): AttemptOwner {
    return {
      ref: this.ref,
      host: this.host,
      signal: this.signal,
      hurried: this.hurried,
      stallTimeoutMs: this.config.p2pStallTimeoutMs,
      relayHandoverAfterMs: this.config.relayHandoverAfterMs,
      partial: () => this.partial,
      p2pDeadlineMs: () => this.p2pDeadlineMs(),
      append: (peer, offsetBytes, payload, totalBytes) => this.appendFromPeer(peer, offsetBytes, payload, totalBytes),
      lateSplit: (paceBytes, paceMs) => this.lateSplit(paceBytes, paceMs),
      canHandOver: (restBytes) => {
        // The holder must send the rest with a whole try's time to spare before the P2P deadline.
        const withinMs = this.p2pDeadlineMs() - this.host.clock.now() - MIN_PEER_TRY_MS;
        return withinMs > 0 && this.host.handoverHolder(this.ref, this.tried, restBytes, withinMs) !== undefined;
      },
      goesOn: (head) => {
        this.lateHead = head;
        this.host.countLateSplit('splits', 1);
      },
      headChunk: (peer, offsetBytes, payload, totalBytes, head) => {
        this.headChunk(peer, offsetBytes, payload, totalBytes, head);
      },
      dropBytesOf: (peer) => {
        // A relaying peer that gives up mid-segment may have thrown its bytes away (a failed
        // check upstream): what it sent us cannot be trusted to continue over HTTP.
        if (!this.contributors.has(peer)) return;
        this.partial = undefined;
        this.contributors.clear();
      },
    };
  }

  /** A chunk from the peer asked: the segment's first starts it (and our 'receiving'). */
  private appendFromPeer(peer: Peer, offsetBytes: number, payload: Uint8Array, totalBytes: number): 'kept' | 'complete' | 'mismatch' {
    if (!this.partial) {
      this.partial = new PartialSegment(totalBytes, this.host.clock.now());
      // Announced 'receiving' only once bytes flow: announcing at the request lets peers
      // that wait on each other (A asks B, B asks A) form a cycle no byte ever enters.
      this.host.downloading(this.ref);
    }
    if (this.partial.totalBytes !== totalBytes) return 'mismatch';
    this.keepPeerBytes(this.partial, peer, offsetBytes, payload);
    return this.partial.complete ? 'complete' : 'kept';
  }

  /** Appends a peer's bytes to `partial` and counts them; uploads relaying the segment may send them on. */
  private keepPeerBytes(partial: PartialSegment, peer: Peer, offsetBytes: number, bytes: Uint8Array): void {
    partial.append(offsetBytes, bytes);
    this.contributors.add(peer);
    this.p2pBytes += bytes.length;
    this.host.countBytes('p2p', bytes.length);
    this.host.progress(this.ref);
  }

  /** See AttemptOwner.lateSplit: only for a load the player asked for (a prefetch has no URL for the tail). */
  private lateSplit(paceBytes: number, paceMs: number): LateSplit | undefined {
    const partial = this.partial;
    if (this.url === undefined || this.signal.aborted || partial === undefined) return undefined;
    const { clock } = this.host;
    return planLateSplit({
      nowMs: clock.now(),
      deadlineMs: this.deadlineMs,
      lagMs: this.lagMs(),
      httpFetchMs: this.host.httpFetchMs(),
      receivedBytes: partial.receivedBytes,
      totalBytes: partial.totalBytes,
      paceBytes,
      paceMs,
      paceShare: this.config.lateSplitPaceShare,
    });
  }

  /** A chunk of a late peer's head (see late-split.ts): kept up to the split, then the head ends. */
  private headChunk(peer: Peer, offsetBytes: number, payload: Uint8Array, totalBytes: number, head: LateHead): void {
    const { splitBytes } = head;
    const partial = this.partial;
    if (partial?.receivedBytes !== offsetBytes || partial.totalBytes !== totalBytes) {
      head.end();
      return;
    }
    const keptBytes = Math.min(payload.length, splitBytes - offsetBytes);
    if (keptBytes > 0) {
      this.host.countLateSplit('headBytes', keptBytes);
      this.keepPeerBytes(partial, peer, offsetBytes, keptBytes === payload.length ? payload : payload.subarray(0, keptBytes));
    }
    if (partial.receivedBytes >= splitBytes) head.end();
  }

  /**
   * The tail of a late transfer over HTTP while its peer sends the head (see late-split.ts); the
   * gap too if the peer fell short. Undefined when the bytes do not fit (then a whole fetch).
   */
  private async fromHttpWithHead(head: LateHead, totalBytes: number, countFetch: () => void): Promise<AcquiredSegment | undefined> {
    const { splitBytes } = head;
    let tail: Promise<Settled<Uint8Array>> | undefined;
    if (splitBytes < totalBytes) {
      countFetch();
      tail = settle(this.httpGet(splitBytes));
    }
    await head.ended;
    this.throwIfAborted();
    // The peer's bytes may have been thrown away meanwhile (a relay answering absent).
    const partial = this.partial ?? new PartialSegment(totalBytes);
    this.partial = partial;
    if (partial.receivedBytes < splitBytes) {
      countFetch();
      this.host.countLateSplit('gaps', 1);
      const gap = await this.httpGet(partial.receivedBytes, splitBytes);
      if (gap.length !== splitBytes - partial.receivedBytes) return undefined;
      partial.append(partial.receivedBytes, gap);
    }
    if (tail) {
      const rest = await tail;
      if (!rest.ok) throw rest.error;
      if (rest.value.length !== totalBytes - splitBytes) return undefined;
      partial.append(splitBytes, rest.value);
    }
    if ((await this.checked(partial.bytes, this.host.clock.now())) !== 'ok') return undefined;
    return { bytes: partial.bytes, source: this.contributors.size > 0 ? 'p2p' : 'http' };
  }

  private async fromHttp(): Promise<AcquiredSegment> {
    const afterPeer = this.httpReason.startsWith('peer') || this.httpReason === 'unverified';
    let counted = false;
    // Once per segment, when its first HTTP request leaves (a late peer may bring all of it).
    const countFetch = (): void => {
      if (counted) return;
      counted = true;
      this.host.countHttpFetch(this.httpReason, afterPeer && this.lastFailedPeer !== undefined && this.host.isSeeder(this.lastFailedPeer));
    };
    const head = this.lateHead;
    if (head && this.partial) {
      this.lateHead = undefined;
      const split = await this.fromHttpWithHead(head, this.partial.totalBytes, countFetch);
      if (split) return split;
      countFetch();
      return { bytes: await this.httpGet(undefined), source: 'http' };
    }
    countFetch();
    const partial = this.partial;
    if (partial && partial.receivedBytes > 0) {
      const rest = await this.httpGet(partial.receivedBytes);
      if (rest.length === partial.totalBytes - partial.receivedBytes) {
        partial.append(partial.receivedBytes, rest);
        if ((await this.checked(partial.bytes, this.host.clock.now())) === 'ok') return { bytes: partial.bytes, source: 'p2p' };
        return { bytes: await this.httpGet(undefined), source: 'http' };
      }
      // The server ignored the range, or the peers' size was wrong: a full body is the segment.
      if (rest.length !== partial.totalBytes) return { bytes: await this.httpGet(undefined), source: 'http' };
      return { bytes: rest, source: 'http' };
    }
    return { bytes: await this.httpGet(undefined), source: 'http' };
  }

  /** Verifies assembled bytes; on failure forgets them (and cuts off their senders on a mismatch). */
  private async checked(bytes: Uint8Array, untilMs: number): Promise<Verdict> {
    const verdict = await this.host.verify(this.ref, bytes, untilMs, this.signal);
    this.throwIfAborted();
    if (verdict !== 'ok') {
      if (verdict === 'mismatch') this.host.rejectPeers(this.contributors, this.ref);
      this.partial = undefined;
      this.contributors.clear();
    }
    return verdict;
  }

  /** See fetchSegmentBytes. */
  private httpGet(offsetBytes: number | undefined, endBytes?: number): Promise<Uint8Array> {
    return fetchSegmentBytes(this.host, { ref: this.ref, url: this.url ?? '', range: this.range }, this.signal, offsetBytes, endBytes);
  }
}
