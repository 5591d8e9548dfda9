import type { SegmentRef } from '@swarmcast/protocol';
import { segmentKey } from './segment-id.js';

export interface StoredSegment {
  readonly ref: SegmentRef;
  readonly bytes: Uint8Array;
  /** Where it came from ('p2p' if any byte came from a peer). */
  readonly source: 'http' | 'p2p';
}

/** How many of the oldest segments an eviction chooses among. */
const EVICTION_WINDOW = 8;

/**
 * Complete segments held for the player and for peers, within a memory budget. Old insertions go
 * first (in live, the segments furthest behind the edge); among the oldest few, the one most of our
 * neighbours already hold goes first, so the swarm keeps copies of what is scarce (a VOD viewer
 * that seeked around holds parts of the asset others may still need).
 */
export class SegmentStore {
  private readonly segments = new Map<string, StoredSegment>();
  private usedBytes = 0;

  /**
   * @param replicas how many neighbours hold `ref` (0 when unknown).
   */
  constructor(
    private readonly budgetBytes: number,
    private readonly onEvict: (ref: SegmentRef) => void,
    private readonly replicas: (ref: SegmentRef) => number = () => 0,
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
      const victim = this.victim();
      if (!victim) break;
      this.segments.delete(victim[0]);
      this.usedBytes -= victim[1].bytes.length;
      this.onEvict(victim[1].ref);
    }
    this.segments.set(key, { ref, bytes, source });
    this.usedBytes += bytes.length;
    return true;
  }

  /** Drops a segment (no eviction callback: the caller withdraws it). True if it was held. */
  delete(ref: SegmentRef): boolean {
    const key = segmentKey(ref);
    const old = this.segments.get(key);
    if (!old) return false;
    this.segments.delete(key);
    this.usedBytes -= old.bytes.length;
    return true;
  }

  /** Among the oldest EVICTION_WINDOW segments, the most replicated one (the oldest on a tie). */
  private victim(): [string, StoredSegment] | undefined {
    let best: [string, StoredSegment] | undefined;
    let bestReplicas = -1;
    let seen = 0;
    for (const entry of this.segments) {
      const replicas = this.replicas(entry[1].ref);
      if (replicas > bestReplicas) {
        best = entry;
        bestReplicas = replicas;
      }
      if (++seen >= EVICTION_WINDOW) break;
    }
    return best;
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
