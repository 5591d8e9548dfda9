/**
 * Measures this peer's upload capacity from how fast its DataChannels drain while they hold a
 * backlog: bytes handed to the channels minus bytes still buffered is what left, and over an
 * interval where some channel had bytes waiting at both ends the uplink was (close to) saturated,
 * so what left is what it can carry. No speed test, no configured figure: a browser does not know
 * its uplink, and the simulator's links count bytes at its own scale.
 */
export class UploadMeter {
  private enqueuedBytes = 0;
  /** The last sample a rate interval may start from; `opened`: a backlog began at it or after it. */
  private last: { atMs: number; sentBytes: number; backlogged: boolean; opened: boolean } | undefined;
  /** The last sample of any kind: whether it saw bytes buffered, and when. */
  private previous: { atMs: number; buffered: boolean } | undefined;
  private rate: number | undefined;
  /** When the rate was last updated (undefined: never). */
  private measuredAtMs: number | undefined;
  /** The sample that saw the present backlog begin (undefined: none now). */
  private backlogStart: { atMs: number; sentBytes: number } | undefined;

  /**
   * @param minIntervalMs shortest interval a rate is computed over (shorter ones are noise).
   * @param maxIntervalMs longest: samples come with every chunk queued while a backlog lasts, so a
   *   longer gap means the channels emptied and idled in between (bursty uploads: a segment, then
   *   nothing until the next), and what left over it says how much there was to send, not how fast.
   */
  constructor(
    private readonly minIntervalMs = 250,
    private readonly maxIntervalMs = 1_000,
  ) {}

  /**
   * DATA message bytes handed to a DataChannel. Control messages are left out: what is measured is
   * the rate DATA leaves at, which is what uploads are admitted against (the few control bytes in a
   * buffer only blur it a little).
   */
  enqueued(bytes: number): void {
    this.enqueuedBytes += bytes;
  }

  /**
   * An upload just started on a channel that held nothing: its transport's congestion window may
   * be open, and what it takes at once is no rate, so the interval running now is not taken
   * (uploads to different peers take turns, each over its own SCTP association: a backlog that
   * looks continuous over all channels still bursts at every turn).
   */
  channelOpened(): void {
    if (this.last) this.last.opened = true;
  }

  /** Bytes that will never leave: the buffer of a channel that closed. */
  discarded(bytes: number): void {
    this.enqueuedBytes -= bytes;
  }

  /**
   * Records the channels' total buffered bytes now; call it whenever convenient. Rates come from
   * samples at least minIntervalMs apart; the start of a backlog is noted at any sample.
   */
  sample(nowMs: number, bufferedBytes: number): void {
    const sentBytes = this.enqueuedBytes - bufferedBytes;
    const previous = this.previous;
    const opened = bufferedBytes > 0 && (previous === undefined || !previous.buffered || nowMs - previous.atMs > this.maxIntervalMs);
    this.previous = { atMs: nowMs, buffered: bufferedBytes > 0 };
    if (bufferedBytes === 0) this.backlogStart = undefined;
    else if (this.backlogStart === undefined || nowMs - this.backlogStart.atMs > this.maxIntervalMs) this.backlogStart = { atMs: nowMs, sentBytes };
    const last = this.last;
    if (last && nowMs - last.atMs < this.minIntervalMs) return;
    // Not from the sample that saw a backlog begin: an idle transport takes the first bytes into its
    // congestion window at once (a browser's SCTP sends a window's worth in one burst into the
    // router's queue), so what leaves the channels then is not the uplink's rate: a 720 kbit/s link
    // read up to twice its rate that way.
    if (last?.backlogged === true && !last.opened && bufferedBytes > 0 && nowMs - last.atMs <= this.maxIntervalMs && sentBytes > last.sentBytes) {
      // An interval where nothing left at all is a stall (loss recovery, a renderer too busy to
      // update its buffered counts), not a rate: taken as one it would drive the rate to zero, and
      // a zero rate refuses every upload, so no later backlog could ever correct it.
      const measured = (sentBytes - last.sentBytes) / (nowMs - last.atMs);
      // Smoothed, but quick to follow: an uplink shared with other traffic changes.
      this.rate = this.rate === undefined ? measured : 0.7 * this.rate + 0.3 * measured;
      this.measuredAtMs = nowMs;
    }
    this.last = { atMs: nowMs, sentBytes, backlogged: bufferedBytes > 0, opened };
  }

  /**
   * Whether a sample taken while bytes are buffered would record anything: a rate interval is due,
   * or no backlog is known (or the known one is too old to time from). Lets a caller that samples
   * per queued chunk skip summing the channels' buffers on every chunk.
   */
  wantsBackloggedSample(nowMs: number): boolean {
    const { last, backlogStart } = this;
    return last === undefined || nowMs - last.atMs >= this.minIntervalMs || backlogStart === undefined || nowMs - backlogStart.atMs > this.maxIntervalMs;
  }

  /**
   * Until measured: a lower bound of the uplink from the present backlog, what left since the sample
   * that saw it begin (a fast uplink sends a segment in a few ms, so its backlogs may never last
   * long enough to measure; a slow one shows itself within tens of ms). Undefined when no backlog is
   * known or it is younger than `minAgeMs` (too soon to say anything).
   */
  provisionalBytesPerMs(nowMs: number, bufferedBytes: number, minAgeMs: number): number | undefined {
    const start = this.backlogStart;
    if (start === undefined || nowMs - start.atMs < minAgeMs) return undefined;
    return Math.max(0, this.enqueuedBytes - bufferedBytes - start.sentBytes) / (nowMs - start.atMs);
  }

  /** DATA bytes handed to the channels so far (less those discarded). */
  get enqueuedTotalBytes(): number {
    return this.enqueuedBytes;
  }

  /**
   * Whether the rate was measured (and so refreshed) within the last `maxAgeMs`; false when never
   * measured. A rate measured low refuses uploads, and without uploads it is never measured again:
   * a stale one is what lets the caller take an upload anyway, as a probe.
   */
  measuredWithin(nowMs: number, maxAgeMs: number): boolean {
    return this.measuredAtMs !== undefined && nowMs - this.measuredAtMs <= maxAgeMs;
  }

  /** Measured upload capacity in bytes per millisecond, undefined until measured. */
  get bytesPerMs(): number | undefined {
    return this.rate;
  }
}
