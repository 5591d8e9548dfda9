import type { Engine } from '@swarmcast/core';
import { renditionIdFromUrl } from '@swarmcast/protocol';
import {
  LoadStats,
  type FragmentLoaderConstructor,
  type FragmentLoaderContext,
  type HlsConfig,
  type Loader,
  type LoaderCallbacks,
  type LoaderConfiguration,
  type LoaderStats,
} from 'hls.js';
import { msUntilNeeded } from './playback-deadline.js';

/** What the loader needs from its Swarmcast instance. */
export interface FragmentLoaderHost {
  engine(): Engine | undefined;
  media(): HTMLMediaElement | null;
  now(): number;
  segmentDelivered(rendition: string, sn: number, source: 'http' | 'p2p', bytes: Uint8Array): void;
  /** hls.js's own loader fetched this many bytes (init segments, parts, byte ranges): HTTP bytes too. */
  fallbackLoaded(bytes: number): void;
}

type AnyLoader = Loader<FragmentLoaderContext>;
type LoaderClass = new (config: HlsConfig) => AnyLoader;

/**
 * Builds hls.js's fLoader: media segments go through the P2P engine; init segments, byte-range
 * segments, LL-HLS parts and anything before the engine exists go through hls.js's own loader.
 */
export function createFragmentLoader(host: FragmentLoaderHost, fallbackLoader: LoaderClass): FragmentLoaderConstructor {
  return class SwarmcastFragmentLoader implements AnyLoader {
    context: FragmentLoaderContext | null = null;
    stats: LoaderStats = new LoadStats();
    private fallback: AnyLoader | undefined;
    private controller: AbortController | undefined;
    private callbacks: LoaderCallbacks<FragmentLoaderContext> | undefined;
    private timeout: ReturnType<typeof setTimeout> | undefined;
    private stopWatchingSeeks: () => void = () => undefined;

    constructor(private readonly hlsConfig: HlsConfig) {}

    load(context: FragmentLoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<FragmentLoaderContext>): void {
      this.context = context;
      const { frag } = context;
      const engine = host.engine();
      // EXT-X-BYTERANGE segments share a file with others: not yet identified for P2P. (hls.js sets
      // rangeStart/rangeEnd to 0 on every load, so the fragment itself is what tells.)
      const ranged = frag.byteRange.length > 0;
      // An LL-HLS part carries its parent segment's sn: through the engine it would pass for the
      // whole segment. Parts live a few hundred ms at the edge, where every viewer asks at once.
      const part = context.part !== null;
      if (!engine || frag.sn === 'initSegment' || ranged || part) {
        this.fallback = new fallbackLoader(this.hlsConfig);
        this.fallback.load(context, config, {
          ...callbacks,
          onSuccess: (response, stats, ctx, details) => {
            if (response.data instanceof ArrayBuffer) host.fallbackLoaded(response.data.byteLength);
            callbacks.onSuccess(response, stats, ctx, details);
          },
        });
        this.stats = this.fallback.stats;
        return;
      }
      const sn = frag.sn;
      // Identified by its media playlist URL (without tokens), as the integrity authority names it:
      // level indexes differ between viewers once hls.js filters or reorders the ladder.
      const rendition = renditionIdFromUrl(frag.baseurl);
      const controller = new AbortController();
      this.controller = controller;
      this.callbacks = callbacks;
      const stats = this.stats;
      stats.loading.start = host.now();
      const maxLoadTimeMs = config.loadPolicy.maxLoadTimeMs;
      this.timeout = setTimeout(() => {
        controller.abort();
        callbacks.onTimeout(stats, context, null);
      }, maxLoadTimeMs);
      const media = host.media();
      const deadlineMs = host.now() + msUntilNeeded(media, frag.start);
      // hls.js finishes a fragment it was loading before it loads a seek's new position (it aborts
      // only on a seek past it): the time peers had for it is gone, the seek waits on it.
      const onSeeking = (): void => {
        engine.expedite({ rendition, sn }, host.now() + msUntilNeeded(media, frag.start));
      };
      media?.addEventListener('seeking', onSeeking);
      this.stopWatchingSeeks = () => media?.removeEventListener('seeking', onSeeking);
      engine.loadSegment({ ref: { rendition, sn }, url: context.url, deadlineMs, signal: controller.signal }).then(
        (loaded) => {
          this.stopWatchingSeeks();
          if (controller.signal.aborted) return;
          clearTimeout(this.timeout);
          const end = host.now();
          stats.loading.first = Math.max(stats.loading.start, end - 1);
          stats.loading.end = end;
          stats.loaded = stats.total = loaded.bytes.length;
          // hls.js may transfer the buffer to its worker: hand it a copy, never the engine's stored bytes.
          const copy = loaded.bytes.slice();
          host.segmentDelivered(rendition, sn, loaded.source, copy);
          callbacks.onSuccess({ url: context.url, data: copy.buffer }, stats, context, null);
        },
        (error: unknown) => {
          this.stopWatchingSeeks();
          if (controller.signal.aborted) return;
          clearTimeout(this.timeout);
          callbacks.onError({ code: 0, text: error instanceof Error ? error.message : String(error) }, context, null, stats);
        },
      );
    }

    abort(): void {
      clearTimeout(this.timeout);
      this.stopWatchingSeeks();
      if (this.fallback) {
        this.fallback.abort();
        return;
      }
      if (!this.controller || this.controller.signal.aborted) return;
      this.controller.abort();
      this.stats.aborted = true;
      if (this.context) this.callbacks?.onAbort?.(this.stats, this.context, null);
    }

    destroy(): void {
      clearTimeout(this.timeout);
      this.stopWatchingSeeks();
      this.controller?.abort();
      this.fallback?.destroy();
      this.callbacks = undefined;
      this.context = null;
    }
  };
}
