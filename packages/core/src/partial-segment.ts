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

  constructor(readonly totalBytes: number) {
    this.bytes = new Uint8Array(totalBytes);
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
