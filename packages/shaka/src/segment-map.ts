/**
 * Which media segment a URL names, as the integrity authority identifies it: {rendition, sn}.
 * Filled from the manifests the player itself downloads (HLS media playlists, DASH MPDs), parsed by
 * the authority's own parsers, so a viewer and the authority always agree (and Shaka and hls.js
 * viewers of one HLS stream share one swarm).
 */
import { renditionIdFromUrl } from '@swarmcast/protocol';
import { parseMpd } from '@swarmcast/integrity/mpd-parser';
import { parsePlaylist } from '@swarmcast/integrity/playlist-parser';

/** A media segment's identity and where it starts on the presentation timeline. */
export interface SegmentIdentity {
  readonly rendition: string;
  readonly sn: number;
}

/** URLs remembered at most (the oldest forgotten first): a live window or a long VOD ladder fits. */
export const MAX_MAPPED_SEGMENTS = 50_000;

export type ManifestKind = 'hls-master' | 'hls-media' | 'mpd' | 'unknown';

/** Normalised key of a URL (so `new URL` and Shaka's own resolution compare equal). */
function key(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

export class SegmentMap {
  readonly #byUrl = new Map<string, SegmentIdentity>();

  constructor(private readonly maxEntries: number = MAX_MAPPED_SEGMENTS) {}

  get size(): number {
    return this.#byUrl.size;
  }

  /**
   * Reads one manifest body the player downloaded from `finalUrl` (after redirects). Text that
   * is neither an HLS playlist nor an MPD is ignored; a malformed one throws (IntegrityError).
   */
  addManifest(text: string, finalUrl: string): ManifestKind {
    const head = text.replace(/^\uFEFF/, '').trimStart();
    if (head.startsWith('#EXTM3U')) {
      const playlist = parsePlaylist(text, finalUrl);
      if (playlist.kind === 'master') return 'hls-master';
      const rendition = renditionIdFromUrl(finalUrl);
      for (const s of playlist.segments) this.#set(s.url, { rendition, sn: s.sn });
      return 'hls-media';
    }
    if (head.startsWith('<')) {
      const mpd = parseMpd(text, finalUrl);
      for (const rep of mpd.representations) for (const s of rep.segments) this.#set(s.url, { rendition: rep.rendition, sn: s.sn });
      return 'mpd';
    }
    return 'unknown';
  }

  /** The identity of a segment URL, if a manifest listed it. */
  lookup(url: string): SegmentIdentity | undefined {
    const k = key(url);
    return k === undefined ? undefined : this.#byUrl.get(k);
  }

  clear(): void {
    this.#byUrl.clear();
  }

  #set(url: string, identity: SegmentIdentity): void {
    const k = key(url);
    if (k === undefined) return;
    // Re-inserting moves a URL to the newest end, so a live window keeps its current segments.
    this.#byUrl.delete(k);
    this.#byUrl.set(k, identity);
    if (this.#byUrl.size > this.maxEntries) {
      const oldest = this.#byUrl.keys().next();
      if (oldest.done !== true) this.#byUrl.delete(oldest.value);
    }
  }
}
