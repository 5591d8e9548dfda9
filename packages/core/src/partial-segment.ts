/**
 * A segment this engine is downloading, as its uploads see it: the bytes assembled so far, read
 * afresh each time (the acquisition replaces its partial when it throws bytes away).
 */
export interface ReceivingSegment {
  readonly partial: PartialSegment | undefined;
}

/** A segment being assembled from a prefix that grows: chunks from peers, then maybe an HTTP range. */
export class PartialSegment {
  readonly bytes: Uint8Array;
  receivedBytes = 0;

  /**
   * @param startedAtMs when its first bytes came (undefined: unknown, as for a gap filled over
   *   HTTP), for the pace of the copy (see doneAtMs).
   */
  constructor(
    readonly totalBytes: number,
    readonly startedAtMs?: number,
  ) {
    this.bytes = new Uint8Array(totalBytes);
  }

  /**
   * When the copy will be whole at the pace it has come since its first bytes, once they are at
   * least `minElapsedMs` old; undefined before, or with no start known.
   */
  doneAtMs(nowMs: number, minElapsedMs: number): number | undefined {
    if (this.startedAtMs === undefined) return undefined;
    const elapsedMs = nowMs - this.startedAtMs;
    if (elapsedMs < minElapsedMs || this.receivedBytes === 0) return undefined;
    return nowMs + ((this.totalBytes - this.receivedBytes) * elapsedMs) / this.receivedBytes;
  }

  /** Appends at `offsetBytes`, which must be the current end of the prefix. */
  append(offsetBytes: number, chunk: Uint8Array): void {
    if (offsetBytes !== this.receivedBytes || offsetBytes + chunk.length > this.totalBytes) {
      throw new Error(`chunk at ${offsetBytes}+${chunk.length} does not extend prefix ${this.receivedBytes}/${this.totalBytes}`);
    }
    this.bytes.set(chunk, offsetBytes);
    this.receivedBytes += chunk.length;
  }

  get complete(): boolean {
    return this.receivedBytes === this.totalBytes;
  }
}
