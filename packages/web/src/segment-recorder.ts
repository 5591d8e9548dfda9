/**
 * Keeps the list of segments handed to hls.js with their SHA-256, for the harness to compare
 * byte for byte with the origin. Hashing (WebCrypto) is async; records keep arrival order.
 */
import type { SegmentRecord, SegmentSource } from './viewer-report.js';

export interface SegmentInput {
  readonly rendition: string;
  readonly sn: number;
  readonly source: SegmentSource;
  readonly bytes: Uint8Array;
  /** From the player asking for it to the hand-over, ms. */
  readonly loadMs: number;
}

export class SegmentRecorder {
  private readonly records: (SegmentRecord | undefined)[] = [];
  private readonly listeners = new Set<(record: SegmentRecord) => void>();
  private readonly pending = new Set<Promise<void>>();

  /**
   * Records one segment. The bytes are copied before this returns, so the caller may hand the
   * buffer on (hls.js transfers it to its worker).
   */
  record(input: SegmentInput): void {
    const copy = input.bytes.slice();
    const atMs = performance.timeOrigin + performance.now();
    const index = this.records.length;
    this.records.push(undefined);
    const job = crypto.subtle.digest('SHA-256', copy).then(
      (digest) => {
        const record: SegmentRecord = {
          rendition: input.rendition,
          sn: input.sn,
          source: input.source,
          bytes: copy.byteLength,
          sha256: toHex(new Uint8Array(digest)),
          atMs,
          loadMs: Math.round(input.loadMs),
        };
        this.records[index] = record;
        for (const listener of this.listeners) listener(record);
      },
      (error: unknown) => {
        console.error('[swarmcast-web] sha256 failed', error);
      },
    );
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Resolves once every segment recorded so far is hashed. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Hashed records so far, in arrival order. */
  list(): SegmentRecord[] {
    return this.records.filter((r): r is SegmentRecord => r !== undefined);
  }

  /** Sum of bytes per source over the hashed records. */
  bytesBySource(source: SegmentSource): number {
    return this.list().reduce((sum, r) => (r.source === source ? sum + r.bytes : sum), 0);
  }

  onRecord(listener: (record: SegmentRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
