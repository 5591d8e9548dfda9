/**
 * A thin hls.js fragment loader for the plain-hls.js baseline: it delegates to hls.js's own default
 * loader and reports every loaded media segment's bytes before hls.js takes them (hls.js transfers
 * the buffer to its transmux worker, after which FRAG_LOADED's payload is detached).
 */
import type {
  FragmentLoaderConstructor,
  FragmentLoaderContext,
  HlsConfig,
  Loader,
  LoaderCallbacks,
  LoaderConfiguration,
  LoaderContext,
  LoaderStats,
} from 'hls.js';

/** `loadMs`: from hls.js asking for the fragment to its bytes loaded. */
export type LoadedFragmentListener = (context: FragmentLoaderContext, bytes: Uint8Array, loadMs: number) => void;

/** Builds an fLoader class that wraps `config.loader` and calls `onLoaded` for each media segment. */
export function createRecordingFragmentLoader(onLoaded: LoadedFragmentListener): FragmentLoaderConstructor {
  return class RecordingFragmentLoader implements Loader<FragmentLoaderContext> {
    private readonly inner: Loader<LoaderContext>;
    context: FragmentLoaderContext | null = null;

    constructor(config: HlsConfig) {
      this.inner = new config.loader(config);
    }

    get stats(): LoaderStats {
      return this.inner.stats;
    }

    load(context: FragmentLoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<FragmentLoaderContext>): void {
      this.context = context;
      const askedMs = performance.now();
      const wrapped: LoaderCallbacks<LoaderContext> = {
        onSuccess: (response, stats, _ctx, networkDetails) => {
          if (response.data instanceof ArrayBuffer && typeof context.frag.sn === 'number') {
            onLoaded(context, new Uint8Array(response.data), performance.now() - askedMs);
          }
          callbacks.onSuccess(response, stats, context, networkDetails);
        },
        onError: (error, _ctx, networkDetails, stats) => {
          callbacks.onError(error, context, networkDetails, stats);
        },
        onTimeout: (stats, _ctx, networkDetails) => {
          callbacks.onTimeout(stats, context, networkDetails);
        },
      };
      const { onAbort, onProgress } = callbacks;
      if (onAbort) wrapped.onAbort = (stats, _ctx, networkDetails) => { onAbort(stats, context, networkDetails); };
      if (onProgress) wrapped.onProgress = (stats, _ctx, data, networkDetails) => { onProgress(stats, context, data, networkDetails); };
      this.inner.load(context, config, wrapped);
    }

    abort(): void {
      this.inner.abort();
    }

    destroy(): void {
      this.inner.destroy();
      this.context = null;
    }
  };
}
