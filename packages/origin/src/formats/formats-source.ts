/**
 * Serves the formats catalog: playlists (VOD, or a live window by the wall clock), segments,
 * init segments, single files and the key, each only where its type has one.
 */
import type { CatalogRendition, CatalogType, FormatsCatalog } from './format-catalog.js';
import { renderFormatMaster, renderFormatMedia, tokenSuffix } from './format-playlist.js';
import { SEGMENT_SEC } from './format-recipe.js';
import type { FormatMode, FormatType } from './format-types.js';
import { formatWindow, type FormatWindow, type LoopShape } from './format-window.js';

export class FormatsSource {
  readonly startMs: number;
  readonly #catalog: FormatsCatalog;
  readonly #windowSegments: number;
  readonly #now: () => number;

  /** The live clock starts now; `now` is injectable for tests. */
  constructor(catalog: FormatsCatalog, windowSegments: number, now: () => number = Date.now) {
    this.#catalog = catalog;
    this.#windowSegments = windowSegments;
    this.#now = now;
    this.startMs = now();
  }

  type(type: FormatType): CatalogType {
    const t = this.#catalog.get(type);
    if (t === undefined) throw new Error(`formats catalog without ${type}`);
    return t;
  }

  rendition(type: FormatType, name: string): CatalogRendition | undefined {
    return this.type(type).renditions.find((r) => r.name === name);
  }

  shape(rendition: CatalogRendition): LoopShape {
    return {
      windowSegments: this.#windowSegments,
      segmentDurationMs: SEGMENT_SEC * 1000,
      discontinuities: rendition.segments.map((s) => s.discontinuity),
    };
  }

  window(rendition: CatalogRendition): FormatWindow {
    return formatWindow(this.#now(), this.startMs, this.shape(rendition));
  }

  master(type: FormatType, token: string | undefined): string {
    return renderFormatMaster(this.type(type), tokenSuffix(token));
  }

  media(type: FormatType, mode: FormatMode, name: string, token: string | undefined): string | undefined {
    const t = this.type(type);
    const r = this.rendition(type, name);
    if (r === undefined) return undefined;
    const span = mode === 'vod' ? { mode } : { mode, window: this.window(r), shape: this.shape(r), startMs: this.startMs };
    return renderFormatMedia(t, r, span, tokenSuffix(token));
  }

  /** Bytes of media sequence `sn` (live: only inside the current window; VOD: index sn). Do not mutate. */
  segment(type: FormatType, mode: FormatMode, name: string, sn: number): Uint8Array | undefined {
    const r = this.rendition(type, name);
    if (r === undefined || !Number.isSafeInteger(sn) || sn < 0) return undefined;
    const n = r.segments.length;
    if (mode === 'vod') return sn < n ? r.segments[sn]?.bytes : undefined;
    const { firstSn, lastSn } = this.window(r);
    return sn >= firstSn && sn <= lastSn ? r.segments[sn % n]?.bytes : undefined;
  }
}
