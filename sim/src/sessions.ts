/**
 * Who watches when: the initial peers join spread over the ramp; with churn, a share of them leave
 * during the run after a log-normal session (some gracefully, some by crashing), and each leaver is
 * replaced by a newcomer who joins within 2 s and stays to the end, so the audience stays near N.
 *
 * Session lengths: log-normal with sigma 1 and its median set so that a share `churn` of sessions
 * drawn from it would end within the run (P[S < duration] = churn); a leaver's session is drawn from
 * that law truncated to the time it has left in the run.
 */
import type { RandomPort } from '@swarmcast/core';
import type { ScenarioParams } from './params.ts';

const SESSION_SIGMA = 1;
const REPLACEMENT_DELAY_MS = 2_000;

export interface SessionPlan {
  readonly index: number;
  readonly joinMs: number;
  /** Undefined: stays to the end. */
  readonly leaveMs: number | undefined;
  readonly crash: boolean;
  /** Upload capacity as a multiple of the bitrate. */
  readonly uploadMultiple: number;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Standard normal quantile (Acklam's rational approximation; relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

function drawMultiple(params: ScenarioParams, random: RandomPort): number {
  let u = random.random();
  for (const c of params.uploadMix) {
    if (u < c.fraction) return c.multiple;
    u -= c.fraction;
  }
  return params.uploadMix[params.uploadMix.length - 1]?.multiple ?? 1;
}

export function planSessions(params: ScenarioParams, random: RandomPort): SessionPlan[] {
  const durationMs = params.durationSec * 1000;
  const n = params.peers;
  const plans: SessionPlan[] = [];
  const joins = Array.from({ length: n }, () => random.random() * params.rampSec * 1000);
  // Which initial peers leave: a random subset of the churn's size.
  const leaving = new Set<number>();
  const leavers = Math.round(Math.min(1, params.churn) * n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < leavers; i++) {
    const j = i + Math.floor(random.random() * (n - i));
    const pick = order[j] as number;
    order[j] = order[i] as number;
    order[i] = pick;
    leaving.add(pick);
  }
  const churn = Math.min(0.999, Math.max(0.001, params.churn));
  const mu = Math.log(durationMs) - SESSION_SIGMA * normalQuantile(churn);
  const cdf = (ms: number): number => normalCdf((Math.log(ms) - mu) / SESSION_SIGMA);
  let index = 0;
  for (let i = 0; i < n; i++) {
    const joinMs = joins[i] as number;
    let leaveMs: number | undefined;
    if (leaving.has(i)) {
      const left = durationMs - joinMs;
      const p = Math.max(1e-12, random.random() * cdf(left));
      leaveMs = joinMs + Math.min(left - 1, Math.exp(mu + SESSION_SIGMA * normalQuantile(p)));
    }
    const crash = leaveMs !== undefined && random.random() < params.crashShare;
    plans.push({ index: index++, joinMs, leaveMs, crash, uploadMultiple: drawMultiple(params, random) });
    if (leaveMs !== undefined) {
      const replacementJoin = leaveMs + random.random() * REPLACEMENT_DELAY_MS;
      if (replacementJoin < durationMs) {
        plans.push({ index: index++, joinMs: replacementJoin, leaveMs: undefined, crash: false, uploadMultiple: drawMultiple(params, random) });
      }
    }
  }
  return plans;
}
