/** Counts events in fixed windows; tells when a window's limit is passed. Pure: time is passed in. */
export class RateWindow {
  private windowStartMs = Number.NEGATIVE_INFINITY;
  private count = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records `amount` (events or bytes) at `nowMs`; false once the window holds more than the limit. */
  hit(nowMs: number, amount = 1): boolean {
    if (nowMs - this.windowStartMs >= this.windowMs) {
      this.windowStartMs = nowMs;
      this.count = 0;
    }
    this.count += amount;
    return this.count <= this.limit;
  }
}
