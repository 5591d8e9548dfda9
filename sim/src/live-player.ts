/**
 * A live player as hls.js behaves by default, driving one engine: it loads its playlist on joining
 * and starts 3 segments behind the live edge (liveSyncDurationCount 3); it loads segments one after
 * another, each as soon as its playlist shows it (the playlist is refreshed every segment duration,
 * at a phase of its own); it starts playing when the first segment is in hand and then drains its
 * buffer in real time. Each load's deadline is the moment the playhead will reach the segment (now,
 * at startup or in a stall). When the buffer runs dry it stalls until the segment arrives, then
 * plays on from where it stopped (hls.js does not jump back to the edge), so stalls add latency.
 */
import type { LoadedSegment, SegmentRequest } from '@swarmcast/core';
import type { SimEvent } from './event-heap.ts';
import { RENDITION, type LiveStream } from './live-stream.ts';
import type { Scheduler } from './scheduler.ts';

/** hls.js liveSyncDurationCount: start this many segments behind the live edge. */
const LIVE_SYNC_SEGMENTS = 3;
/** Retry delay after a failed load (hls.js fragLoadPolicy retries after ~1 s). */
const RETRY_MS = 1_000;

export interface SegmentLoader {
  loadSegment(request: SegmentRequest): Promise<LoadedSegment>;
  /** The player has its first segment (see Engine.playerStarted). */
  playerStarted(): void;
}

/** What one viewing session did; aggregated into the run's metrics. */
export interface SessionRecord {
  readonly joinMs: number;
  endMs: number | undefined;
  startupMs: number | undefined;
  playStartMs: number | undefined;
  /** Loads after the first, each judged on time or not (a late one is a stall). */
  judgedLoads: number;
  stalls: number;
  stalledMs: number;
  latencySumSec: number;
  latencySamples: number;
  /** Distance to the live edge when the session ended (undefined if it never played). */
  finalLatencySec: number | undefined;
  loadsFromP2p: number;
  loadsFromHttp: number;
  loadErrors: number;
  /** Segments loaded (for the distinct-segment count). */
  firstSn: number | undefined;
  lastSn: number | undefined;
}

export class LivePlayer {
  readonly record: SessionRecord;
  private nextSn = 0;
  private firstSn = 0;
  private loading = false;
  private stopped = false;
  private playing = false;
  private stalled = false;
  private stallStartMs = 0;
  /** While playing and not stalled, the playhead is anchorMedia + (now - anchorWall). */
  private anchorWallMs = 0;
  private anchorMediaMs = 0;
  private firstPlaylistMs = 0;
  private dryTimer: SimEvent | undefined;
  private wakeTimer: unknown;
  private controller: AbortController | undefined;

  constructor(
    private readonly loader: SegmentLoader,
    private readonly stream: LiveStream,
    private readonly scheduler: Scheduler,
    /** When in each segment period this player's playlist refresh happens, ms. */
    private readonly refreshPhaseMs: number,
    /** Time to load the first playlist. */
    private readonly playlistDelayMs: number,
  ) {
    this.record = {
      joinMs: scheduler.now(),
      endMs: undefined,
      startupMs: undefined,
      playStartMs: undefined,
      judgedLoads: 0,
      stalls: 0,
      stalledMs: 0,
      latencySumSec: 0,
      latencySamples: 0,
      finalLatencySec: undefined,
      loadsFromP2p: 0,
      loadsFromHttp: 0,
      loadErrors: 0,
      firstSn: undefined,
      lastSn: undefined,
    };
  }

  start(): void {
    this.wakeTimer = this.scheduler.setTimeout(() => {
      this.firstPlaylistMs = this.scheduler.now();
      this.firstSn = this.stream.newestSn(this.firstPlaylistMs) - (LIVE_SYNC_SEGMENTS - 1);
      this.nextSn = this.firstSn;
      this.requestNext();
    }, this.playlistDelayMs);
  }

  /** The viewer leaves (or the run ends): close the books. */
  stop(abortLoad: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    const now = this.scheduler.now();
    this.scheduler.clearTimeout(this.dryTimer);
    this.scheduler.clearTimeout(this.wakeTimer);
    if (abortLoad) this.controller?.abort();
    const r = this.record;
    r.endMs = now;
    if (this.playing) {
      if (this.stalled) r.stalledMs += now - this.stallStartMs;
      r.finalLatencySec = (this.stalled ? now - this.bufferEndMs() : this.anchorWallMs - this.anchorMediaMs) / 1000;
    }
  }

  private bufferEndMs(): number {
    return this.stream.mediaStartMs(this.nextSn);
  }

  /** When this player's playlist first shows `sn`. */
  private visibleAtMs(sn: number): number {
    const published = this.stream.publishAtMs(sn);
    return published <= this.firstPlaylistMs ? this.firstPlaylistMs : published + this.refreshPhaseMs;
  }

  private requestNext(): void {
    if (this.stopped || this.loading) return;
    const sn = this.nextSn;
    const now = this.scheduler.now();
    const visibleAt = this.visibleAtMs(sn);
    if (visibleAt > now) {
      this.wakeTimer = this.scheduler.setTimeout(() => this.requestNext(), visibleAt - now);
      return;
    }
    this.loading = true;
    const controller = new AbortController();
    this.controller = controller;
    const deadlineMs = this.playing && !this.stalled ? this.anchorWallMs + (this.stream.mediaStartMs(sn) - this.anchorMediaMs) : now;
    const request: SegmentRequest = { ref: { rendition: RENDITION, sn }, url: this.stream.url(sn), deadlineMs, signal: controller.signal };
    this.loader.loadSegment(request).then(
      (loaded) => this.loaded(sn, loaded),
      () => this.failed(),
    );
  }

  private loaded(sn: number, loaded: LoadedSegment): void {
    this.loading = false;
    if (this.stopped) return;
    const now = this.scheduler.now();
    const r = this.record;
    if (loaded.source === 'p2p') r.loadsFromP2p += 1;
    else r.loadsFromHttp += 1;
    r.firstSn ??= sn;
    r.lastSn = sn;
    if (!this.playing) {
      this.playing = true;
      this.loader.playerStarted();
      r.startupMs = now - r.joinMs;
      r.playStartMs = now;
      this.anchorWallMs = now;
      this.anchorMediaMs = this.stream.mediaStartMs(sn);
    } else {
      r.judgedLoads += 1;
      if (this.stalled) {
        this.stalled = false;
        r.stalledMs += now - this.stallStartMs;
        this.anchorWallMs = now;
        this.anchorMediaMs = this.stream.mediaStartMs(sn);
      }
    }
    r.latencySumSec += (this.anchorWallMs - this.anchorMediaMs) / 1000;
    r.latencySamples += 1;
    this.nextSn = sn + 1;
    this.scheduler.clearTimeout(this.dryTimer);
    this.dryTimer = this.scheduler.at(this.anchorWallMs + (this.bufferEndMs() - this.anchorMediaMs), () => this.runDry());
    this.requestNext();
  }

  private runDry(): void {
    if (this.stopped || this.stalled) return;
    this.stalled = true;
    this.stallStartMs = this.scheduler.now();
    this.record.stalls += 1;
  }

  private failed(): void {
    this.loading = false;
    if (this.stopped) return;
    this.record.loadErrors += 1;
    this.wakeTimer = this.scheduler.setTimeout(() => this.requestNext(), RETRY_MS);
  }
}
