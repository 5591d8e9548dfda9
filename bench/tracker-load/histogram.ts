/**
 * A latency histogram with fixed buckets, cheap to record and to merge across processes:
 * 0.05 ms steps up to 100 ms, then 1 ms steps up to 10 s; slower samples land in the last bucket.
 */

const FINE_STEP_MS = 0.05;
const FINE_LIMIT_MS = 100;
const COARSE_STEP_MS = 1;
const COARSE_LIMIT_MS = 10_000;
const FINE_BUCKETS = Math.round(FINE_LIMIT_MS / FINE_STEP_MS);
/** Bucket count of every histogram (so counts arrays from any process line up). */
export const HISTOGRAM_BUCKETS = FINE_BUCKETS + Math.round((COARSE_LIMIT_MS - FINE_LIMIT_MS) / COARSE_STEP_MS) + 1;

/** Counts per bucket; index i holds samples in [lower(i), lower(i + 1)). */
export class LatencyHistogram {
  readonly counts: Uint32Array;
  total = 0;

  constructor(counts?: readonly number[]) {
    this.counts = new Uint32Array(HISTOGRAM_BUCKETS);
    if (counts !== undefined) this.merge(counts);
  }

  record(ms: number): void {
    const safe = ms > 0 ? ms : 0;
    const index =
      safe < FINE_LIMIT_MS ? Math.floor(safe / FINE_STEP_MS) : Math.min(HISTOGRAM_BUCKETS - 1, FINE_BUCKETS + Math.floor((safe - FINE_LIMIT_MS) / COARSE_STEP_MS));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total += 1;
  }

  /** Adds the counts of another histogram (e.g. received over IPC as a plain array). */
  merge(counts: ArrayLike<number>): void {
    if (counts.length !== HISTOGRAM_BUCKETS) throw new Error(`histogram of ${counts.length} buckets, expected ${HISTOGRAM_BUCKETS}`);
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      const n = counts[i] ?? 0;
      this.counts[i] = (this.counts[i] ?? 0) + n;
      this.total += n;
    }
  }

  /** A new histogram of this one's samples without those of subset (which must be part of them, e.g. the cross-node relays of all relays). */
  without(subset: LatencyHistogram): LatencyHistogram {
    const rest = new LatencyHistogram();
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      const n = Math.max(0, (this.counts[i] ?? 0) - (subset.counts[i] ?? 0));
      rest.counts[i] = n;
      rest.total += n;
    }
    return rest;
  }

  /** Upper edge of the bucket holding quantile q (0..1), in ms (at most 10,000: the overflow bucket); null when empty. */
  quantileMs(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return upperEdgeMs(i);
    }
    return upperEdgeMs(HISTOGRAM_BUCKETS - 1);
  }

  /** The counts as a plain array, for IPC. */
  toArray(): number[] {
    return Array.from(this.counts);
  }
}

function upperEdgeMs(index: number): number {
  if (index < FINE_BUCKETS) return Math.round((index + 1) * FINE_STEP_MS * 100) / 100;
  // The last bucket holds everything from 10 s up: reported as 10 s.
  return Math.min(COARSE_LIMIT_MS, FINE_LIMIT_MS + (index - FINE_BUCKETS + 1) * COARSE_STEP_MS);
}
