/**
 * A fixed-size ring of samples of one stream, for the dashboard's plots: one sample per
 * historySampleMs, the oldest overwritten once full. Columnar typed arrays: 1,800 samples of 7
 * columns are ~100 KB per stream, allocated once.
 */

/** The columns of a sample; bytes and stalls are cumulative (the page plots their rates). */
export const HISTORY_COLUMNS = ['t', 'viewers', 'httpBytes', 'p2pBytes', 'uploadedBytes', 'stalls', 'liveLatencyMs'] as const;
export type HistoryColumn = (typeof HISTORY_COLUMNS)[number];
/** One sample: `t` in seconds since the epoch; liveLatencyMs NaN when unknown (null in JSON). */
export type HistorySample = Record<HistoryColumn, number>;
/** Samples as parallel arrays, oldest first, as uPlot takes them. */
export type HistorySeries = Record<HistoryColumn, (number | null)[]>;

export class StreamHistory {
  readonly #columns: Record<HistoryColumn, Float64Array>;
  readonly #capacity: number;
  /** Index of the next write. */
  #next = 0;
  #count = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#columns = Object.fromEntries(HISTORY_COLUMNS.map((c) => [c, new Float64Array(capacity)])) as Record<HistoryColumn, Float64Array>;
  }

  get length(): number {
    return this.#count;
  }

  push(sample: HistorySample): void {
    for (const c of HISTORY_COLUMNS) this.#columns[c][this.#next] = sample[c];
    this.#next = (this.#next + 1) % this.#capacity;
    this.#count = Math.min(this.#count + 1, this.#capacity);
  }

  /** Samples with t > sinceSec (all of them by default), oldest first. */
  series(sinceSec = Number.NEGATIVE_INFINITY): HistorySeries {
    const out = Object.fromEntries(HISTORY_COLUMNS.map((c) => [c, [] as (number | null)[]])) as HistorySeries;
    const start = (this.#next - this.#count + this.#capacity) % this.#capacity;
    for (let i = 0; i < this.#count; i++) {
      const at = (start + i) % this.#capacity;
      if (!((this.#columns.t[at] ?? 0) > sinceSec)) continue;
      for (const c of HISTORY_COLUMNS) {
        const value = this.#columns[c][at] ?? Number.NaN;
        out[c].push(Number.isNaN(value) ? null : value);
      }
    }
    return out;
  }
}
