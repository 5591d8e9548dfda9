/**
 * When each step of startup happened, from hls.js's events: which step a slow startup spent its
 * time in (the page's own script, the playlists, the first fragment's request, transfer or append).
 */
import Hls from 'hls.js';
import type { Fragment, LoaderStats } from 'hls.js';
import type { StartupTimeline } from './viewer-report.js';

type Step = Exclude<keyof StartupTimeline, 'scriptStartMs'>;

const isMedia = (frag: Fragment): boolean => frag.sn !== 'initSegment';

export class StartupTimelineRecorder {
  private readonly steps = new Map<Step, number>();
  private readonly requested = new Set<number>();
  private readonly loaded = new Set<number>();
  private readonly scriptStartMs: number;
  private readonly onPlaying = (): void => { this.mark('playingMs'); };

  /** `startedAt` is performance.now() at hls.js attach, as for QoeMonitor. */
  constructor(
    private readonly hls: Hls,
    private readonly video: HTMLVideoElement,
    private readonly startedAt: number = performance.now(),
  ) {
    this.scriptStartMs = Math.round(startedAt);
    hls.on(Hls.Events.MANIFEST_LOADED, this.onManifestLoaded);
    hls.on(Hls.Events.LEVEL_LOADED, this.onLevelLoaded);
    hls.on(Hls.Events.FRAG_LOADING, this.onFragLoading);
    hls.on(Hls.Events.FRAG_LOADED, this.onFragLoaded);
    hls.on(Hls.Events.FRAG_BUFFERED, this.onFragBuffered);
    video.addEventListener('playing', this.onPlaying);
  }

  snapshot(): StartupTimeline {
    const at = (step: Step): number | null => this.steps.get(step) ?? null;
    return {
      scriptStartMs: this.scriptStartMs,
      manifestLoadedMs: at('manifestLoadedMs'),
      levelLoadedMs: at('levelLoadedMs'),
      firstFragRequestMs: at('firstFragRequestMs'),
      firstFragLoadedMs: at('firstFragLoadedMs'),
      firstFragBufferedMs: at('firstFragBufferedMs'),
      secondFragRequestMs: at('secondFragRequestMs'),
      secondFragLoadedMs: at('secondFragLoadedMs'),
      playingMs: at('playingMs'),
    };
  }

  destroy(): void {
    this.hls.off(Hls.Events.MANIFEST_LOADED, this.onManifestLoaded);
    this.hls.off(Hls.Events.LEVEL_LOADED, this.onLevelLoaded);
    this.hls.off(Hls.Events.FRAG_LOADING, this.onFragLoading);
    this.hls.off(Hls.Events.FRAG_LOADED, this.onFragLoaded);
    this.hls.off(Hls.Events.FRAG_BUFFERED, this.onFragBuffered);
    this.video.removeEventListener('playing', this.onPlaying);
  }

  private mark(step: Step, at: number = performance.now()): void {
    if (!this.steps.has(step)) this.steps.set(step, Math.round(at - this.startedAt));
  }

  // A playlist's step is the moment its response ended (hls.js's own stats), not the moment our
  // listener runs: hls.js's stream controller listens first and requests the first fragment inside
  // the same LEVEL_LOADED dispatch, so the listener's clock could read after the request's.
  private readonly markLoaded = (step: Step, stats: LoaderStats): void => {
    this.mark(step, stats.loading.end > 0 ? stats.loading.end : performance.now());
  };

  private readonly onManifestLoaded = (_event: string, data: { stats: LoaderStats }): void => { this.markLoaded('manifestLoadedMs', data.stats); };

  private readonly onLevelLoaded = (_event: string, data: { stats: LoaderStats }): void => { this.markLoaded('levelLoadedMs', data.stats); };

  private readonly onFragLoading = (_event: string, data: { frag: Fragment }): void => {
    if (!isMedia(data.frag) || this.requested.size >= 2) return;
    this.requested.add(data.frag.sn as number);
    this.mark(this.requested.size === 1 ? 'firstFragRequestMs' : 'secondFragRequestMs');
  };

  private readonly onFragLoaded = (_event: string, data: { frag: Fragment }): void => {
    if (!isMedia(data.frag) || this.loaded.size >= 2) return;
    this.loaded.add(data.frag.sn as number);
    this.mark(this.loaded.size === 1 ? 'firstFragLoadedMs' : 'secondFragLoadedMs');
  };

  private readonly onFragBuffered = (_event: string, data: { frag: Fragment }): void => {
    if (isMedia(data.frag)) this.mark('firstFragBufferedMs');
  };
}
