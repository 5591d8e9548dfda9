import { IntegrityError } from './errors.js';

/** Most variants watched per master playlist: each one is a watcher and a stream of origin requests. */
export const MAX_VARIANTS = 32;
const U32_MAX = 0xffff_ffff;

export interface MasterPlaylist {
  readonly kind: 'master';
  /** Absolute variant media playlist URLs, in order, without duplicates. */
  readonly variants: readonly string[];
}

export interface MediaSegmentEntry {
  /** Media sequence number: EXT-X-MEDIA-SEQUENCE + index. */
  readonly sn: number;
  /** Absolute URL. */
  readonly url: string;
}

export interface MediaPlaylist {
  readonly kind: 'media';
  readonly targetDurationSec: number;
  readonly mediaSequence: number;
  readonly endList: boolean;
  /** Signable segments; the others are only counted in `unsupported`. */
  readonly segments: readonly MediaSegmentEntry[];
  /** Sequence numbers of segments that cannot be signed: EXT-X-BYTERANGE sub-ranges, URIs that are not http(s). */
  readonly unsupported: readonly number[];
}

export type ParsedPlaylist = MasterPlaylist | MediaPlaylist;

function invalid(message: string, url: string): never {
  throw new IntegrityError('PLAYLIST_INVALID', message, { url });
}

/** An RFC 8216 decimal-integer that fits the u32 the protocol uses for sequence numbers. */
function u32(value: string, tag: string, url: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > U32_MAX) invalid(`${tag} must be an integer from 0 to ${U32_MAX}`, url);
  return Number(value);
}

/** The absolute http(s) URL of `uri`, or undefined for anything else (data:, file:, unparsable). */
function resolveHttp(uri: string, base: string): string | undefined {
  try {
    const resolved = new URL(uri, base);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses master or media playlist text fetched from `baseUrl`. Small and strict: only what the
 * authority needs is read, and anything that does not fit throws IntegrityError PLAYLIST_INVALID.
 */
export function parsePlaylist(text: string, baseUrl: string): ParsedPlaylist {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '#EXTM3U') invalid('does not start with #EXTM3U', baseUrl);
  const variants = new Set<string>();
  const segments: MediaSegmentEntry[] = [];
  let targetDurationSec: number | undefined;
  let mediaSequence = 0;
  let endList = false;
  const unsupported: number[] = [];
  let index = 0;
  let expect: 'none' | 'variant' | 'segment' = 'none';
  let byteRange = false;

  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const colon = line.indexOf(':');
      const tag = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).trim();
      switch (tag) {
        case '#EXT-X-STREAM-INF':
          expect = 'variant';
          break;
        case '#EXTINF':
          if (!/^\d+(\.\d+)?\s*(,.*)?$/.test(value)) invalid(`line ${i + 1}: EXTINF without a valid duration`, baseUrl);
          expect = 'segment';
          break;
        case '#EXT-X-BYTERANGE':
          byteRange = true;
          break;
        case '#EXT-X-TARGETDURATION':
          targetDurationSec = u32(value, tag, baseUrl);
          break;
        case '#EXT-X-MEDIA-SEQUENCE':
          if (index > 0) invalid('EXT-X-MEDIA-SEQUENCE after the first segment', baseUrl);
          mediaSequence = u32(value, tag, baseUrl);
          break;
        case '#EXT-X-ENDLIST':
          endList = true;
          break;
        default:
        // Other tags and comments do not change what is signed.
      }
      continue;
    }
    if (expect === 'variant') {
      const url = resolveHttp(line, baseUrl);
      if (url !== undefined) variants.add(url);
      if (variants.size > MAX_VARIANTS) invalid(`more than ${MAX_VARIANTS} variants`, baseUrl);
    } else if (expect === 'segment') {
      const sn = mediaSequence + index;
      if (sn > U32_MAX) invalid(`media sequence number beyond ${U32_MAX}`, baseUrl);
      const url = byteRange ? undefined : resolveHttp(line, baseUrl);
      if (url === undefined) unsupported.push(sn);
      else segments.push({ sn, url });
      index += 1;
    } else {
      invalid(`line ${i + 1}: URI without a preceding EXTINF or EXT-X-STREAM-INF`, baseUrl);
    }
    expect = 'none';
    byteRange = false;
  }

  if (variants.size > 0 && index > 0) invalid('both variants and segments: neither a master nor a media playlist', baseUrl);
  if (variants.size > 0) return { kind: 'master', variants: [...variants] };
  if (targetDurationSec === undefined) invalid(index > 0 ? 'media playlist without EXT-X-TARGETDURATION' : 'no variants and no segments', baseUrl);
  return { kind: 'media', targetDurationSec, mediaSequence, endList, segments, unsupported };
}
