import type { PeerMessage, RequestMessage, SegmentRef } from '@swarmcast/protocol';
import type { EngineConfig } from './config.js';
import type { Clock } from './ports.js';
import type { PartialSegment, ReceivingSegment } from './partial-segment.js';
import { segmentKey } from './segment-id.js';

/** If no drain event comes while blocked on back-pressure, look again after this long. */
const BLOCKED_RECHECK_MS = 50;
/**
 * The most bytes a DATA message adds to its payload: type (u8), requestId, offsetBytes, totalBytes
 * (u32 each). Only a transfer's first DATA carries totalBytes; the others add 9.
 */
const DATA_HEADER_BYTES = 13;

/**
 * The least a channel's high-water mark may be: two whole DATA messages, headers included. With
 * room for one only, the channel runs dry between a message leaving and the drain event that
 * sends the next, and the uplink idles though data waits.
 */
export function minSendHighWaterBytes(chunkBytes: number): number {
  return 2 * (chunkBytes + DATA_HEADER_BYTES);
}

/**
 * Where an upload stands in the engine-wide order (see EngineConfig.uploadSlots): urgent requests
 * first (the requester waits less than uploadCommitMs for them: a seek, a thin buffer, an LL-HLS
 * part, which must not wait behind a whole segment for another peer), then the requester's
 * announced upload capacity (a fast uplink that completes a copy early serves it on to several
 * peers; a liar overstating its own, or its urgency, only gets its bytes sooner, within
 * maxUploadsPerPeer), then the order of arrival.
 */
export interface UploadRank {
  readonly urgent: boolean;
  readonly priority: number;
  readonly seq: number;
}

/** A request the requester waits less than `uploadCommitMs` for goes before the others (see UploadRank). */
export function isUrgentRequest(withinMs: number, uploadCommitMs: number): boolean {
  return withinMs < uploadCommitMs;
}

/** True when `a` goes before `b`. */
export function rankedBefore(a: UploadRank, b: UploadRank): boolean {
  if (a.urgent !== b.urgent) return a.urgent;
  return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
}

/** One upload as admission sees it (see SharedUplink.admitUpload). */
export interface QueuedUpload {
  readonly rank: UploadRank;
  /** Bytes still to hand to the channel. */
  readonly bytes: number;
  /** When the requester stops waiting for it (clock ms). */
  readonly dueMs: number;
}

/** Orders uploads as the upload slots serve them. */
export function compareRanks(a: UploadRank, b: UploadRank): number {
  return rankedBefore(a, b) ? -1 : rankedBefore(b, a) ? 1 : 0;
}

interface Upload {
  readonly requestId: number;
  /** When the requester stops waiting for it (clock ms): arrival + its withinMs. */
  readonly dueMs: number;
  /** Its place in the engine-wide order of uploads (see EngineConfig.uploadSlots). */
  readonly rank: UploadRank;
  /** When it last sent a chunk or QUEUED (or was accepted): a waiting upload is never silent for long. */
  lastFedMs: number;
  readonly key: string;
  /** Undefined while the segment is still arriving here. */
  bytes: Uint8Array | undefined;
  /** While it arrives: its download, whose bytes are relayed as they come (cut-through). */
  receiving: ReceivingSegment | undefined;
  /** Before a relayed segment's first byte: the size it was admitted against (undefined: not known). */
  readonly expectedTotalBytes: number | undefined;
  /** The partial segment this upload sent bytes from: the final bytes must be the same buffer. */
  relayedFrom: PartialSegment | undefined;
  offsetBytes: number;
  /** A DATA with the segment's size went out: the later ones leave it out (see DataMessage.totalBytes). */
  sizeSent: boolean;
}

export interface UploaderLink {
  send(msg: PeerMessage): void;
  bufferedAmountBytes(): number;
  /** The high-water mark now (at most config.sendHighWaterBytes). */
  highWaterBytes(): number;
  /** Asks for a drain event once the buffer falls to `bytes` (PeerLink.setLowWaterBytes). */
  setLowWaterBytes(bytes: number): void;
  uploaded(bytes: number): void;
  /** 0: `bytes` may leave now (and are counted against the upload cap); else ms to wait first. */
  paceMs(bytes: number): number;
  /** The place in the engine-wide order of a new upload the requester waits `withinMs` for. */
  nextRank(withinMs: number): UploadRank;
  /** May the upload at `rank` send now, or do uploads ranked before it hold every upload slot? */
  mayFeed(rank: UploadRank): boolean;
  /** An upload of ours ended, was dropped, or stopped holding a slot: others waiting may go on. */
  slotFreed(): void;
}

/**
 * Serves one peer's requests: chunks of segments, round-robin across uploads, pausing while the
 * DataChannel buffers more than the high-water mark. A segment still on its way here is relayed as
 * its chunks arrive (cut-through), all but its last chunk: that goes once the whole segment is in
 * and checked, so a requester never completes a segment its relay then finds bad. If the relay
 * throws bytes away that it already passed on, the request is answered ABSENT (the requester then
 * drops them too).
 */
export class Uploader {
  private readonly uploads = new Map<number, Upload>();
  private blockedTimer: unknown;
  /** The drain mark last asked of the link: asked again only when it moves (a native call in Node). */
  private lowWaterBytes = 0;
  private pumping = false;
  private destroyed = false;

  constructor(
    private readonly config: Pick<EngineConfig, 'chunkBytes' | 'sendHighWaterBytes' | 'maxUploadsPerPeer'> & { readonly uploadStarveMs: number },
    private readonly clock: Clock,
    private readonly link: UploaderLink,
  ) {}

  /**
   * @param expectedTotalBytes a segment still arriving: the size it was admitted against (see
   *   PeerHost.admitUpload), what it counts for later admissions until its first byte shows the real one.
   */
  add(req: RequestMessage, source: Uint8Array | ReceivingSegment, expectedTotalBytes?: number): 'ok' | 'busy' | 'duplicate' {
    if (this.uploads.has(req.requestId)) return 'duplicate';
    if (this.uploads.size >= this.config.maxUploadsPerPeer) return 'busy';
    const bytes = source instanceof Uint8Array ? source : undefined;
    if (bytes && req.offsetBytes >= bytes.length) {
      this.link.send({ type: 'absent', requestId: req.requestId });
      return 'ok';
    }
    const receiving = bytes ? undefined : (source as ReceivingSegment);
    this.uploads.set(req.requestId, {
      requestId: req.requestId,
      rank: this.link.nextRank(req.withinMs),
      dueMs: this.clock.now() + req.withinMs,
      lastFedMs: this.clock.now(),
      key: segmentKey(req),
      bytes,
      receiving,
      relayedFrom: undefined,
      sizeSent: false,
      offsetBytes: req.offsetBytes,
      expectedTotalBytes,
    });
    this.pump();
    return 'ok';
  }

  /** More bytes of segment `key` arrived here: relay them to the uploads waiting on it. */
  progress(key: string): void {
    for (const upload of this.uploads.values()) {
      if (upload.key === key && !upload.bytes) {
        this.pump();
        return;
      }
    }
  }

  /** The local copy of `ref` completed (bytes) or was given up (undefined). */
  settle(ref: SegmentRef, bytes: Uint8Array | undefined): void {
    const key = segmentKey(ref);
    for (const upload of [...this.uploads.values()]) {
      if (upload.key !== key || upload.bytes) continue;
      upload.receiving = undefined;
      const relayedOther = upload.relayedFrom !== undefined && upload.relayedFrom.bytes !== bytes;
      if (!bytes || upload.offsetBytes >= bytes.length || relayedOther) {
        this.uploads.delete(upload.requestId);
        this.link.send({ type: 'absent', requestId: upload.requestId });
        this.link.slotFreed();
      } else {
        upload.bytes = bytes;
      }
    }
    this.pump();
  }

  /** Adds our uploads (what each has left to send, and when it is due) to `out`. */
  queue(out: QueuedUpload[]): void {
    for (const upload of this.uploads.values()) out.push({ rank: upload.rank, bytes: this.unsentOf(upload), dueMs: upload.dueMs });
  }

  /** Bytes it has yet to hand to the channel (a relay before its first byte: as admitted, else 0). */
  private unsentOf(upload: Upload): number {
    const total = upload.bytes?.length ?? upload.receiving?.partial?.totalBytes ?? upload.expectedTotalBytes ?? upload.offsetBytes;
    return Math.max(0, total - upload.offsetBytes);
  }

  cancel(requestId: number): void {
    if (this.uploads.delete(requestId)) this.link.slotFreed();
  }

  /** Our uploads ranked before `rank` that could send a chunk now: each holds an upload slot. */
  readyBefore(rank: UploadRank): number {
    let n = 0;
    for (const upload of this.uploads.values()) if (rankedBefore(upload.rank, rank) && this.ready(upload)) n++;
    return n;
  }

  /** Has bytes to send now: a complete segment, or a relayable chunk of one still arriving. */
  private ready(upload: Upload): boolean {
    if (upload.bytes) return true;
    const partial = upload.receiving?.partial;
    if (!partial || (upload.relayedFrom && partial !== upload.relayedFrom)) return false;
    return this.relayEndBytes(upload, partial) !== undefined;
  }

  /** Where the next relayed chunk of `partial` ends: whole chunks only, never the one that completes it. */
  private relayEndBytes(upload: Upload, partial: PartialSegment): number | undefined {
    const endBytes = upload.offsetBytes + this.config.chunkBytes;
    return endBytes > partial.receivedBytes || endBytes >= partial.totalBytes ? undefined : endBytes;
  }

  /** Sends chunks until the channel is full or nothing is ready. */
  pump(): void {
    if (this.destroyed || this.pumping) return;
    this.pumping = true;
    try {
      this.clock.clearTimeout(this.blockedTimer);
      let progressed = true;
      let sent = false;
      /** The earliest time a held upload must send (so it is never silent past starveMs). */
      let heldUntilMs = Number.POSITIVE_INFINITY;
      while (progressed) {
        progressed = false;
        for (const upload of [...this.uploads.values()]) {
          const starvedAtMs = upload.lastFedMs + this.config.uploadStarveMs;
          if (!this.link.mayFeed(upload.rank)) {
            // Waiting its turn: a QUEUED now and then, so the requester does not take it for a stall.
            if (this.clock.now() >= starvedAtMs) {
              this.link.send({ type: 'queued', requestId: upload.requestId });
              upload.lastFedMs = this.clock.now();
            }
            heldUntilMs = Math.min(heldUntilMs, upload.lastFedMs + this.config.uploadStarveMs);
            continue;
          }
          const from = upload.bytes ? { bytes: upload.bytes, endBytes: upload.bytes.length, totalBytes: upload.bytes.length } : this.relayable(upload);
          if (!from) continue;
          // Send only what keeps the buffer within the high-water mark (an empty buffer always takes one chunk).
          const messageBytes = Math.min(this.config.chunkBytes, from.endBytes - upload.offsetBytes) + DATA_HEADER_BYTES;
          const bufferedBytes = this.link.bufferedAmountBytes();
          const highWaterBytes = this.link.highWaterBytes();
          if (bufferedBytes > 0 && bufferedBytes + messageBytes > highWaterBytes) {
            // Refill at half the mark: the drain event then comes with half the queue's time still to
            // send, room for the event's own delay, and the channel never runs dry while data waits.
            const lowWaterBytes = Math.max(this.config.chunkBytes + DATA_HEADER_BYTES, Math.floor(highWaterBytes / 2));
            if (lowWaterBytes !== this.lowWaterBytes) {
              this.lowWaterBytes = lowWaterBytes;
              this.link.setLowWaterBytes(lowWaterBytes);
            }
            this.blockedTimer = this.clock.setTimeout(() => this.pump(), BLOCKED_RECHECK_MS);
            return;
          }
          const waitMs = this.link.paceMs(messageBytes);
          if (waitMs > 0) {
            this.blockedTimer = this.clock.setTimeout(() => this.pump(), waitMs);
            return;
          }
          this.sendChunk(upload, from.bytes, from.endBytes, from.totalBytes);
          progressed = true;
          sent = true;
        }
      }
      if (heldUntilMs < Number.POSITIVE_INFINITY) this.blockedTimer = this.clock.setTimeout(() => this.pump(), Math.max(1, heldUntilMs - this.clock.now()));
      // Sent all it could: an upload that ended, or a relay now waiting for bytes, holds no slot.
      if (sent) this.link.slotFreed();
    } finally {
      this.pumping = false;
    }
  }

  /**
   * What a waiting upload can send of a segment still arriving: the next whole chunk of the received
   * prefix, unless it is the segment's last. Undefined when nothing is ready; an upload whose relay source was replaced
   * (bytes thrown away) is answered ABSENT here.
   */
  private relayable(upload: Upload): { bytes: Uint8Array; endBytes: number; totalBytes: number } | undefined {
    const partial = upload.receiving?.partial;
    if (upload.relayedFrom && partial !== upload.relayedFrom) {
      this.uploads.delete(upload.requestId);
      this.link.send({ type: 'absent', requestId: upload.requestId });
      this.link.slotFreed();
      return undefined;
    }
    if (!partial) return undefined;
    const endBytes = this.relayEndBytes(upload, partial);
    if (endBytes === undefined) return undefined;
    upload.relayedFrom = partial;
    return { bytes: partial.bytes, endBytes, totalBytes: partial.totalBytes };
  }

  private sendChunk(upload: Upload, bytes: Uint8Array, endBytes = bytes.length, totalBytes = bytes.length): void {
    const end = Math.min(upload.offsetBytes + this.config.chunkBytes, endBytes);
    const payload = bytes.subarray(upload.offsetBytes, end);
    this.link.send(
      upload.sizeSent ? { type: 'data', requestId: upload.requestId, offsetBytes: upload.offsetBytes, payload } : { type: 'data', requestId: upload.requestId, offsetBytes: upload.offsetBytes, totalBytes, payload },
    );
    upload.sizeSent = true;
    this.link.uploaded(payload.length);
    upload.offsetBytes = end;
    upload.lastFedMs = this.clock.now();
    if (end >= totalBytes) this.uploads.delete(upload.requestId);
  }

  destroy(): void {
    this.destroyed = true;
    this.clock.clearTimeout(this.blockedTimer);
    this.uploads.clear();
  }
}
