/** Master and media playlist text of the formats catalog, VOD or one live window. */
import { targetDurationSec } from '../hls-playlist.js';
import type { CatalogRendition, CatalogType } from './format-catalog.js';
import { discontinuityAt, type FormatWindow, type LoopShape } from './format-window.js';

/** What a URI in a playlist carries after it: '' or '?token=V'. */
export type UriSuffix = string;

export function tokenSuffix(token: string | undefined): UriSuffix {
  return token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
}

/** The URI of media sequence `sn` / VOD index `sn`, relative to the media playlist. */
export function segmentUri(type: CatalogType, sn: number): string {
  if (type.type === 'byterange') return 'media.ts';
  return type.type === 'fmp4' ? `seg-${sn}.m4s` : `seg-${sn}.ts`;
}

/** RFC 8216 7: byte ranges need version 4, EXT-X-MAP in a media playlist (without I-frames) 6. */
function version(type: CatalogType): number {
  if (type.type === 'fmp4') return 6;
  return type.type === 'byterange' ? 4 : 3;
}

export function renderFormatMaster(type: CatalogType, suffix: UriSuffix): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of type.renditions) {
    const attributes = [`BANDWIDTH=${r.bandwidth}`, `AVERAGE-BANDWIDTH=${r.averageBandwidth}`, `RESOLUTION=${r.resolution}`, `CODECS="${r.codecs}"`];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, `${r.name}/index.m3u8${suffix}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** Segments of one playlist: VOD lists them all, live one window (with program date-times). */
export type PlaylistSpan =
  | { readonly mode: 'vod' }
  | { readonly mode: 'live'; readonly window: FormatWindow; readonly shape: LoopShape; readonly startMs: number };

export function renderFormatMedia(type: CatalogType, rendition: CatalogRendition, span: PlaylistSpan, suffix: UriSuffix): string {
  const n = rendition.segments.length;
  const first = span.mode === 'vod' ? 0 : span.window.firstSn;
  const last = span.mode === 'vod' ? n - 1 : span.window.lastSn;
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${version(type)}`,
    `#EXT-X-TARGETDURATION:${targetDurationSec(rendition.segments.map((s) => s.durationSec))}`,
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${span.mode === 'vod' ? 0 : span.window.discontinuitySequence}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  if (span.mode === 'vod') lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  if (rendition.init !== undefined) lines.push(`#EXT-X-MAP:URI="init.mp4${suffix}"`);
  // The key URI is the origin's: a P2P layer must never be where the key comes from.
  if (type.key !== undefined) lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="../key${suffix}",IV=0x${type.key.ivHex}`);
  for (let sn = first; sn <= last; sn++) {
    const segment = rendition.segments[sn % n];
    if (segment === undefined) continue;
    const discontinuity = span.mode === 'vod' ? segment.discontinuity : discontinuityAt(sn, span.shape) && sn !== first;
    if (discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (span.mode === 'live') {
      // The window's last segment ends at startMs + its offset: the live edge when the clock starts.
      const pdtMs = span.startMs + (sn - span.shape.windowSegments) * span.shape.segmentDurationMs;
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(pdtMs).toISOString()}`);
    }
    lines.push(`#EXTINF:${segment.durationSec.toFixed(3)},`);
    if (segment.range !== undefined) lines.push(`#EXT-X-BYTERANGE:${segment.range.length}@${segment.range.offset}`);
    lines.push(`${segmentUri(type, sn)}${suffix}`);
  }
  if (span.mode === 'vod') lines.push('#EXT-X-ENDLIST');
  lines.push('');
  return lines.join('\n');
}
