import { initSegmentRenditionId, MAX_PARTS_PER_SEGMENT, type ResourceRange } from '@swarmcast/protocol';
import { IntegrityError } from './errors.js';
import { parseAttributes, parseByteRange, type ByteRangeSpec } from './playlist-tags.js';

/** Most variants watched per master playlist: each one is a watcher and a stream of origin requests. */
export const MAX_VARIANTS = 32;
/** Most distinct init segments (EXT-X-MAP) signed per media playlist; more are counted as unsupported. */
export const MAX_INIT_SEGMENTS = 16;
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
  /** EXT-X-BYTERANGE, resolved (an omitted offset is the end of the previous sub-range): absent for the whole resource. */
  readonly range?: ResourceRange;
}

/** An init segment (EXT-X-MAP), signed as {rendition, INIT_SEGMENT_SN}. */
export interface InitSegmentEntry {
  /** initSegmentRenditionId(url, range): how peers and players name it. */
  readonly rendition: string;
  /** Absolute URL. */
  readonly url: string;
  /** The BYTERANGE attribute (offset 0 when omitted): absent for the whole resource. */
  readonly range?: ResourceRange;
}

/** A low-latency part (EXT-X-PART), signed as {partRenditionId(rendition, index), sn}. */
export interface PartEntry {
  /** The parent segment's media sequence number (the segment may not be listed yet). */
  readonly sn: number;
  /** 0-based place among the parent segment's parts. */
  readonly index: number;
  /** Absolute URL. */
  readonly url: string;
  /** The BYTERANGE attribute, resolved (an omitted offset follows the previous part of the same URI). */
  readonly range?: ResourceRange;
}

export interface MediaPlaylist {
  readonly kind: 'media';
  readonly targetDurationSec: number;
  /** EXT-X-PART-INF PART-TARGET, when the playlist has parts (LL-HLS). */
  readonly partTargetSec: number | undefined;
  /** EXT-X-SERVER-CONTROL CAN-BLOCK-RELOAD=YES: _HLS_msn/_HLS_part requests are held until that part exists. */
  readonly canBlockReload: boolean;
  readonly mediaSequence: number;
  readonly endList: boolean;
  /** Signable segments; the others are only counted in `unsupported`. */
  readonly segments: readonly MediaSegmentEntry[];
  /**
   * Signable parts (EXT-X-PART), in playlist order. Parts under an unsupported key or init segment,
   * GAP=YES parts, parts past MAX_PARTS_PER_SEGMENT and parts that cannot be placed are left out
   * (not counted: their segment is, when it is listed and cannot be signed).
   */
  readonly parts: readonly PartEntry[];
  /** Where the last EXT-X-PART line of the playlist sits, signable or not. */
  readonly lastPart: { readonly sn: number; readonly index: number } | undefined;
  /** Distinct init segments of the signable segments, in order of appearance. */
  readonly inits: readonly InitSegmentEntry[];
  /**
   * Sequence numbers of segments that are not signed: URIs that are not http(s), a byte range
   * without an offset that does not follow a sub-range of the same resource, segments under an
   * EXT-X-KEY other than NONE or AES-128 with KEYFORMAT identity (SAMPLE-AES, DRM: players leave
   * those to HTTP), or under an init segment that cannot be signed.
   */
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
  let byteRange: ByteRangeSpec | 'invalid' | undefined;
  /** Where the previous segment's sub-range ended, for a BYTERANGE without offset. */
  let previousRange: { url: string; endBytes: number } | undefined;
  /** The EXT-X-KEY in force can be signed (NONE or AES-128 identity). */
  let keySupported = true;
  /** The EXT-X-MAP in force: signable, none, or one that cannot be signed. */
  let init: InitSegmentEntry | 'none' | 'unsupported' = 'none';
  const inits = new Map<string, InitSegmentEntry>();
  const parts: PartEntry[] = [];
  /** Parts seen of the segment not listed yet. */
  let partIndex = 0;
  /** Where the previous part's sub-range ended, for a part BYTERANGE without offset. */
  let previousPartRange: { url: string; endBytes: number } | undefined;
  let partTargetSec: number | undefined;
  let canBlockReload = false;
  let lastPart: { sn: number; index: number } | undefined;

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
          byteRange = parseByteRange(value) ?? 'invalid';
          break;
        case '#EXT-X-KEY': {
          const attributes = parseAttributes(value);
          const method = attributes.get('METHOD');
          const format = attributes.get('KEYFORMAT') ?? 'identity';
          keySupported = method === 'NONE' || (method === 'AES-128' && format === 'identity');
          break;
        }
        case '#EXT-X-MAP':
          init = initOf(parseAttributes(value), baseUrl);
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
        case '#EXT-X-PART-INF': {
          const target = Number(parseAttributes(value).get('PART-TARGET'));
          if (!Number.isFinite(target) || target <= 0 || target > 60) invalid('EXT-X-PART-INF without a valid PART-TARGET', baseUrl);
          partTargetSec = target;
          break;
        }
        case '#EXT-X-SERVER-CONTROL':
          canBlockReload = parseAttributes(value).get('CAN-BLOCK-RELOAD') === 'YES';
          break;
        case '#EXT-X-PART': {
          const sn = mediaSequence + index;
          const part = partOf(parseAttributes(value), baseUrl, previousPartRange);
          previousPartRange = part === undefined || part.range === undefined ? undefined : { url: part.url, endBytes: part.range.endBytes };
          const initOk = init === 'none' || (init !== 'unsupported' && (inits.has(init.rendition) || inits.size < MAX_INIT_SEGMENTS));
          if (part !== undefined && sn <= U32_MAX && partIndex < MAX_PARTS_PER_SEGMENT && keySupported && initOk) {
            parts.push({ sn, index: partIndex, ...part });
            if (typeof init === 'object') inits.set(init.rendition, init);
          }
          lastPart = { sn, index: partIndex };
          partIndex += 1;
          break;
        }
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
      const url = resolveHttp(line, baseUrl);
      const range = url === undefined || byteRange === undefined ? undefined : resolveRange(byteRange, url, previousRange);
      previousRange = url !== undefined && range !== undefined && range !== null ? { url, endBytes: range.endBytes } : undefined;
      const initOk = init === 'none' || (init !== 'unsupported' && (inits.has(init.rendition) || inits.size < MAX_INIT_SEGMENTS));
      if (url === undefined || range === null || !keySupported || !initOk) unsupported.push(sn);
      else {
        segments.push(range === undefined ? { sn, url } : { sn, url, range });
        if (typeof init === 'object') inits.set(init.rendition, init);
      }
      index += 1;
      partIndex = 0;
    } else {
      invalid(`line ${i + 1}: URI without a preceding EXTINF or EXT-X-STREAM-INF`, baseUrl);
    }
    expect = 'none';
    byteRange = undefined;
  }

  if (variants.size > 0 && index > 0) invalid('both variants and segments: neither a master nor a media playlist', baseUrl);
  if (variants.size > 0) return { kind: 'master', variants: [...variants] };
  if (targetDurationSec === undefined) invalid(index > 0 ? 'media playlist without EXT-X-TARGETDURATION' : 'no variants and no segments', baseUrl);
  return { kind: 'media', targetDurationSec, partTargetSec, canBlockReload, mediaSequence, endList, segments, parts, lastPart, inits: [...inits.values()], unsupported };
}

/**
 * A segment's byte range in its resource; undefined for the whole resource; null when it cannot be
 * placed (RFC 8216 4.3.2.2: without an offset, the previous segment must be a sub-range of the same resource).
 */
function resolveRange(spec: ByteRangeSpec | 'invalid', url: string, previous: { url: string; endBytes: number } | undefined): ResourceRange | null {
  if (spec === 'invalid') return null;
  let start = spec.offsetBytes;
  if (start === undefined) {
    if (previous?.url !== url) return null;
    start = previous.endBytes;
  }
  const end = start + spec.lengthBytes;
  return Number.isSafeInteger(end) ? { startBytes: start, endBytes: end } : null;
}

/** A part's URL and range, or undefined when it cannot be signed (no http(s) URI, GAP=YES, bad BYTERANGE). */
function partOf(attributes: Map<string, string>, baseUrl: string, previous: { url: string; endBytes: number } | undefined): Omit<PartEntry, 'sn' | 'index'> | undefined {
  const uri = attributes.get('URI');
  const url = uri === undefined ? undefined : resolveHttp(uri, baseUrl);
  if (url === undefined || attributes.get('GAP') === 'YES') return undefined;
  const rangeValue = attributes.get('BYTERANGE');
  if (rangeValue === undefined) return { url };
  const spec = parseByteRange(rangeValue);
  const range = spec === undefined ? null : resolveRange(spec, url, previous);
  return range === null ? undefined : { url, range };
}

/** The init segment an EXT-X-MAP names, or 'unsupported' (no http(s) URI, bad BYTERANGE). */
function initOf(attributes: Map<string, string>, baseUrl: string): InitSegmentEntry | 'unsupported' {
  const uri = attributes.get('URI');
  const url = uri === undefined ? undefined : resolveHttp(uri, baseUrl);
  if (url === undefined) return 'unsupported';
  const rangeValue = attributes.get('BYTERANGE');
  if (rangeValue === undefined) return { rendition: initSegmentRenditionId(url), url };
  const spec = parseByteRange(rangeValue);
  if (spec === undefined) return 'unsupported';
  const range = resolveRange({ lengthBytes: spec.lengthBytes, offsetBytes: spec.offsetBytes ?? 0 }, url, undefined);
  if (range === null) return 'unsupported';
  return { rendition: initSegmentRenditionId(url, range), url, range };
}
