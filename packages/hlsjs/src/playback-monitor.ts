/**
 * Stalls and live latency as the player sees them, fed to the engine (Engine.reportPlayback) for the
 * summaries it sends the tracker. A stall is a media 'waiting' after the first 'playing', seeks
 * excluded, ending at the next 'playing'.
 */
import Hls from 'hls.js';
import type { PlaybackReport } from '@swarmcast/core';

export class PlaybackMonitor {
  private media: HTMLMediaElement | null = null;
  private started = false;
  private stalls = 0;
  private stalledMs = 0;
  private stallStartedMs: number | null = null;
  private readonly onWaiting = (): void => {
    if (!this.started || this.media?.seeking === true || this.stallStartedMs !== null) return;
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
  private readonly onMediaAttached = (_event: string, data: { media: HTMLMediaElement }): void => {
    this.detach();
    this.media = data.media;
    data.media.addEventListener('waiting', this.onWaiting);
    data.media.addEventListener('playing', this.onPlaying);
  };
  /** Each buffered fragment (every few seconds) refreshes the latency figure. */
  private readonly onFragBuffered = (): void => {
    this.emit();
  };

  constructor(
    private readonly hls: Hls,
    private readonly report: (report: PlaybackReport) => void,
    private readonly now: () => number,
  ) {
    hls.on(Hls.Events.MEDIA_ATTACHED, this.onMediaAttached);
    hls.on(Hls.Events.FRAG_BUFFERED, this.onFragBuffered);
  }

  /** The figures now (a stall in progress counts up to now). */
  snapshot(): PlaybackReport {
    const ongoingMs = this.stallStartedMs === null ? 0 : this.now() - this.stallStartedMs;
    const live = this.hls.latestLevelDetails?.live === true;
    const latency = this.hls.latency;
    return { stalls: this.stalls, stalledMs: Math.round(this.stalledMs + ongoingMs), liveLatencySec: live && latency > 0 ? latency : null };
  }

  destroy(): void {
    this.hls.off(Hls.Events.MEDIA_ATTACHED, this.onMediaAttached);
    this.hls.off(Hls.Events.FRAG_BUFFERED, this.onFragBuffered);
    this.detach();
  }

  private emit(): void {
    this.report(this.snapshot());
  }

  private detach(): void {
    this.media?.removeEventListener('waiting', this.onWaiting);
    this.media?.removeEventListener('playing', this.onPlaying);
    this.media = null;
  }
}
