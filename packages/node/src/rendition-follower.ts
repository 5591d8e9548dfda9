/**
 * Follows one live media playlist: re-reads it every targetDuration x refreshRatio and hands each
 * new segment to the engine with a deadline of now, so the engine fetches it over HTTP at once,
 * announces 'receiving', relays it cut-through to peers and keeps it in its store.
 */
import type { ByteRange, Engine } from '@swarmcast/core';
import { INIT_SEGMENT_SN, renditionIdFromUrl } from '@swarmcast/protocol';
import { fetchPlaylist, type PlaylistLimits } from './playlist-fetch.js';
import { isAborted, sleep } from './sleep.js';

export interface FollowerSettings {
  readonly limits: PlaylistLimits;
  readonly initialSegments: number;
  readonly refreshRatio: number;
  /** A new segment's deadline is this long after it is seen, ms (0: over HTTP at once). */
  readonly segmentDelayMs: number;
}

export interface FollowerHooks {
  segment(e: { rendition: string; sn: number; source: 'http' | 'p2p'; sizeBytes: number; late: boolean }): void;
  error(error: Error): void;
}

/** Longest wait between two reads after failures, ms. */
const MAX_RETRY_MS = 10_000;

export class RenditionFollower {
  /** Rendition id: from the media playlist's URL after redirects, as hls.js and the authority make it. */
  rendition: string | undefined;
  /** Highest sequence number handed to the engine. */
  private lastSn = -1;
  /** Init segments (EXT-X-MAP) handed to the engine, by id; bounded by what one playlist lists. */
  private readonly initsLoaded = new Set<string>();

  constructor(
    readonly mediaUrl: string,
    private readonly engine: Engine,
    private readonly settings: FollowerSettings,
    private readonly hooks: FollowerHooks,
  ) {}

  /** Reads until `signal` aborts or the playlist ends; never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let waitMs: number;
      try {
        const { playlist, finalUrl } = await fetchPlaylist(this.mediaUrl, this.settings.limits, signal);
        if (playlist.kind !== 'media') throw new Error(`playlist ${this.mediaUrl}: a master playlist where a media playlist was expected`);
        const rendition = renditionIdFromUrl(finalUrl);
        this.rendition = rendition;
        const fresh = playlist.segments.filter((s) => s.sn > this.lastSn);
        // First read: start near the live edge, as a player does, not at the start of the window.
        const wanted = this.lastSn === -1 ? fresh.slice(-this.settings.initialSegments) : fresh;
        // Init segments first: a viewer needs one before any media segment it serves.
        for (const init of playlist.inits) {
          if (this.initsLoaded.has(init.rendition)) continue;
          if (this.initsLoaded.size >= 64) this.initsLoaded.clear();
          this.initsLoaded.add(init.rendition);
          this.load(init.rendition, INIT_SEGMENT_SN, init.url, init.range, signal, true);
        }
        for (const entry of wanted) this.load(rendition, entry.sn, entry.url, entry.range, signal, false);
        const last = playlist.segments.at(-1);
        if (last) this.lastSn = Math.max(this.lastSn, last.sn);
        if (playlist.endList) return;
        failures = 0;
        waitMs = playlist.targetDurationSec * 1000 * this.settings.refreshRatio;
      } catch (error) {
        if (isAborted(signal)) return;
        this.hooks.error(error instanceof Error ? error : new Error(String(error)));
        failures += 1;
        waitMs = Math.min(MAX_RETRY_MS, 500 * 2 ** Math.min(failures, 5));
      }
      await sleep(Math.max(100, waitMs), signal);
    }
  }

  private load(rendition: string, sn: number, url: string, range: ByteRange | undefined, signal: AbortSignal, init: boolean): void {
    // Delay 0: no waiting for peers, the edge peer is the swarm's first copy.
    const deadlineMs = performance.now() + this.settings.segmentDelayMs;
    this.engine.loadSegment({ ref: { rendition, sn }, url, deadlineMs, signal, init, ...(range ? { range } : {}) }).then(
      (loaded) => {
        // Late: a player with segmentDelayMs of buffer would have stalled on it.
        const late = this.settings.segmentDelayMs > 0 && performance.now() > deadlineMs;
        if (!loaded.fromStore) this.hooks.segment({ rendition, sn, source: loaded.source, sizeBytes: loaded.bytes.length, late });
      },
      (error: unknown) => {
        if (!signal.aborted) this.hooks.error(new Error(`segment ${rendition}/${sn}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      },
    );
  }
}
