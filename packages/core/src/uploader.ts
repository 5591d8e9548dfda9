import type { PeerMessage, RequestMessage, SegmentRef } from '@swarmcast/protocol';
import type { EngineConfig } from './config.js';
import type { Clock } from './ports.js';
import { segmentKey } from './segment-id.js';

/** If no drain event comes while blocked on back-pressure, look again after this long. */
const BLOCKED_RECHECK_MS = 50;
/** Bytes a DATA message adds to its payload: type (u8), requestId, offsetBytes, totalBytes (u32 each). */
const DATA_HEADER_BYTES = 13;

interface Upload {
  readonly requestId: number;
  readonly key: string;
  /** Undefined while parked: the segment is still arriving here. */
  bytes: Uint8Array | undefined;
  offsetBytes: number;
}

export interface UploaderLink {
  send(msg: PeerMessage): void;
  bufferedAmountBytes(): number;
  uploaded(bytes: number): void;
}

/**
 * Serves one peer's requests: chunks of complete segments, round-robin across uploads, pausing
 * while the DataChannel buffers more than the high-water mark. Requests for a segment still on
 * its way here are parked until it completes.
 */
export class Uploader {
  private readonly uploads = new Map<number, Upload>();
  private blockedTimer: unknown;
  private pumping = false;
  private destroyed = false;

  constructor(
    private readonly config: Pick<EngineConfig, 'chunkBytes' | 'sendHighWaterBytes' | 'maxUploadsPerPeer'>,
    private readonly clock: Clock,
    private readonly link: UploaderLink,
  ) {}

  add(req: RequestMessage, bytes: Uint8Array | undefined): 'ok' | 'busy' | 'duplicate' {
    if (this.uploads.has(req.requestId)) return 'duplicate';
    if (this.uploads.size >= this.config.maxUploadsPerPeer) return 'busy';
    if (bytes && req.offsetBytes >= bytes.length) {
      this.link.send({ type: 'absent', requestId: req.requestId });
      return 'ok';
    }
    this.uploads.set(req.requestId, { requestId: req.requestId, key: segmentKey(req), bytes, offsetBytes: req.offsetBytes });
    this.pump();
    return 'ok';
  }

  /** The local copy of `ref` completed (bytes) or was given up (undefined). */
  settle(ref: SegmentRef, bytes: Uint8Array | undefined): void {
    const key = segmentKey(ref);
    for (const upload of [...this.uploads.values()]) {
      if (upload.key !== key || upload.bytes) continue;
      if (!bytes || upload.offsetBytes >= bytes.length) {
        this.uploads.delete(upload.requestId);
        this.link.send({ type: 'absent', requestId: upload.requestId });
      } else {
        upload.bytes = bytes;
      }
    }
    this.pump();
  }

  cancel(requestId: number): void {
    this.uploads.delete(requestId);
  }

  /** Sends chunks until the channel is full or nothing is ready. */
  pump(): void {
    if (this.destroyed || this.pumping) return;
    this.pumping = true;
    try {
      this.clock.clearTimeout(this.blockedTimer);
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const upload of this.uploads.values()) {
          if (!upload.bytes) continue;
          // Send only what keeps the buffer within the high-water mark (an empty buffer always takes one chunk).
          const messageBytes = Math.min(this.config.chunkBytes, upload.bytes.length - upload.offsetBytes) + DATA_HEADER_BYTES;
          const bufferedBytes = this.link.bufferedAmountBytes();
          if (bufferedBytes > 0 && bufferedBytes + messageBytes > this.config.sendHighWaterBytes) {
            this.blockedTimer = this.clock.setTimeout(() => this.pump(), BLOCKED_RECHECK_MS);
            return;
          }
          this.sendChunk(upload, upload.bytes);
          progressed = true;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private sendChunk(upload: Upload, bytes: Uint8Array): void {
    const end = Math.min(upload.offsetBytes + this.config.chunkBytes, bytes.length);
    const payload = bytes.subarray(upload.offsetBytes, end);
    this.link.send({ type: 'data', requestId: upload.requestId, offsetBytes: upload.offsetBytes, totalBytes: bytes.length, payload });
    this.link.uploaded(payload.length);
    upload.offsetBytes = end;
    if (end >= bytes.length) this.uploads.delete(upload.requestId);
  }

  destroy(): void {
    this.destroyed = true;
    this.clock.clearTimeout(this.blockedTimer);
    this.uploads.clear();
  }
}
