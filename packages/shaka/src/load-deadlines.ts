/**
 * The deadlines of a Shaka player's segment loads in flight, kept up to date. A load's deadline is
 * when playback reaches its segment (or the end of the buffer, if sooner), computed when Shaka asks;
 * the buffer can shrink while the load waits for peers: a seek moves the playhead, and Shaka flushes
 * the buffer ahead on some ABR switches and configuration changes, with no event for it. So each
 * load's deadline is computed again on every 'seeking' and 'waiting' of the media element and every
 * `recheckIntervalMs` while loads are in flight; when it moved earlier the engine is told
 * (Engine.expedite), and the load gives peers only what fits, then goes on over HTTP.
 */
import type { SegmentRef } from '@swarmcast/protocol';
import { msUntilNeeded } from '@swarmcast/hlsjs/playback-deadline';

/** What LoadDeadlines needs of its Swarmcast instance. */
export interface LoadDeadlinesHost {
  /** Where a load's new deadline goes (Engine.expedite; it ignores a deadline that is not earlier). */
  expedite(ref: SegmentRef, deadlineMs: number): void;
  media(): HTMLMediaElement | null;
  now(): number;
}

/** The interval timer, injected so tests run without waiting. */
export interface IntervalTimer {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const browserTimer: IntervalTimer = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => { clearInterval(handle as ReturnType<typeof setInterval>); },
};

/**
 * How often the deadlines are recomputed while loads are in flight, for the buffer changes that
 * have no event. Well under the engine's HTTP margin (httpSafetyMs, 1 s by default), so a flush
 * costs the P2P wait at most this much of it.
 */
export const DEFAULT_RECHECK_INTERVAL_MS = 250;

const MEDIA_EVENTS = ['seeking', 'waiting'] as const;

interface Load {
  readonly ref: SegmentRef;
  /** Where the segment starts on the media element's timeline. */
  readonly startSec: number;
}

export class LoadDeadlines {
  private readonly loads = new Set<Load>();
  private timer: unknown;
  /** The element whose events are listened to while loads are in flight. */
  private watched: HTMLMediaElement | null = null;
  private readonly recheck = (): void => {
    const now = this.host.now();
    const media = this.host.media();
    for (const load of [...this.loads]) this.host.expedite(load.ref, now + msUntilNeeded(media, load.startSec));
  };

  constructor(
    private readonly host: LoadDeadlinesHost,
    private readonly recheckIntervalMs = DEFAULT_RECHECK_INTERVAL_MS,
    private readonly timers: IntervalTimer = browserTimer,
  ) {}

  /** The deadline of a load starting now. */
  deadlineMs(startSec: number): number {
    return this.host.now() + msUntilNeeded(this.host.media(), startSec);
  }

  /** Keeps `ref`'s deadline up to date until the returned function is called (once the load settles or is aborted). */
  track(ref: SegmentRef, startSec: number): () => void {
    const load: Load = { ref, startSec };
    this.loads.add(load);
    if (this.loads.size === 1) this.watch();
    return () => {
      if (!this.loads.delete(load)) return;
      if (this.loads.size === 0) this.unwatch();
    };
  }

  /** In flight now (for tests and stats). */
  get size(): number {
    return this.loads.size;
  }

  /** Stops every watch; loads still tracked keep the deadlines they have. */
  destroy(): void {
    this.loads.clear();
    this.unwatch();
  }

  private watch(): void {
    this.watched = this.host.media();
    for (const type of MEDIA_EVENTS) this.watched?.addEventListener(type, this.recheck);
    this.timer = this.timers.setInterval(this.recheck, this.recheckIntervalMs);
  }

  private unwatch(): void {
    for (const type of MEDIA_EVENTS) this.watched?.removeEventListener(type, this.recheck);
    this.watched = null;
    if (this.timer !== undefined) this.timers.clearInterval(this.timer);
    this.timer = undefined;
  }
}
