/**
 * Stalls and live latency of a Shaka player, fed to the engine (Engine.reportPlayback) for the
 * summaries it sends the tracker. A stall is a media 'waiting' after the first 'playing', seeks
 * excluded, ending at the next 'playing' (the rule of the hls.js integration).
 */
import type { PlaybackReport } from '@swarmcast/core';
import type { ShakaPlayer } from './shaka-lib.js';

/** Latency is refreshed this often while playing. */
const REPORT_INTERVAL_MS = 2000;

export class PlaybackMonitor {
  private started = false;
  private stalls = 0;
  private stalledMs = 0;
  private stallStartedMs: number | null = null;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly onWaiting = (): void => {
    if (!this.started || this.media.seeking || this.stallStartedMs !== null) return;
    this.stalls += 1;
    this.stallStartedMs = this.now();
    this.emit();
  };
  private readonly onPlaying = (): void => {
    this.started = true;
    if (this.stallStartedMs !== null) {
      this.stalledMs += this.now() - this.stallStartedMs;
      this.stallStartedMs = null;
    }
    this.emit();
  };

  constructor(
    private readonly player: ShakaPlayer,
    private readonly media: HTMLMediaElement,
    private readonly report: (report: PlaybackReport) => void,
    private readonly now: () => number,
  ) {
    media.addEventListener('waiting', this.onWaiting);
    media.addEventListener('playing', this.onPlaying);
    this.timer = setInterval(() => { if (this.started) this.emit(); }, REPORT_INTERVAL_MS);
  }

  /** The figures now (a stall in progress counts up to now). */
  snapshot(): PlaybackReport {
    const ongoingMs = this.stallStartedMs === null ? 0 : this.now() - this.stallStartedMs;
    return { stalls: this.stalls, stalledMs: Math.round(this.stalledMs + ongoingMs), liveLatencySec: liveLatencySec(this.player, this.media) };
  }

  destroy(): void {
    clearInterval(this.timer);
    this.media.removeEventListener('waiting', this.onWaiting);
    this.media.removeEventListener('playing', this.onPlaying);
  }

  private emit(): void {
    this.report(this.snapshot());
  }
}

/**
 * Seconds behind the live edge (the end of the newest segment available: Shaka's segment
 * availability end), as hls.js's `latency` counts it; null for VOD or before playing.
 */
export function liveLatencySec(player: ShakaPlayer, media: HTMLMediaElement): number | null {
  if (!player.isLive() || media.readyState < 2) return null;
  const edge = player.getManifest()?.presentationTimeline.getSegmentAvailabilityEnd() ?? player.seekRange().end;
  const behind = edge - media.currentTime;
  return Number.isFinite(behind) && behind >= 0 ? behind : null;
}
