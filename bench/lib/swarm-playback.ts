/**
 * A simulated player's playback buffer (bench:swarm): no video, only time. Playback starts when the
 * first segment arrives, the playhead then moves at 1x through the buffered media; when it reaches
 * the end of the buffer the player stalls until the next segment arrives. Evaluated lazily from the
 * times of arrivals, so a stall's start is exact without a timer.
 */

/** What one player's playback came to. */
export interface PlaybackFigures {
  /** Join to the first segment in hand (playback start), ms; null if it never started. */
  readonly startupMs: number | null;
  /** Times the buffer ran dry after playback started (one still running at the end counts). */
  readonly stalls: number;
  /** Time spent stalled, ms. */
  readonly stalledMs: number;
  /** Playback start to the end of the run, ms (0 if it never started): stallRatio = stalledMs / watchMs. */
  readonly watchMs: number;
}

/** Stall spans kept per player (a starving one has dozens at most). */
const MAX_STALL_SPANS = 1_024;

export class PlaybackBuffer {
  private startedAtMs: number | null = null;
  private positionSec = 0;
  private bufferEndSec = 0;
  private lastMs: number;
  private stalledSinceMs: number | null = null;
  private stalls = 0;
  private stalledMs = 0;
  /** Ended stalls, [start, end] ms (the first MAX_STALL_SPANS). */
  private readonly stallSpans: (readonly [number, number])[] = [];

  constructor(private readonly joinedAtMs: number) {
    this.lastMs = joinedAtMs;
  }

  /**
   * How long until the playhead reaches the end of the buffer, where the next segment goes, ms: the
   * deadline a player gives that segment (as hls.js's fLoader does). 0 before playback starts and
   * while stalled, so those loads never wait for peers.
   */
  msUntilNeeded(nowMs: number): number {
    this.advance(nowMs);
    if (this.startedAtMs === null || this.stalledSinceMs !== null) return 0;
    return Math.max(0, this.bufferEndSec - this.positionSec) * 1000;
  }

  /** Seconds of media buffered ahead of the playhead. */
  bufferedSec(nowMs: number): number {
    this.advance(nowMs);
    return this.bufferEndSec - this.positionSec;
  }

  /** A segment of `durationSec` arrived (in order) at `nowMs`. */
  append(durationSec: number, nowMs: number): void {
    this.advance(nowMs);
    this.startedAtMs ??= nowMs;
    this.bufferEndSec += durationSec;
    if (this.stalledSinceMs !== null) {
      this.stalls += 1;
      this.stalledMs += nowMs - this.stalledSinceMs;
      if (this.stallSpans.length < MAX_STALL_SPANS) this.stallSpans.push([this.stalledSinceMs, nowMs]);
      this.stalledSinceMs = null;
    }
  }

  /** The figures at `nowMs` (the end of the run); a stall still running counts up to then. */
  figures(nowMs: number): PlaybackFigures {
    this.advance(nowMs);
    const running = this.stalledSinceMs === null ? 0 : nowMs - this.stalledSinceMs;
    return {
      startupMs: this.startedAtMs === null ? null : Math.round(this.startedAtMs - this.joinedAtMs),
      stalls: this.stalls + (running > 0 ? 1 : 0),
      stalledMs: Math.round(this.stalledMs + running),
      watchMs: this.startedAtMs === null ? 0 : Math.round(nowMs - this.startedAtMs),
    };
  }

  /** Every stall as [start, end] ms up to `nowMs` (one still running ends there). */
  stallSpansUntil(nowMs: number): (readonly [number, number])[] {
    this.advance(nowMs);
    return this.stalledSinceMs === null ? [...this.stallSpans] : [...this.stallSpans, [this.stalledSinceMs, nowMs]];
  }

  private advance(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    this.lastMs = Math.max(this.lastMs, nowMs);
    if (this.startedAtMs === null || this.stalledSinceMs !== null) return;
    this.positionSec += elapsedMs / 1000;
    if (this.positionSec > this.bufferEndSec) {
      // The buffer ran dry (bufferEnd - position) seconds after the previous look, not now.
      this.stalledSinceMs = this.lastMs - (this.positionSec - this.bufferEndSec) * 1000;
      this.positionSec = this.bufferEndSec;
    }
  }
}
