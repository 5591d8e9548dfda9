/** What a running origin tells about its formats catalog: URLs and the exact bytes it serves. */
import { FORMAT_TYPES, type FormatMode, type FormatType } from './format-types.js';
import type { FormatsSource } from './formats-source.js';

export interface OriginFormats {
  readonly types: readonly FormatType[];
  /** `${url}/formats/<type>/<mode>/master.m3u8`, with `?token=` when given. */
  masterUrl(type: FormatType, mode: FormatMode, token?: string): string;
  /** Rendition names of a type, lowest first ('240p', ...). */
  renditions(type: FormatType): readonly string[];
  /** A rendition's media playlist URL, without token: what P2P rendition ids are derived from. */
  mediaPlaylistUrl(type: FormatType, mode: FormatMode, rendition: string): string;
  /**
   * Exact bytes of media sequence `sn` (live, while in the window) / index `sn` (VOD) of a
   * rendition (byterange: the segment's sub-range); undefined if not available. A copy.
   */
  segmentBytes(type: FormatType, mode: FormatMode, rendition: string, sn: number): Uint8Array | undefined;
  /** The EXT-X-MAP init segment of a rendition (fmp4), a copy; undefined for the others. */
  initBytes(type: FormatType, rendition: string): Uint8Array | undefined;
}

export function originFormats(url: string, source: FormatsSource): OriginFormats {
  const base = (type: FormatType, mode: FormatMode): string => `${url}/formats/${type}/${mode}`;
  return {
    types: FORMAT_TYPES,
    masterUrl: (type, mode, token) => `${base(type, mode)}/master.m3u8${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`,
    renditions: (type) => source.type(type).renditions.map((r) => r.name),
    mediaPlaylistUrl: (type, mode, rendition) => `${base(type, mode)}/${rendition}/index.m3u8`,
    segmentBytes: (type, mode, rendition, sn) => source.segment(type, mode, rendition, sn)?.slice(),
    initBytes: (type, rendition) => source.rendition(type, rendition)?.init?.slice(),
  };
}
