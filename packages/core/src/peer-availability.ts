/**
 * What one peer announced it holds or is receiving (HAVE-MAP, HAVE, RECEIVING, LOST), and which of
 * our segments it was told we hold (only those need a LOST when we stop holding them).
 */
import type { AvailabilityState, SegmentRef } from '@swarmcast/protocol';
import { setBounded } from './bounded-map.js';

/** Most availability entries remembered per peer (oldest dropped first). */
const MAX_AVAILABILITY_ENTRIES = 4096;

/** One segment as the peer announced it. sizeBytes: what a HAVE message said (unknown for HAVE-MAP entries and 'receiving'). */
export interface Announced {
  readonly ref: SegmentRef;
  readonly state: AvailabilityState;
  readonly sizeBytes: number | undefined;
}

export class PeerAvailability {
  /** By segmentKey. */
  private readonly announced = new Map<string, Announced>();
  /**
   * The segments this peer was told we have or are receiving (HAVE-MAP, `have`, `receiving`) and
   * not yet told we lost: only those need a `lost`. Bounded by what we hold, since every segment
   * we stop holding is withdrawn (PeerPool.withdraw).
   */
  private readonly told = new Set<string>();
  private gotHaveMap = false;

  /** The peer's HAVE-MAP arrived: from now on stateOfKey() tells what it holds. */
  get sentHaveMap(): boolean {
    return this.gotHaveMap;
  }

  /** The peer's HAVE-MAP arrived; false when one had come already. */
  haveMapArrived(): boolean {
    if (this.gotHaveMap) return false;
    this.gotHaveMap = true;
    return true;
  }

  /** What the peer announced of the segment of `key` (a segmentKey), if anything. */
  get(key: string): Announced | undefined {
    return this.announced.get(key);
  }

  /** What the peer holds or is receiving of the segment of `key` (a segmentKey). */
  stateOfKey(key: string): AvailabilityState | undefined {
    return this.announced.get(key)?.state;
  }

  /** The peer announced the segment `ref` (of `key`) in `state`; 'lost' forgets it. */
  set(key: string, ref: SegmentRef, state: AvailabilityState | 'lost', sizeBytes: number | undefined): void {
    this.announced.delete(key);
    if (state !== 'lost') setBounded(this.announced, key, { ref: { rendition: ref.rendition, sn: ref.sn }, state, sizeBytes }, MAX_AVAILABILITY_ENTRIES);
  }

  /** The peer is told we have or are receiving the segment of `key`. */
  tell(key: string): void {
    this.told.add(key);
  }

  /** The peer is told we lost the segment of `key`: false (nothing to tell) when it was never told we held it. */
  untell(key: string): boolean {
    return this.told.delete(key);
  }
}
