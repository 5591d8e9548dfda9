export interface TokenBucketOptions {
  /** Tokens added per second. */
  refillPerSec: number;
  /** Bucket size, also the initial fill. */
  capacity: number;
}

/** A token bucket driven by the caller's clock, so it needs no timer of its own. */
export class TokenBucket {
  readonly #refillPerMs: number;
  readonly #capacity: number;
  #tokens: number;
  #lastMs: number;

  constructor(options: TokenBucketOptions, nowMs: number) {
    this.#refillPerMs = options.refillPerSec / 1000;
    this.#capacity = options.capacity;
    this.#tokens = options.capacity;
    this.#lastMs = nowMs;
  }

  /** Takes one token; false when the bucket is empty. */
  take(nowMs: number): boolean {
    const elapsedMs = Math.max(0, nowMs - this.#lastMs);
    this.#lastMs = nowMs;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsedMs * this.#refillPerMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
