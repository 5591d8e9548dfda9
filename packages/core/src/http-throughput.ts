/** Fetches shorter than this say more about latency than throughput: not sampled. */
const MIN_SAMPLE_BYTES = 4 * 1024;

/**
 * What HTTP (the CDN) delivers to this viewer, bytes/s: an exponentially weighted moving average
 * over the engine's own HTTP segment fetches, bytes / elapsed time (time to first byte included,
 * so the figure is what a whole segment download sustains). Each fetch weighs by its duration, and
 * a fetch as long as the half-life counts as much as all before it. Pure: the caller measures time.
 *
 * Why: a segment from a peer or from the store arrives in a few ms. Reported as is to the player,
 * that time would make its ABR think the network sustains any rendition, and a later switch to
 * HTTP (peers gone, a segment nobody has) would stall; reported as the peer's real time, a slow
 * peer would hold the player below what HTTP sustains. The player integration reports P2P
 * transfers at this rate instead (see the hls.js fragment loader).
 */
export class HttpThroughput {
  private estimate = 0;
  /** Sum of the weights so far, for the zero-start correction (as hls.js's EWMA does). */
  private totalWeight = 0;

  constructor(private readonly halfLifeMs: number) {}

  /** One HTTP fetch ended: `bytes` in `elapsedMs` (from request to last byte). */
  sample(bytes: number, elapsedMs: number): void {
    if (bytes < MIN_SAMPLE_BYTES || !Number.isFinite(elapsedMs)) return;
    const ms = Math.max(1, elapsedMs);
    const rate = (bytes * 1000) / ms;
    const alpha = 0.5 ** (ms / this.halfLifeMs);
    this.estimate = alpha * this.estimate + (1 - alpha) * rate;
    this.totalWeight = alpha * this.totalWeight + (1 - alpha);
  }

  /** The estimate in bytes/s, or undefined before the first sampled fetch. */
  bytesPerSec(): number | undefined {
    return this.totalWeight === 0 ? undefined : this.estimate / this.totalWeight;
  }
}

/** A fast sample pulls the estimate down by this share of the difference; a slow one lifts it at once. */
const FETCH_TIME_DECAY = 0.2;

/**
 * What a whole segment's HTTP fetch takes this viewer, ms: its recent high. A slower fetch raises
 * the figure at once, faster ones lower it a fifth of the way each, so one quick fetch after a slow
 * spell does not shrink the margin kept for HTTP (see EngineConfig.httpSafetyMs). Pure.
 */
export class HttpFetchTime {
  private estimateMs: number | undefined;

  /** A whole segment came over HTTP in `elapsedMs` (request to last byte). */
  sample(elapsedMs: number): void {
    if (!Number.isFinite(elapsedMs) || elapsedMs < 0) return;
    const current = this.estimateMs;
    this.estimateMs = current === undefined || elapsedMs >= current ? elapsedMs : current + FETCH_TIME_DECAY * (elapsedMs - current);
  }

  /** The estimate, or undefined before the first fetch. */
  get ms(): number | undefined {
    return this.estimateMs;
  }
}
