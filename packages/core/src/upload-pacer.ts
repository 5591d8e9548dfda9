/**
 * A token bucket over all of a peer's uploads: at most `capBytesPerSec` of DATA leaves on average,
 * with bursts of at most `burstBytes`. Pure: time is passed in. A cap of 0 means no cap.
 */
export class UploadPacer {
  private tokens: number;
  private lastMs: number | undefined;

  constructor(
    private capBytesPerSec: number,
    private burstBytes: number,
  ) {
    this.tokens = burstBytes;
  }

  /** A new cap (0: none) and burst from `nowMs` on; the bucket keeps what it holds, up to the new burst. */
  setCap(nowMs: number, capBytesPerSec: number, burstBytes: number): void {
    this.refill(nowMs);
    this.capBytesPerSec = capBytesPerSec;
    this.burstBytes = burstBytes;
    this.tokens = Math.min(this.tokens, burstBytes);
  }

  get capped(): boolean {
    return this.capBytesPerSec > 0;
  }

  /** Cap in bytes per ms (Infinity when uncapped). */
  get bytesPerMs(): number {
    return this.capped ? this.capBytesPerSec / 1000 : Number.POSITIVE_INFINITY;
  }

  /**
   * Takes `bytes` from the bucket and returns 0, or takes nothing and returns how many ms to wait
   * before the bucket holds them. A message larger than the burst goes once the bucket is full.
   */
  take(nowMs: number, bytes: number): number {
    if (!this.capped) return 0;
    this.refill(nowMs);
    const need = Math.min(bytes, this.burstBytes);
    if (this.tokens >= need) {
      this.tokens -= bytes;
      return 0;
    }
    return Math.max(1, Math.ceil((need - this.tokens) / this.bytesPerMs));
  }

  private refill(nowMs: number): void {
    if (this.lastMs !== undefined) this.tokens = Math.min(this.burstBytes, this.tokens + (nowMs - this.lastMs) * this.bytesPerMs);
    this.lastMs = nowMs;
  }
}
