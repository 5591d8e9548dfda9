/** Reads the VOD media playlists ffmpeg writes for the catalog: the segments and their byte ranges. */
import { OriginError } from '../errors.js';

export interface GeneratedSegment {
  /** File name, relative to the playlist. */
  readonly file: string;
  readonly durationSec: number;
  /** EXT-X-BYTERANGE of a single-file playlist; absent for one file per segment. */
  readonly range?: { readonly offset: number; readonly length: number };
}

export interface GeneratedPlaylist {
  readonly segments: readonly GeneratedSegment[];
  /** EXT-X-MAP URI (fMP4), if any. */
  readonly mapFile?: string;
}

function invalid(message: string): never {
  throw new OriginError('ORIGIN_FORMATS_INVALID', `generated playlist: ${message}`);
}

/** Parses ffmpeg's playlist; throws ORIGIN_FORMATS_INVALID on anything it does not expect. */
export function parseGeneratedPlaylist(text: string): GeneratedPlaylist {
  const segments: GeneratedSegment[] = [];
  let mapFile: string | undefined;
  let duration: number | undefined;
  let range: GeneratedSegment['range'];
  let nextOffset = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line === '#EXTM3U') continue;
    if (line.startsWith('#EXTINF:')) {
      duration = Number(/^#EXTINF:([\d.]+),/.exec(line)?.[1] ?? NaN);
      if (!(duration > 0)) invalid(`bad ${line}`);
    } else if (line.startsWith('#EXT-X-BYTERANGE:')) {
      const m = /^#EXT-X-BYTERANGE:(\d+)(?:@(\d+))?$/.exec(line);
      if (m === null) invalid(`bad ${line}`);
      const offset = m[2] === undefined ? nextOffset : Number(m[2]);
      range = { offset, length: Number(m[1]) };
      nextOffset = offset + range.length;
    } else if (line.startsWith('#EXT-X-MAP:')) {
      mapFile = /URI="([^"]+)"/.exec(line)?.[1] ?? invalid(`bad ${line}`);
    } else if (!line.startsWith('#')) {
      if (duration === undefined) invalid(`${line} without EXTINF`);
      segments.push(range === undefined ? { file: line, durationSec: duration } : { file: line, durationSec: duration, range });
      duration = undefined;
      range = undefined;
    }
  }
  if (segments.length === 0) invalid('no segments');
  return mapFile === undefined ? { segments } : { segments, mapFile };
}
