import { hash32 } from './hash32.js';

/** A URL without its query string and fragment: tokens that differ per viewer live there. */
function bareUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/**
 * The rendition id of a media playlist, the same for every viewer and for the integrity authority:
 * 'r' + hash32 of its absolute URL without query string or fragment (tokens differ per viewer), base 36.
 */
export function renditionIdFromUrl(mediaPlaylistUrl: string): string {
  return `r${hash32(bareUrl(mediaPlaylistUrl)).toString(36)}`;
}

/** A byte range of a resource, end exclusive (EXT-X-BYTERANGE / EXT-X-MAP BYTERANGE, resolved). */
export interface ResourceRange {
  readonly startBytes: number;
  readonly endBytes: number;
}

/** The sequence number an init segment goes by: its "rendition" (see initSegmentRenditionId) holds it alone. */
export const INIT_SEGMENT_SN = 0;

/**
 * The id under which an init segment (EXT-X-MAP) is shared and signed, as the rendition of a
 * segment ref whose sn is INIT_SEGMENT_SN: 'r' + hash32 of its URL without query or fragment, plus
 * '@start-end' for a byte range. Named by the init segment's own URL rather than the playlist's,
 * renditions that share one init segment share its copies too, and HAVE / REQUEST / records need
 * no new message. Cannot collide with a media playlist's id unless the init segment's URL is the
 * playlist's own.
 */
export function initSegmentRenditionId(initUrl: string, range?: ResourceRange): string {
  const suffix = range === undefined ? '' : `@${range.startBytes}-${range.endBytes}`;
  return `r${hash32(bareUrl(initUrl) + suffix).toString(36)}`;
}

/** Most parts (EXT-X-PART) one segment may have under partRenditionId: more is not a sane LL-HLS packager. */
export const MAX_PARTS_PER_SEGMENT = 64;

/**
 * The id under which part `partIndex` (0-based, in playlist order within its segment) of the
 * segments of a media playlist is shared and signed, as the rendition of a segment ref whose sn is
 * the parent segment's media sequence number: `${mediaRendition}.p${partIndex}`. Named by the
 * media playlist and the part's place, not by the part's URI, so parts that are byte ranges of one
 * file and parts that are files of their own are named alike, and HAVE / REQUEST / records need no
 * new message. Cannot collide with a playlist's or an init segment's id ('r' + base 36, no dot).
 */
export function partRenditionId(mediaRendition: string, partIndex: number): string {
  if (!Number.isInteger(partIndex) || partIndex < 0 || partIndex >= MAX_PARTS_PER_SEGMENT) {
    throw new RangeError(`part index must be an integer in [0, ${MAX_PARTS_PER_SEGMENT}), got ${partIndex}`);
  }
  return `${mediaRendition}.p${partIndex}`;
}

/** Whether `rendition` names LL-HLS parts (see partRenditionId). */
export function isPartRenditionId(rendition: string): boolean {
  return /\.p\d{1,2}$/.test(rendition);
}
