/**
 * Why an acquisition's peer part left the segment to HTTP, and the count of that fallback and of
 * its HTTP fetch (EngineStats.httpFetchReasons).
 */
import type { SegmentRef } from '@swarmcast/protocol';
import type { AcquisitionHost } from './acquisition-host.js';
import type { Peer } from './peer.js';
import type { HttpFetchReason } from './stats.js';

/** The reason one segment goes (or would go) over HTTP, as the peer part found it. */
export class FallbackReason {
  /** Why the peer part left the segment to HTTP (counted when the HTTP fetch starts). */
  reason: HttpFetchReason = 'unannounced';
  /** The last peer asked that did not deliver (for the count of HTTP fetches after a seeder). */
  private lastFailedPeer: Peer | undefined;

  constructor(
    private readonly ref: SegmentRef,
    private readonly host: AcquisitionHost,
  ) {}

  /** `peer` did not deliver (or its bytes failed the check), for this reason: counted as a fallback. */
  peerFailed(peer: Peer, reason: HttpFetchReason): void {
    this.host.countFallback();
    this.reason = reason;
    this.lastFailedPeer = peer;
  }

  /** True when the last peer asked was busy (its queue full): see EngineConfig.busyRetryWaitMs. */
  lastPeerBusy(): boolean {
    return this.reason === 'peerBusy';
  }

  /** Notes why a segment due too soon for peers goes to HTTP: did a connected peer hold it whole? */
  slack(): void {
    this.reason = this.host.candidates(this.ref, new Set()).some((p) => p.stateOf(this.ref) === 'have') ? 'slackHeld' : 'slack';
  }

  /** Counts the segment's HTTP fetch with its reason when called, once however often (from the HTTP part's start on). */
  fetchCounter(): () => void {
    const afterPeer = this.reason.startsWith('peer') || this.reason === 'unverified';
    let counted = false;
    return () => {
      if (counted) return;
      counted = true;
      this.host.countHttpFetch(this.reason, afterPeer && this.lastFailedPeer !== undefined && this.host.isSeeder(this.lastFailedPeer));
    };
  }
}
