import type { Engine } from '@swarmcast/core';
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
import { reportedLoadMs } from './abr-report.js';
import { fragmentIdentity } from './fragment-identity.js';
import { bufferEndAt, msUntilNeeded, type MediaRange } from './playback-deadline.js';

/** A seek to this far before a fragment being loaded, or farther, counts as a seek back before it (hls.js's maxFragLookUpTolerance). */
const SEEK_BACK_TOLERANCE_SEC = 0.25;

/** What the loader needs from its Swarmcast instance. */
export interface FragmentLoaderHost {
  engine(): Engine | undefined;
  media(): HTMLMediaElement | null;
  now(): number;
  /** hls.js's current bandwidth estimate, bits/s (hls.bandwidthEstimate; NaN when unknown). */
  playerBandwidthBps(): number;
  /** A media segment (init false) or an init segment (init true, sn INIT_SEGMENT_SN) went to hls.js, `loadMs` after hls.js asked. */
  segmentDelivered(rendition: string, sn: number, source: 'http' | 'p2p', bytes: Uint8Array, init: boolean, loadMs: number): void;
  /** hls.js's own loader fetched this many bytes (parts, SAMPLE-AES, ...): HTTP bytes too. */
  fallbackLoaded(bytes: number): void;
  /** Calls `listener` after each flush of the player's buffer (hls.js BUFFER_FLUSHED); returns the unsubscribe. */
  onBufferFlushed(listener: () => void): () => void;
}

type AnyLoader = Loader<FragmentLoaderContext>;
type LoaderClass = new (config: HlsConfig) => AnyLoader;

/**
 * Builds hls.js's fLoader: media segments (byte-range ones included) and init segments go through
 * the P2P engine under the identity fragmentIdentity() gives them, low-latency parts too; what it
 * leaves out (SAMPLE-AES, ...) and anything before the engine exists go through hls.js's own loader.
 * Keys never pass here: hls.js loads them with its `loader`, which Swarmcast does not replace.
 * Load times are reported to hls.js's ABR as reportedLoadMs() says.
 */
export function createFragmentLoader(host: FragmentLoaderHost, fallbackLoader: LoaderClass): FragmentLoaderConstructor {
  /** The last media fragment (or part) handed to hls.js: the start of playback before it is appended (msUntilNeeded). */
  let handed: MediaRange | undefined;
  const noteHanded = (context: FragmentLoaderContext): void => {
    const start = context.part?.start ?? context.frag.start;
    if (context.frag.sn !== 'initSegment') handed = { start, end: start + (context.part?.duration ?? context.frag.duration) };
  };
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
      const identity = engine ? fragmentIdentity(context) : 'no engine';
      if (!engine || typeof identity === 'string') {
        this.fallback = new fallbackLoader(this.hlsConfig);
        this.fallback.load(context, config, {
          ...callbacks,
          onSuccess: (response, stats, ctx, details) => {
            if (response.data instanceof ArrayBuffer) host.fallbackLoaded(response.data.byteLength);
            noteHanded(ctx);
            callbacks.onSuccess(response, stats, ctx, details);
          },
        });
        this.stats = this.fallback.stats;
        return;
      }
      const { ref, range, init } = identity;
      const controller = new AbortController();
      this.controller = controller;
      this.callbacks = callbacks;
      const stats = this.stats;
      const askedMs = host.now();
      stats.loading.start = askedMs;
      const maxLoadTimeMs = config.loadPolicy.maxLoadTimeMs;
      this.timeout = setTimeout(() => {
        controller.abort();
        callbacks.onTimeout(stats, context, null);
      }, maxLoadTimeMs);
      const media = host.media();
      // An init segment is needed before the first media segment it serves, which hls.js loads next:
      // by the end of the buffer at the latest.
      const neededAtSec = init ? Number.POSITIVE_INFINITY : (context.part?.start ?? frag.start);
      const deadlineMs = host.now() + msUntilNeeded(media, neededAtSec, handed);
      // hls.js finishes a fragment it was loading before it loads a seek's new position (it aborts
      // only on a seek past it). A seek back before it, out of the buffer: the fragment is not
      // needed for a while, and the seek would wait for it (a P2P load still waiting for peers, then
      // its HTTP fetch and its append), so it is aborted and hls.js loads the new position at once.
      // Otherwise the time peers had for it is gone: it goes on over HTTP. "Out of the buffer" asks
      // the buffer, not readyState (HAVE_METADATA during every seek): hls.js's own seeks, to its
      // start position before the first frame and over a gap into the next range, land in the buffer,
      // and aborting there made hls.js ask the origin for the same fragment again.
      const onSeeking = (): void => {
        if (!init && media && media.currentTime < frag.start - SEEK_BACK_TOLERANCE_SEC && bufferEndAt(media, media.currentTime) === undefined) {
          this.abort();
          return;
        }
        engine.expedite(ref, host.now() + msUntilNeeded(media, neededAtSec, handed));
      };
      media?.addEventListener('seeking', onSeeking);
      // A flush (an ABR switch drops the buffer ahead) can leave the playhead near the buffer's end:
      // this fragment, which hls.js loads before the ones now missing, is then due much sooner.
      const stopWatchingFlushes = host.onBufferFlushed(() => { engine.expedite(ref, host.now() + msUntilNeeded(media, neededAtSec, handed)); });
      this.stopWatchingSeeks = () => {
        media?.removeEventListener('seeking', onSeeking);
        stopWatchingFlushes();
      };
      const request = { ref, url: context.url, deadlineMs, signal: controller.signal, init, ...(range ? { range } : {}) };
      engine.loadSegment(request).then(
        (loaded) => {
          this.stopWatchingSeeks();
          if (controller.signal.aborted) return;
          clearTimeout(this.timeout);
          const end = host.now();
          const source = loaded.fromStore ? 'store' : loaded.source;
          const reportedMs = reportedLoadMs(loaded.bytes.length, source, end - stats.loading.start, engine.httpThroughputBytesPerSec(), host.playerBandwidthBps());
          // No time to first byte: the reported time is all transfer, at the HTTP rate (latency included).
          stats.loading.start = stats.loading.first = end - reportedMs;
          stats.loading.end = end;
          stats.loaded = stats.total = loaded.bytes.length;
          // hls.js may transfer the buffer to its worker: hand it a copy, never the engine's stored bytes.
          const copy = loaded.bytes.slice();
          host.segmentDelivered(ref.rendition, ref.sn, loaded.source, copy, init, end - askedMs);
          noteHanded(context);
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
