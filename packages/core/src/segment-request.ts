/** What the player asks the engine for (SegmentRequest), and what it gets back (LoadedSegment). */
import type { SegmentRef } from '@swarmcast/protocol';
import type { ByteRange } from './ports.js';

/** A segment the player needs. */
export interface SegmentRequest {
  readonly ref: SegmentRef;
  /** Where to get it over HTTP. */
  readonly url: string;
  /**
   * Where the segment lies in the resource at `url` (EXT-X-BYTERANGE, or an EXT-X-MAP BYTERANGE),
   * end exclusive; undefined for the whole resource. HTTP fetches send it as Range; peers exchange
   * only the segment's bytes. The ref alone identifies the segment, so the range must be the same
   * for every viewer (it is: it comes from the playlist).
   */
  readonly range?: ByteRange;
  /**
   * True for an init segment (EXT-X-MAP, ref from initSegmentRenditionId): not part of the media
   * sequence, so the prefetcher does not follow it and no VOD list is looked up for it.
   */
  readonly init?: boolean;
  /** Clock time (ms, the injected clock) by which the player must have the bytes to avoid a stall. */
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

/** What loadSegment() gives the player. */
export interface LoadedSegment {
  readonly bytes: Uint8Array;
  /** Where the bytes came from ('p2p' if any byte came from a peer). */
  readonly source: 'http' | 'p2p';
  /** True when the segment was already held and nothing was downloaded for this request. */
  readonly fromStore: boolean;
}
