/**
 * Quality of experience as the viewer sees it, from the media element and hls.js: startup time,
 * stalls (count and duration), watch time and live latency.
 */
import type { StallRecord } from './viewer-report.js';

/** What the monitor needs from hls.js: the live latency estimate and whether the stream is live. */
export interface LatencySource {
  /** Seconds behind the live edge (hls.latency); 0 when unknown. */
  readonly latency: number;
  /** true once a live playlist is loaded. */
  readonly live: boolean;
}

export interface QoeSnapshot {
  readonly startupMs: number | null;
  readonly playing: boolean;
  readonly stalls: number;
  readonly stalledMs: number;
  readonly stallLog: readonly StallRecord[];
  readonly watchMs: number;
  readonly liveLatencySec: number | null;
  readonly currentLatencySec: number | null;
}

/** How many stalls the log keeps (the count and the total go on past it). */
const STALL_LOG_LIMIT = 20;

/** Latency samples are taken this often once playing. */
const LATENCY_SAMPLE_INTERVAL_MS = 1000;

export class QoeMonitor {
  private readonly startedAt: number;
  private firstPlayingAt: number | null = null;
  private endedAt: number | null = null;
  private stallStartedAt: number | null = null;
  private stallCount = 0;
  private stalledTotalMs = 0;
  /** Start (performance.now() ms) and length of the first stalls. */
  private readonly stallLog: { startMs: number; durationMs: number | null }[] = [];
  /** The log entry of the stall in progress (none past STALL_LOG_LIMIT). */
  private loggedStall: { startMs: number; durationMs: number | null } | undefined;
  private latencySum = 0;
  private latencyCount = 0;
  private lastLatency: number | null = null;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly listeners: [string, () => void][];

  /** `startedAt` (performance.now() ms) is when startup is counted from: hls.js attach. */
  constructor(
    private readonly video: HTMLVideoElement,
    private readonly latencySource: LatencySource,
    startedAt: number = performance.now(),
  ) {
    this.startedAt = startedAt;
    this.listeners = [
      ['playing', () => { this.onPlaying(); }],
      ['waiting', () => { this.onWaiting(); }],
      ['ended', () => { this.onEnded(); }],
    ];
    for (const [name, fn] of this.listeners) video.addEventListener(name, fn);
    this.timer = setInterval(() => { this.sampleLatency(); }, LATENCY_SAMPLE_INTERVAL_MS);
  }

  snapshot(now: number = performance.now()): QoeSnapshot {
    const { firstPlayingAt, stallStartedAt } = this;
    const end = this.endedAt ?? now;
    const currentStallMs = stallStartedAt === null ? 0 : end - stallStartedAt;
    return {
      startupMs: firstPlayingAt === null ? null : round(firstPlayingAt - this.startedAt),
      playing: firstPlayingAt !== null && stallStartedAt === null && !this.video.paused && !this.video.ended,
      stalls: this.stallCount,
      stalledMs: round(this.stalledTotalMs + currentStallMs),
      stallLog: this.stallLog.map((s) => ({ atMs: round(performance.timeOrigin + s.startMs), durationMs: s.durationMs })),
      watchMs: firstPlayingAt === null ? 0 : round(end - firstPlayingAt),
      liveLatencySec: this.latencyCount === 0 ? null : this.latencySum / this.latencyCount,
      currentLatencySec: this.lastLatency,
    };
  }

  destroy(): void {
    clearInterval(this.timer);
    for (const [name, fn] of this.listeners) this.video.removeEventListener(name, fn);
  }

  private onPlaying(): void {
    const now = performance.now();
    this.firstPlayingAt ??= now;
    this.endStall(now);
  }

  private onWaiting(): void {
    // Before the first frame it is startup; during a seek it is the seek, not a stall.
    if (this.firstPlayingAt === null || this.video.seeking || this.stallStartedAt !== null) return;
    this.stallCount += 1;
    this.stallStartedAt = performance.now();
    if (this.stallLog.length < STALL_LOG_LIMIT) {
      const entry = { startMs: this.stallStartedAt, durationMs: null };
      this.loggedStall = entry;
      this.stallLog.push(entry);
    }
  }

  private onEnded(): void {
    const now = performance.now();
    this.endedAt ??= now;
    this.endStall(now);
  }

  private endStall(now: number): void {
    if (this.stallStartedAt === null) return;
    const durationMs = now - this.stallStartedAt;
    this.stalledTotalMs += durationMs;
    if (this.loggedStall) this.loggedStall.durationMs = round(durationMs);
    this.loggedStall = undefined;
    this.stallStartedAt = null;
  }

  private sampleLatency(): void {
    if (this.firstPlayingAt === null || !this.latencySource.live) return;
    const latency = this.latencySource.latency;
    if (!(latency > 0)) return;
    this.lastLatency = latency;
    this.latencySum += latency;
    this.latencyCount += 1;
  }
}

function round(ms: number): number {
  return Math.round(ms);
}
