import type { SegmentRef } from '@swarmcast/protocol';
import { EngineError, throwIfLoadAborted } from './errors.js';
import type { PartialSegment } from './partial-segment.js';
import type { AcquiredSegment, AcquisitionHost } from './acquisition-host.js';
import { AcquisitionDeadlines } from './acquisition-deadlines.js';
import { fromHttp } from './acquisition-http.js';
import type { AcquisitionConfig, AcquisitionParts } from './acquisition-parts.js';
import { FallbackReason } from './fallback-reason.js';
import type { ByteRange } from './ports.js';
import { planLateSplit, type LateSplit } from './late-split.js';
import { askPeer, reasonOf, type AttemptOwner } from './peer-attempt.js';
import { SegmentAssembly } from './segment-assembly.js';
import { fromUrgentSource } from './urgent-source.js';

export type { AcquisitionConfig } from './acquisition-parts.js';

/** A request to a peer with less time than this before the P2P deadline is not made (see runPeers). */
const MIN_PEER_TRY_MS = 500;

/**
 * Gets one segment's bytes by its deadline: from a peer when one can deliver in time, otherwise
 * (or for what a peer left undelivered) over HTTP with a Range request. Startup never waits for peers.
 */
export class Acquisition {
  /** When the segment is due, and by when peers must have delivered it. */
  private readonly deadlines: AcquisitionDeadlines;
  /** The bytes assembled so far, and the peers that sent them. */
  private readonly assembly: SegmentAssembly;
  /** Why the peer part left the segment to HTTP (counted when the HTTP fetch starts). */
  private readonly fallback: FallbackReason;

  /** The player's wait for the segment, once it asks (a prefetch has none yet). */
  private adopted: (() => void) | undefined;

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
    deadlineMs: number,
    private readonly config: AcquisitionConfig,
    private readonly host: AcquisitionHost,
    private readonly signal: AbortSignal,
  ) {
    // Here, not as field initializers: those run before the parameter properties are set.
    this.deadlines = new AcquisitionDeadlines(deadlineMs, config, host);
    this.assembly = new SegmentAssembly(ref, host, signal);
    this.fallback = new FallbackReason(ref, host);
    this.attemptOwner = this.makeAttemptOwner();
    this.parts = { ref, config, host, signal, deadlines: this.deadlines, assembly: this.assembly, fallback: this.fallback, attemptOwner: this.attemptOwner };
  }

  /** Wakes the peer part when expedite() moved the deadline earlier. */
  private readonly hurried = new Set<() => void>();

  /** What each request to a peer (askPeer) reads and changes of this acquisition. */
  private readonly attemptOwner: AttemptOwner;

  /** This acquisition's state as its urgent and HTTP parts (urgent-source.ts, acquisition-http.ts) use it. */
  private readonly parts: AcquisitionParts;

  /** The bytes assembled so far (read by uploads that relay them on, cut-through). */
  get partial(): PartialSegment | undefined {
    return this.assembly.partial;
  }

  /** A prefetch has no URL until the player asks (adopt() may have run while run() awaited). */
  private hasUrl(): boolean {
    return this.url !== undefined;
  }

  /** The player asks for a segment being prefetched: from now on it may come over HTTP, by this deadline. */
  adopt(url: string, range: ByteRange | undefined, deadlineMs: number): void {
    if (this.url !== undefined) return;
    this.url = url;
    this.range = range;
    this.deadlines.deadlineMs = deadlineMs;
    this.adopted?.();
  }

  /**
   * The player needs the segment sooner than it said (a seek: hls.js waits for a fragment it was
   * loading before it loads the new position). Peers keep only what fits the new deadline; the rest
   * comes over HTTP, from the offset peers reached.
   */
  expedite(deadlineMs: number): void {
    if (this.url === undefined || deadlineMs >= this.deadlines.deadlineMs) return;
    this.deadlines.deadlineMs = deadlineMs;
    for (const wake of [...this.hurried]) wake();
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
        const timer = this.host.clock.setTimeout(done, Math.max(0, this.deadlines.deadlineMs - this.deadlines.safetyMs() - this.host.clock.now()));
        this.signal.addEventListener('abort', done);
      });
      throwIfLoadAborted(this.signal);
      if (!this.hasUrl()) throw new EngineError('PREFETCH_MISSED', 'prefetch: no peer delivered the segment and the player did not ask for it');
      // The player asks: peers get another chance with its time, as for any load.
      const again = await this.runPeers();
      if (again) return again;
    }
    return fromHttp(this.parts, { ref: this.ref, url: this.url ?? '', range: this.range });
  }

  /** The peer part: the bytes from peers, checked, or undefined to go on over HTTP. */
  private async runPeers(): Promise<AcquiredSegment | undefined> {
    const { clock } = this.host;
    const { deadlines, assembly, fallback } = this;
    if (deadlines.deadlineMs - clock.now() < this.config.minP2pSlackMs + deadlines.lagMs()) {
      if (this.url !== undefined) {
        const urgent = await fromUrgentSource(this.parts);
        if (urgent) return urgent;
      } else {
        fallback.slack();
      }
    } else if (!this.host.p2pAllowed(this.ref)) {
      fallback.reason = 'integrity';
    } else {
      const tried = this.tried;
      tried.clear();
      let waited = false;
      // Unless the loop below says otherwise: no time left for peers at all.
      fallback.reason = 'slack';
      // A late peer going on with the head leaves no room for another: the tail goes to HTTP.
      while (clock.now() < deadlines.p2pDeadlineMs() && !assembly.lateHead) {
        throwIfLoadAborted(this.signal);
        const peer = this.host.candidates(this.ref, tried)[0];
        // Too little time left for a new peer to bring more than its first chunks: what it would
        // send after we gave up is thrown away, and its uplink was another requester's.
        if (peer && deadlines.p2pDeadlineMs() - clock.now() < MIN_PEER_TRY_MS) break;
        if (peer) {
          tried.add(peer.id);
          const result = await askPeer(this.attemptOwner, peer);
          if (result === 'done' && assembly.partial?.complete === true) {
            // Not a byte from a peer reaches the player before it matches the signed record.
            if ((await assembly.checked(assembly.partial.bytes, deadlines.p2pDeadlineMs())) === 'ok') return { bytes: assembly.partial.bytes, source: 'p2p' };
            fallback.peerFailed(peer, 'unverified');
            break;
          }
          fallback.peerFailed(peer, reasonOf(result));
          continue;
        }
        // Every peer asked is busy: their queues move and new holders come, while time is left.
        if (fallback.lastPeerBusy() && !assembly.partial && this.hasUrl() && (await this.waitForBusyPeers())) {
          tried.clear();
          continue;
        }
        // After a failed peer, or as a designated fetcher, waiting longer only eats the margin.
        if (waited || tried.size > 0 || assembly.partial) break;
        if (this.url !== undefined && this.host.isDesignatedFetcher(this.ref)) {
          fallback.reason = 'designated';
          break;
        }
        waited = true;
        fallback.reason = 'unannounced';
        await this.waitForAnnouncement();
      }
    }
    throwIfLoadAborted(this.signal);
    return undefined;
  }

  /**
   * Waits for a peer to announce the segment, until the P2P deadline (which expedite() may move),
   * and never while less than minP2pSlackMs is left: a segment no neighbour holds or fetches may
   * never be announced (a VOD position none of them played), and a wait that brought nothing must
   * not leave HTTP a thin buffer.
   */
  private waitForAnnouncement(): Promise<void> {
    const endMs = Math.min(this.host.clock.now() + this.config.maxAnnounceWaitMs, this.deadlines.p2pDeadlineMs(), this.deadlines.lastAskMs());
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
    const lastAskMs = this.deadlines.lastAskMs();
    if (this.config.busyRetryWaitMs === 0 || clock.now() >= lastAskMs) return false;
    await this.waitForAnnouncementUntil(Math.min(clock.now() + this.config.busyRetryWaitMs, lastAskMs), false);
    throwIfLoadAborted(this.signal);
    return clock.now() < this.deadlines.p2pDeadlineMs();
  }

  private makeAttemptOwner(): AttemptOwner {
    const { assembly } = this;
    return {
      ref: this.ref,
      host: this.host,
      signal: this.signal,
      hurried: this.hurried,
      stallTimeoutMs: this.config.p2pStallTimeoutMs,
      relayHandoverAfterMs: this.config.relayHandoverAfterMs,
      partial: () => assembly.partial,
      p2pDeadlineMs: () => this.deadlines.p2pDeadlineMs(),
      append: (peer, offsetBytes, payload, totalBytes) => assembly.append(peer, offsetBytes, payload, totalBytes),
      lateSplit: (paceBytes, paceMs) => this.lateSplit(paceBytes, paceMs),
      canHandOver: (restBytes) => {
        // The holder must send the rest with a whole try's time to spare before the P2P deadline.
        const withinMs = this.deadlines.p2pDeadlineMs() - this.host.clock.now() - MIN_PEER_TRY_MS;
        return withinMs > 0 && this.host.handoverHolder(this.ref, this.tried, restBytes, withinMs) !== undefined;
      },
      goesOn: (head) => {
        assembly.lateHead = head;
        this.host.countLateSplit('splits', 1);
      },
      headChunk: (peer, offsetBytes, payload, totalBytes, head) => {
        assembly.headChunk(peer, offsetBytes, payload, totalBytes, head);
      },
      dropBytesOf: (peer) => {
        assembly.dropBytesOf(peer);
      },
    };
  }

  /** See AttemptOwner.lateSplit: only for a load the player asked for (a prefetch has no URL for the tail). */
  private lateSplit(paceBytes: number, paceMs: number): LateSplit | undefined {
    const partial = this.assembly.partial;
    if (this.url === undefined || this.signal.aborted || partial === undefined) return undefined;
    const { clock } = this.host;
    return planLateSplit({
      nowMs: clock.now(),
      deadlineMs: this.deadlines.deadlineMs,
      lagMs: this.deadlines.lagMs(),
      httpFetchMs: this.host.httpFetchMs(),
      receivedBytes: partial.receivedBytes,
      totalBytes: partial.totalBytes,
      paceBytes,
      paceMs,
      paceShare: this.config.lateSplitPaceShare,
    });
  }
}
