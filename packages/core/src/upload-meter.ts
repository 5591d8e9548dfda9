/**
 * Measures this peer's upload capacity from how fast its DataChannels drain while they hold a
 * backlog: bytes handed to the channels minus bytes still buffered is what left, and over an
 * interval where some channel had bytes waiting at both ends the uplink was (close to) saturated,
 * so what left is what it can carry. No speed test, no configured figure: a browser does not know
 * its uplink, and the simulator's links count bytes at its own scale.
 */
export class UploadMeter {
  private enqueuedBytes = 0;
  private last: { atMs: number; sentBytes: number; backlogged: boolean } | undefined;
  private rate: number | undefined;

  /** @param minIntervalMs shortest interval a rate is computed over (shorter ones are noise). */
  constructor(private readonly minIntervalMs = 250) {}

  /**
   * DATA message bytes handed to a DataChannel. Control messages are left out: what is measured is
   * the rate DATA leaves at, which is what uploads are admitted against (the few control bytes in a
   * buffer only blur it a little).
   */
  enqueued(bytes: number): void {
    this.enqueuedBytes += bytes;
  }

  /** Bytes that will never leave: the buffer of a channel that closed. */
  discarded(bytes: number): void {
    this.enqueuedBytes -= bytes;
  }

  /** True when sample() would record (the last sample is at least minIntervalMs old). */
  due(nowMs: number): boolean {
    return this.last === undefined || nowMs - this.last.atMs >= this.minIntervalMs;
  }

  /** Records the channels' total buffered bytes now; call it whenever convenient (it rate-limits itself). */
  sample(nowMs: number, bufferedBytes: number): void {
    const last = this.last;
    if (last && nowMs - last.atMs < this.minIntervalMs) return;
    const sentBytes = this.enqueuedBytes - bufferedBytes;
    if (last?.backlogged === true && bufferedBytes > 0) {
      const measured = Math.max(0, sentBytes - last.sentBytes) / (nowMs - last.atMs);
      // Smoothed, but quick to follow: an uplink shared with other traffic changes.
      this.rate = this.rate === undefined ? measured : 0.7 * this.rate + 0.3 * measured;
    }
    this.last = { atMs: nowMs, sentBytes, backlogged: bufferedBytes > 0 };
  }

  /** Measured upload capacity in bytes per millisecond, undefined until measured. */
  get bytesPerMs(): number | undefined {
    return this.rate;
  }
}
