/**
 * A viewer that seeks: every interval it jumps to the next position of its plan and measures how
 * long playback is interrupted (from setting currentTime until the playhead moves past the target
 * again). Used to compare Swarmcast with plain hls.js on the same seek plans.
 */
import type { Browser, Page } from 'playwright-core';
import type { ViewerReport } from '@swarmcast/web';
import { sleep } from './schedule.js';
import { openViewer } from './viewer.js';
import type { ViewerOptions } from './viewer.js';

/** How long one seek may take before the run fails: far above any honest wait. */
const SEEK_TIMEOUT_MS = 20_000;
/** The playhead must move this far past the target for the seek to count as done. */
const PLAYED_PAST_SEC = 0.2;

/** Seek targets in [minSec, maxSec), from a seeded generator (mulberry32): the same plan every run. */
export function seekPlan(seed: number, count: number, minSec: number, maxSec: number): number[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return Array.from({ length: count }, () => Math.round((minSec + next() * (maxSec - minSec)) * 10) / 10);
}

/** One seek: how long it interrupted playback, and whether the player held the target already. */
export interface SeekOutcome {
  readonly waitMs: number;
  /** The buffer held the target and the PLAYED_PAST_SEC after it when the seek began. */
  readonly inBuffer: boolean;
}

/** Seeks the page's video to `targetSec` and resolves with the interruption and whether the target was buffered. */
export async function seekAndWait(page: Page, targetSec: number): Promise<SeekOutcome> {
  return page.evaluate(
    async ({ target, timeoutMs, pastSec }) => {
      const video = document.querySelector('video');
      if (!video) throw new Error('no video element');
      const started = performance.now();
      const buffered = video.buffered;
      let inBuffer = false;
      for (let i = 0; i < buffered.length; i++) inBuffer ||= buffered.start(i) <= target && buffered.end(i) >= target + pastSec;
      video.currentTime = target;
      return new Promise<SeekOutcome>((resolve, reject) => {
        const poll = setInterval(() => {
          const elapsed = performance.now() - started;
          if (!video.seeking && !video.paused && video.currentTime >= target + pastSec) {
            clearInterval(poll);
            resolve({ waitMs: Math.round(elapsed), inBuffer });
          } else if (elapsed > timeoutMs) {
            clearInterval(poll);
            reject(new Error(`seek to ${target} s not done after ${timeoutMs} ms (at ${video.currentTime.toFixed(2)} s, readyState ${video.readyState})`));
          }
        }, 10);
      });
    },
    { target: targetSec, timeoutMs: SEEK_TIMEOUT_MS, pastSec: PLAYED_PAST_SEC },
  );
}

export interface SeekingViewerOptions extends ViewerOptions {
  /** Waits this long before opening the page. */
  readonly joinAfterMs: number;
  /** Seek targets, one per interval after the first playing. */
  readonly plan: readonly number[];
  readonly intervalMs: number;
  /** From the first playing to the first seek. @default intervalMs */
  readonly firstSeekAfterMs?: number;
  readonly signal: AbortSignal;
}

export interface SeekingViewerResult {
  readonly report: ViewerReport;
  /** Interruption of each seek, in plan order. */
  readonly seekWaitsMs: readonly number[];
  /** Whether the player held each seek's target already, in plan order. */
  readonly seeksInBuffer: readonly boolean[];
  /** When the first seek began (ms since the epoch; the page's stall log uses the same clock). */
  readonly firstSeekAtMs: number;
  /** When each seek began, in plan order (ms since the epoch, as firstSeekAtMs). */
  readonly seeksAtMs: readonly number[];
}

/** Opens a viewer, lets it start, runs its seek plan, then reports and closes it. */
export async function runSeekingViewer(browser: Browser, options: SeekingViewerOptions): Promise<SeekingViewerResult> {
  await sleep(options.joinAfterMs, options.signal);
  const handle = await openViewer(browser, options);
  try {
    await handle.page.waitForFunction(() => document.querySelector('video')?.paused === false, undefined, { timeout: SEEK_TIMEOUT_MS });
    const seekWaitsMs: number[] = [];
    const seeksInBuffer: boolean[] = [];
    const seeksAtMs: number[] = [];
    for (const [i, target] of options.plan.entries()) {
      await sleep(i === 0 ? (options.firstSeekAfterMs ?? options.intervalMs) : options.intervalMs, options.signal);
      seeksAtMs.push(Date.now());
      const outcome = await seekAndWait(handle.page, target);
      seekWaitsMs.push(outcome.waitMs);
      seeksInBuffer.push(outcome.inBuffer);
    }
    return { report: await handle.report(), seekWaitsMs, seeksInBuffer, firstSeekAtMs: seeksAtMs[0] ?? Number.POSITIVE_INFINITY, seeksAtMs };
  } finally {
    await handle.close();
  }
}
