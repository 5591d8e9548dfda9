/** What an Acquisition needs from the engine, and what it gives back. */
import type { SegmentRef } from '@swarmcast/protocol';
import type { Peer } from './peer.js';
import type { Clock, HttpPort } from './ports.js';
import type { Verdict } from './record-book.js';
import type { HttpFetchReason, LateSplits, PeerAttemptDetail, PeerAttemptOutcome } from './stats.js';

/** What one acquisition needs from the engine. */
export interface AcquisitionHost {
  readonly clock: Clock;
  readonly http: HttpPort;
  /** Ready peers that hold or are receiving `ref`, best first, excluding `exclude`. */
  candidates(ref: SegmentRef, exclude: ReadonlySet<string>): Peer[];
  /** See SourceChoice.handoverHolder. */
  handoverHolder(ref: SegmentRef, exclude: ReadonlySet<string>, restBytes: number, withinMs: number): Peer | undefined;
  /** True when rendezvous hashing over us and our peers names us among the HTTP fetchers of `ref`. */
  isDesignatedFetcher(ref: SegmentRef): boolean;
  /**
   * A ready seeder (see EngineConfig.seeder) that holds or is receiving `ref`, waiting for one until
   * `untilMs` at most and only while one may still come (see SeederWatch.holding); undefined if none.
   */
  seederHolding(ref: SegmentRef, untilMs: number, signal: AbortSignal): Promise<Peer | undefined>;
  /** A load with little slack asked a seeder (or waited for one) for `elapsedMs`; `delivered` if it got the bytes. */
  countSeederAttempt(elapsedMs: number, delivered: boolean): void;
  /** A ready peer that holds all of `ref` and was never late, best first; undefined if none (see EngineConfig.urgentPeerWaitMs). */
  urgentHolder(ref: SegmentRef): Peer | undefined;
  /** A load with little slack and no seeder asked a holder (urgentPeerWaitMs); `delivered` if it got the bytes. */
  countUrgentAttempt(delivered: boolean): void;
  /**
   * Resolves when some peer announces `ref`, or at `untilMs`; then, if `blame` (default), the peers
   * designated to fetch it missed (see SourceChoice.blame).
   */
  waitForAnnouncement(ref: SegmentRef, untilMs: number, signal: AbortSignal, blame?: boolean): Promise<void>;
  /** True while some peer connection is being made (it may bring holders with its HAVE-MAP). */
  connecting(): boolean;
  /**
   * Bytes of `ref` are coming: an HTTP download starts, or a peer's first chunk arrived. Only from
   * then on may the engine announce the segment as 'receiving': a peer merely waiting, or asking a
   * peer that has sent nothing yet, must not look like a source, or peers end up waiting on each
   * other in a cycle no byte enters.
   */
  downloading(ref: SegmentRef): void;
  countBytes(kind: 'http' | 'p2p', bytes: number): void;
  /** An HTTP fetch of segment bytes ended: `bytes` in `elapsedMs` (`whole`: a whole segment), for the estimates. */
  httpSample(bytes: number, elapsedMs: number, whole: boolean): void;
  /** What a whole segment's HTTP fetch takes here, ms (see HttpFetchTime), or undefined before one was measured. */
  httpFetchMs(): number | undefined;
  /** How late this engine's timers fire now, ms (see TimerLag): every step takes that much longer. */
  timerLagMs(): number;
  /** More bytes of `ref` arrived from a peer: uploads relaying it may send them on. */
  progress(ref: SegmentRef): void;
  countFallback(): void;
  /** See EngineStats.lateSplits: `amount` more of `kind`. */
  countLateSplit(kind: keyof LateSplits, amount: number): void;
  /** A request to a peer ended (see PeerAttempts): it had `withinMs` when asked. */
  countPeerAttempt(outcome: PeerAttemptOutcome, withinMs: number, detail: PeerAttemptDetail): void;
  /** A segment (or its rest) goes over HTTP, for this reason; `afterSeeder` when the last peer asked was a seeder. */
  countHttpFetch(reason: HttpFetchReason, afterSeeder: boolean): void;
  /** Whether the tracker named `peer` a seeder. */
  isSeeder(peer: Peer): boolean;
  /** False when peers' bytes could not be verified anyway (integrity required, no trusted key). */
  p2pAllowed(ref: SegmentRef): boolean;
  /** Checks bytes that came (partly) from peers against the signed record, waiting for it until `untilMs`. */
  verify(ref: SegmentRef, bytes: Uint8Array, untilMs: number, signal: AbortSignal): Promise<Verdict>;
  /** The peers that sent bytes failing verification: cut them off. */
  rejectPeers(peers: ReadonlySet<Peer>, ref: SegmentRef): void;
}

export interface AcquiredSegment {
  readonly bytes: Uint8Array;
  readonly source: 'http' | 'p2p';
}
