/**
 * The LL-HLS origin's bytes of what a viewer reports: a part (rendition `${media}.p${index}` from
 * partRenditionId, sn its parent segment's msn) or a whole segment (any other rendition), for
 * OriginHashes' per-rendition mode. Only what came from peers is checked: the LL origin has one
 * rendition, so the name says part or segment, never which playlist.
 */
import type { SegmentRecord } from '@swarmcast/web';
import type { RenditionBytes } from './origin-hashes.js';

/** What this needs from the LL-HLS origin (LlOrigin has both). */
export interface LlBytesSource {
  segmentBytes(msn: number): Uint8Array | undefined;
  partBytes(msn: number, part: number): Uint8Array | undefined;
}

/** partRenditionId's suffix: '.p' and the part's 0-based index within its segment. */
const PART_SUFFIX = /\.p(\d{1,2})$/;

/** The part index a reported rendition names, or undefined for a whole segment. */
export function partIndexOf(rendition: string): number | undefined {
  const match = PART_SUFFIX.exec(rendition);
  return match ? Number(match[1]) : undefined;
}

export function llRenditionBytes(origin: LlBytesSource): RenditionBytes {
  return (rendition, sn) => {
    const part = partIndexOf(rendition);
    return Promise.resolve(part === undefined ? origin.segmentBytes(sn) : origin.partBytes(sn, part));
  };
}

/** Each viewer's segments from peers only (what the LL check covers). */
export function fromPeersOnly(viewers: readonly { readonly segments: readonly SegmentRecord[] }[]): { readonly segments: readonly SegmentRecord[] }[] {
  return viewers.map((v) => ({ segments: v.segments.filter((s) => s.source === 'p2p') }));
}
