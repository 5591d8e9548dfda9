import type { VariantInfo } from './loop-assets.js';

/** Floating-point EXTINF needs version 3; nothing newer is used. */
const HLS_VERSION = 3;

/** One entry of a media playlist. */
export interface PlaylistSegment {
  uri: string;
  durationSec: number;
  /** Write EXT-X-DISCONTINUITY before this segment. */
  discontinuity: boolean;
  /** EXT-X-PROGRAM-DATE-TIME of the segment's first sample, ms since the epoch. */
  programDateTimeMs?: number;
}

export interface MediaPlaylist {
  mediaSequence: number;
  discontinuitySequence: number;
  /** 'VOD' adds EXT-X-PLAYLIST-TYPE:VOD; live playlists have none. */
  playlistType?: 'VOD';
  endList: boolean;
  segments: readonly PlaylistSegment[];
}

/** A master playlist with one variant at `uri`. */
export function renderMasterPlaylist(variant: VariantInfo, uri: string): string {
  const attributes = [
    `BANDWIDTH=${variant.bandwidth}`,
    `AVERAGE-BANDWIDTH=${variant.averageBandwidth}`,
    `RESOLUTION=${variant.resolution}`,
    `CODECS="${variant.codecs}"`,
  ];
  return ['#EXTM3U', `#EXT-X-VERSION:${HLS_VERSION}`, '#EXT-X-INDEPENDENT-SEGMENTS', `#EXT-X-STREAM-INF:${attributes.join(',')}`, uri, ''].join(
    '\n',
  );
}

/** RFC 8216 4.3.3.1: every EXTINF rounded to the nearest integer must be <= TARGETDURATION. */
export function targetDurationSec(durationsSec: readonly number[]): number {
  return Math.max(1, ...durationsSec.map((d) => Math.round(d)));
}

/** A media playlist; EXTINF has 3 decimals. */
export function renderMediaPlaylist(p: MediaPlaylist): string {
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${HLS_VERSION}`,
    `#EXT-X-TARGETDURATION:${targetDurationSec(p.segments.map((s) => s.durationSec))}`,
    `#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  if (p.playlistType !== undefined) lines.push(`#EXT-X-PLAYLIST-TYPE:${p.playlistType}`);
  for (const s of p.segments) {
    if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (s.programDateTimeMs !== undefined) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.programDateTimeMs).toISOString()}`);
    lines.push(`#EXTINF:${s.durationSec.toFixed(3)},`, s.uri);
  }
  if (p.endList) lines.push('#EXT-X-ENDLIST');
  lines.push('');
  return lines.join('\n');
}
