import type { SegmentRef } from '@swarmcast/protocol';
import { segmentKey } from './segment-id.js';

export interface StoredSegment {
  readonly ref: SegmentRef;
  readonly bytes: Uint8Array;
  /** Where it came from ('p2p' if any byte came from a peer). */
  readonly source: 'http' | 'p2p';
}

/**
 * Complete segments held for the player and for peers, within a memory budget. The oldest
 * insertions go first: in live they are the segments furthest behind the edge.
 */
export class SegmentStore {
  private readonly segments = new Map<string, StoredSegment>();
  private usedBytes = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly onEvict: (ref: SegmentRef) => void,
  ) {}

  get(ref: SegmentRef): StoredSegment | undefined {
    return this.segments.get(segmentKey(ref));
  }

  has(ref: SegmentRef): boolean {
    return this.segments.has(segmentKey(ref));
  }

  /** Stores a segment, evicting the oldest ones to stay within budget. Too-large segments are not kept. */
  put(ref: SegmentRef, bytes: Uint8Array, source: 'http' | 'p2p'): boolean {
    if (bytes.length > this.budgetBytes) return false;
    const key = segmentKey(ref);
    const old = this.segments.get(key);
    if (old) {
      this.usedBytes -= old.bytes.length;
      this.segments.delete(key);
    }
    while (this.usedBytes + bytes.length > this.budgetBytes) {
      const oldest = this.segments.entries().next().value;
      if (!oldest) break;
      this.segments.delete(oldest[0]);
      this.usedBytes -= oldest[1].bytes.length;
      this.onEvict(oldest[1].ref);
    }
    this.segments.set(key, { ref, bytes, source });
    this.usedBytes += bytes.length;
    return true;
  }

  /** Every held segment, oldest first. */
  refs(): SegmentRef[] {
    return [...this.segments.values()].map((s) => s.ref);
  }

  get sizeBytes(): number {
    return this.usedBytes;
  }

  clear(): void {
    this.segments.clear();
    this.usedBytes = 0;
  }
}
