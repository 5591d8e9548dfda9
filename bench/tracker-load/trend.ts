/** Growth trend of a sampled series: least-squares slope and first-vs-last-quarter means. */

export interface Trend {
  /** Least-squares slope, in the value's unit per minute. */
  readonly slopePerMin: number;
  readonly firstQuarterMean: number;
  readonly lastQuarterMean: number;
  /** (last - first) / first quarter mean. */
  readonly quarterGrowth: number;
}

/** Trend of values sampled at tSec (same length, at least 4 points). */
export function trend(tSec: readonly number[], values: readonly number[]): Trend {
  const n = Math.min(tSec.length, values.length);
  if (n < 4) throw new Error(`trend needs at least 4 samples, got ${n}`);
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += tSec[i] ?? 0;
    sy += values[i] ?? 0;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = (tSec[i] ?? 0) - mx;
    sxy += dx * ((values[i] ?? 0) - my);
    sxx += dx * dx;
  }
  const quarter = Math.max(1, Math.floor(n / 4));
  const firstQuarterMean = mean(values.slice(0, quarter));
  const lastQuarterMean = mean(values.slice(n - quarter, n));
  return {
    slopePerMin: sxx === 0 ? 0 : (sxy / sxx) * 60,
    firstQuarterMean,
    lastQuarterMean,
    quarterGrowth: firstQuarterMean === 0 ? 0 : (lastQuarterMean - firstQuarterMean) / firstQuarterMean,
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}
