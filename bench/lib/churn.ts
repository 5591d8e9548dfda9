/** Which viewers leave mid-run under `--churn PCT`, when, and how soon their replacement joins. */
import type { ChurnEvent } from '../../test/e2e/harness/schedule.js';

/** A leaving viewer stays at least this share of its play time, and leaves before this share of it. */
const LEAVE_WINDOW: readonly [number, number] = [0.2, 0.8];
/** The replacement joins within this long after the leave (issue #3: within 2 s). */
export const MAX_REJOIN_DELAY_MS = 2000;

/**
 * round(viewers x pct / 100) distinct slots, each leaving once at a uniformly random time within
 * LEAVE_WINDOW of its play time and replaced after 0 to MAX_REJOIN_DELAY_MS.
 */
export function planChurn(viewers: number, pct: number, durationMs: number, random: () => number = Math.random): ChurnEvent[] {
  const count = Math.round((viewers * pct) / 100);
  const slots = Array.from({ length: viewers }, (_, i) => i);
  // Fisher-Yates: the first `count` slots of a shuffle.
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [slots[i], slots[j]] = [slots[j] ?? 0, slots[i] ?? 0];
  }
  const [from, to] = LEAVE_WINDOW;
  return slots.slice(0, count).sort((a, b) => a - b).map((slot) => ({
    slot,
    leaveAfterMs: Math.round(durationMs * (from + (to - from) * random())),
    rejoinDelayMs: Math.round(MAX_REJOIN_DELAY_MS * random()),
  }));
}

/**
 * bench:churn's schedule: every `intervalMs` from the run's start, round(viewers x share) slots
 * (taken in turn, so every slot churns) leave and are replaced 0 to MAX_REJOIN_DELAY_MS later.
 * Times are from the run's start; `joinAtMs(slot)` converts them to the slot's own clock.
 */
export function planPeriodicChurn(
  viewers: number,
  durationMs: number,
  intervalMs: number,
  share: number,
  joinAtMs: (slot: number) => number,
  random: () => number = Math.random,
): ChurnEvent[] {
  const perTick = Math.max(1, Math.round(viewers * share));
  const events: ChurnEvent[] = [];
  let next = 0;
  for (let atMs = intervalMs; atMs < durationMs; atMs += intervalMs) {
    for (let k = 0; k < perTick; k++) {
      const slot = next % viewers;
      next++;
      events.push({ slot, leaveAfterMs: Math.max(1, atMs - joinAtMs(slot)), rejoinDelayMs: Math.round(MAX_REJOIN_DELAY_MS * random()) });
    }
  }
  return events;
}
