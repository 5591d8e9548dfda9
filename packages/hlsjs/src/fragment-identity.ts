import { INIT_SEGMENT_SN, MAX_PARTS_PER_SEGMENT, initSegmentRenditionId, partRenditionId, renditionIdFromUrl, type ResourceRange, type SegmentRef } from '@swarmcast/protocol';

/** What the loader reads of an hls.js fragment load (a structural slice of FragmentLoaderContext). */
export interface FragmentLoad {
  readonly url: string;
  readonly frag: {
    readonly sn: number | 'initSegment';
    /** The media playlist's URL (tokens included). */
    readonly baseurl: string;
    /** [start, end) in the resource, or [] for the whole resource. */
    readonly byteRange: readonly number[];
    readonly encrypted: boolean;
    readonly decryptdata: { readonly method: string; readonly keyFormat: string } | null;
  };
  /** A low-latency part (EXT-X-PART): set when hls.js loads a part rather than the segment. */
  readonly part?: {
    /** 0-based place among its segment's parts. */
    readonly index: number;
    /** [start, end) in the part's resource, or [] for the whole resource. */
    readonly byteRange: readonly number[];
  } | null;
}

/** How the engine knows a fragment. */
export interface FragmentIdentity {
  readonly ref: SegmentRef;
  readonly range: ResourceRange | undefined;
  readonly init: boolean;
}

/**
 * The identity under which a fragment is shared, or why it goes to hls.js's own loader:
 * - a media segment is {rendition of its media playlist URL, sn}, as the integrity authority names
 *   it (level indexes differ between viewers once hls.js filters or reorders the ladder);
 * - an init segment (EXT-X-MAP) is {initSegmentRenditionId(its URL, its range), INIT_SEGMENT_SN};
 * - an EXT-X-BYTERANGE segment keeps its media identity and carries its range for HTTP;
 * - AES-128 segments are shared as the ciphertext the origin serves (the authority signs those
 *   bytes); hls.js fetches keys through its own `loader`, never through this one, so a key never
 *   comes from a peer. SAMPLE-AES, DRM key formats, AES-256 and encrypted init segments are left to
 *   hls.js: their handling differs from plain ciphertext in ways not covered here.
 * - a low-latency part (EXT-X-PART) is {partRenditionId(its playlist's rendition, its index), the
 *   parent segment's sn}, as the authority signs it, with its own byte range if any.
 * Every id is made from URLs without their query string: per-viewer tokens do not split the swarm.
 */
export function fragmentIdentity(load: FragmentLoad): FragmentIdentity | string {
  const { frag, part } = load;
  if (frag.encrypted) {
    const key = frag.decryptdata;
    if (key?.method !== 'AES-128' || key.keyFormat !== 'identity') return `encryption ${key?.method ?? 'unknown'}`;
    if (frag.sn === 'initSegment') return 'encrypted init segment';
  }
  if (part) {
    if (frag.sn === 'initSegment' || !Number.isInteger(part.index) || part.index < 0 || part.index >= MAX_PARTS_PER_SEGMENT) return 'part out of range';
    const partRange = rangeOf(part.byteRange);
    if (partRange === null) return 'invalid byte range';
    return { ref: { rendition: partRenditionId(renditionIdFromUrl(frag.baseurl), part.index), sn: frag.sn }, range: partRange, init: false };
  }
  const range = rangeOf(frag.byteRange);
  if (range === null) return 'invalid byte range';
  if (frag.sn === 'initSegment') return { ref: { rendition: initSegmentRenditionId(load.url, range), sn: INIT_SEGMENT_SN }, range, init: true };
  return { ref: { rendition: renditionIdFromUrl(frag.baseurl), sn: frag.sn }, range, init: false };
}

/** hls.js's [start, end) as a ByteRange; undefined for the whole resource, null when it makes no sense. */
function rangeOf(byteRange: readonly number[]): ResourceRange | undefined | null {
  if (byteRange.length === 0) return undefined;
  const [start, end] = byteRange;
  if (start === undefined || end === undefined || !Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) return null;
  return { startBytes: start, endBytes: end };
}
