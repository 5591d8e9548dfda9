/**
 * Our uploads to one peer: its requests admitted (or answered ABSENT or BUSY) and served by an
 * Uploader, which relays a segment still arriving here as its bytes come.
 */
import type { PeerMessage, RequestMessage, SegmentRef } from '@swarmcast/protocol';
import type { ReceivingSegment } from './partial-segment.js';
import type { Peer } from './peer.js';
import type { PeerHost } from './peer-host.js';
import { RateWindow } from './rate-window.js';
import { isUrgentRequest, Uploader, type QueuedUpload, type UploadRank } from './uploader.js';

/** Requests a peer may send per second: a player needs a few; more is a flood. */
const MAX_REQUESTS_PER_SEC = 50;

/**
 * Our copy of a segment must have come for this long before its pace judges whether we can relay
 * it in time (its first chunks come in a burst, or after a pause while the sender starts).
 */
const RELAY_PACE_AFTER_MS = 250;

/** What PeerUploads needs from its Peer's connection. */
export interface PeerUploadsLink {
  send(msg: PeerMessage): void;
  /** The peer broke the protocol: cut it off with `reason`. */
  violation(reason: string): void;
  closed(): boolean;
  /** Bytes waiting in our DataChannel to the peer. */
  bufferedAmountBytes(): number;
  /** Asks for a drain event once the buffer falls to `bytes` (PeerLink.setLowWaterBytes). */
  setLowWaterBytes(bytes: number): void;
}

export class PeerUploads {
  private readonly uploader: Uploader;
  private readonly requestRate = new RateWindow(MAX_REQUESTS_PER_SEC, 1000);

  constructor(
    private readonly peer: Peer,
    private readonly host: PeerHost,
    private readonly link: PeerUploadsLink,
  ) {
    // A waiting upload says so (QUEUED) at least this often: well within the requester's stall
    // timeout, with room for the wait behind this channel's own backlog.
    this.uploader = new Uploader({ ...host.config, uploadStarveMs: host.config.p2pStallTimeoutMs / 3 }, host.clock, {
      send: (msg) => link.send(msg),
      bufferedAmountBytes: () => link.bufferedAmountBytes(),
      highWaterBytes: () => host.sendHighWaterBytes(),
      setLowWaterBytes: (bytes) => link.setLowWaterBytes(bytes),
      uploaded: (bytes) => host.countBytes('uploaded', bytes),
      paceMs: (bytes) => host.paceUpload(bytes),
      nextRank: (withinMs) => this.rankOf(withinMs, host.nextUploadSeq()),
      mayFeed: (rank) => host.mayFeedUpload(rank),
      slotFreed: () => host.uploadSlotFreed(peer),
    });
  }

  /** The place in the engine-wide order (see UploadRank) of an upload to this peer, arrived `seq`-th. */
  rankOf(withinMs: number, seq: number): UploadRank {
    return { urgent: isUrgentRequest(withinMs, this.host.config.uploadCommitMs), priority: this.peer.countedUploadKbps, seq };
  }

  /** The peer's REQUEST: admitted, or answered ABSENT or BUSY; a flood of them is a violation. */
  request(msg: RequestMessage): void {
    if (!this.requestRate.hit(this.host.clock.now())) return this.link.violation('request rate limit');
    const found = this.host.lookupSegment(msg);
    if (found === undefined) {
      this.link.send({ type: 'absent', requestId: msg.requestId });
      return;
    }
    // A segment still arriving is admitted like one held, against its size (or, before its first
    // byte, its rendition's last segment's): its upload takes its turn when the bytes come.
    const sizeBytes = found instanceof Uint8Array ? found.length : (found.partial?.totalBytes ?? this.host.expectedSegmentBytes(msg.rendition));
    const refusal =
      sizeBytes === undefined || sizeBytes <= msg.offsetBytes
        ? undefined
        : this.arrivesTooLate(found, msg.withinMs)
          ? 'incoming'
          : this.host.admitUpload(this.peer, sizeBytes - msg.offsetBytes, msg.withinMs);
    if (refusal !== undefined) {
      this.host.countRefusal(refusal);
      this.link.send({ type: 'busy', requestId: msg.requestId });
      return;
    }
    const result = this.uploader.add(msg, found, sizeBytes);
    if (result === 'duplicate') this.link.violation(`duplicate request id ${msg.requestId}`);
    else if (result === 'busy') {
      this.host.countRefusal('limit');
      this.link.send({ type: 'busy', requestId: msg.requestId });
    }
  }

  /**
   * True when `found` is our own copy still arriving, at a pace that makes it whole only after the
   * requester stops waiting: a relay sends no faster than it receives, so the requester is better
   * off asking another peer now than finding out from our pace.
   */
  private arrivesTooLate(found: Uint8Array | ReceivingSegment, withinMs: number): boolean {
    if (found instanceof Uint8Array || found.partial === undefined) return false;
    const now = this.host.clock.now();
    const doneAtMs = found.partial.doneAtMs(now, RELAY_PACE_AFTER_MS);
    return doneAtMs !== undefined && doneAtMs > now + withinMs;
  }

  /** The peer's CANCEL. */
  cancel(requestId: number): void {
    this.uploader.cancel(requestId);
  }

  /** Adds our uploads to this peer to `out` (see Uploader.queue). */
  queue(out: QueuedUpload[]): void {
    if (!this.link.closed()) this.uploader.queue(out);
  }

  /** Our uploads to this peer ranked before `rank` (see EngineConfig.uploadSlots) that could send now. */
  readyBefore(rank: UploadRank): number {
    return this.link.closed() ? 0 : this.uploader.readyBefore(rank);
  }

  /** Lets our uploads to this peer send what they may (the channel drained, or an upload slot came free). */
  pump(): void {
    // Closed, the uploader is destroyed (the drain event's pump does nothing either).
    if (!this.link.closed()) this.uploader.pump();
  }

  /** More bytes of a segment we are receiving arrived: relay them to requests parked on it. */
  progress(key: string): void {
    this.uploader.progress(key);
  }

  /** A local segment just completed (or failed): answer the requests parked on it. */
  settle(ref: SegmentRef, bytes: Uint8Array | undefined): void {
    this.uploader.settle(ref, bytes);
  }

  destroy(): void {
    this.uploader.destroy();
  }
}
