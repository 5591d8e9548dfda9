import type { SegmentRef } from '@swarmcast/protocol';
import type { Clock } from './ports.js';

/** What the prefetcher sees of a player request. */
export interface PlayerRequest {
  readonly ref: SegmentRef;
  readonly deadlineMs: number;
}

export interface PrefetcherConfig {
  /** Off: the engine fetches only what the player asks for. */
  readonly enabled: boolean;
  /** A prefetch needs at least this long before its estimated deadline (as a player load does for P2P). */
  readonly minSlackMs: number;
}

/**
 * Decides when to fetch the segment after the player's latest one before the player asks for it.
 * A live player learns of a new segment only at its next playlist refresh, up to a target duration
 * after the first viewers got it; a neighbour's HAVE or RECEIVING says it exists now, so the peer
 * transfer can start then and the segment is in hand (or on its way) when the player asks. Only
 * from peers: a prefetch never goes to HTTP unless the player then asks (see Acquisition.adopt).
 * The deadline is estimated from the player's own: the last one plus the spacing of the last two.
 */
export class Prefetcher {
  private last: PlayerRequest | undefined;
  private spacingMs: number | undefined;

  constructor(
    private readonly config: PrefetcherConfig,
    private readonly clock: Clock,
    private readonly start: (ref: SegmentRef, deadlineMs: number) => void,
  ) {}

  /** The player asked for a segment. */
  requested(request: PlayerRequest): void {
    const last = this.last;
    if (last && last.ref.rendition === request.ref.rendition && request.ref.sn === last.ref.sn + 1 && request.deadlineMs > last.deadlineMs) {
      this.spacingMs = request.deadlineMs - last.deadlineMs;
    } else if (last?.ref.rendition !== request.ref.rendition) {
      this.spacingMs = undefined;
    }
    if (!last || last.ref.rendition !== request.ref.rendition || request.ref.sn >= last.ref.sn) this.last = request;
  }

  /** A peer announced it holds or is receiving `ref`. */
  announced(ref: SegmentRef): void {
    if (!this.config.enabled) return;
    const deadlineMs = this.nextDeadlineMs(ref);
    if (deadlineMs === undefined || deadlineMs - this.clock.now() < this.config.minSlackMs) return;
    this.start(ref, deadlineMs);
  }

  /**
   * The player's deadline for `ref` if it is the segment after the player's latest, estimated from
   * the player's own (the last one plus the spacing of the last two); else undefined.
   */
  nextDeadlineMs(ref: SegmentRef): number | undefined {
    const last = this.last;
    if (!last || this.spacingMs === undefined) return undefined;
    if (ref.rendition !== last.ref.rendition || ref.sn !== last.ref.sn + 1) return undefined;
    return last.deadlineMs + this.spacingMs;
  }
}
