import type { SegmentRef } from '@swarmcast/protocol';

/** Map key of a segment within a swarm. */
export function segmentKey(ref: SegmentRef): string {
  return `${ref.rendition}/${ref.sn}`;
}
