/**
 * A transfer from a peer that will not be complete by its P2P deadline need not stop there: the
 * peer goes on with the head of what is left while HTTP fetches the tail, and the two meet at a
 * split point that the peer, at the pace it kept so far, reaches before the last moment a fetch of
 * the gap (should it fall short) still makes the deadline. Each byte the peer sends meanwhile is one
 * the origin does not, where the whole rest used to go to HTTP and the peer's uplink sat idle.
 */

import type { Clock, TimerHandle } from './ports.js';

/** The gap, fetched if the peer falls short, is given this many times a whole segment's measured fetch time. */
export const LATE_SPLIT_GAP_FACTOR = 2;

/** A head shorter than this share of what is left is not worth the risk of a second fetch. */
const MIN_HEAD_SHARE = 0.1;

export interface LateSplitInput {
  readonly nowMs: number;
  /** When the player needs the segment. */
  readonly deadlineMs: number;
  /** How late our timers fire now (see TimerLag): the gap fetch starts that much later. */
  readonly lagMs: number;
  /** What a whole segment's HTTP fetch takes here; undefined before one was measured (then no split). */
  readonly httpFetchMs: number | undefined;
  readonly receivedBytes: number;
  readonly totalBytes: number;
  /** Bytes the peer sent in this attempt, and the time since its first one arrived. */
  readonly paceBytes: number;
  readonly paceMs: number;
  /** The split assumes the peer keeps this share of its pace so far (EngineConfig.lateSplitPaceShare); 0: no split. */
  readonly paceShare: number;
}

export interface LateSplit {
  /** Where the peer's head ends and the HTTP tail starts (the segment's end: no tail). */
  readonly splitBytes: number;
  /** If the peer has not reached splitBytes by then, the gap goes to HTTP. */
  readonly cutoffMs: number;
}

/** Where a late transfer splits between its peer and HTTP, or undefined to leave all the rest to HTTP. */
export function planLateSplit(input: LateSplitInput): LateSplit | undefined {
  const { nowMs, httpFetchMs, paceBytes, paceMs } = input;
  if (input.paceShare <= 0 || httpFetchMs === undefined || paceBytes <= 0 || paceMs <= 0) return undefined;
  const cutoffMs = input.deadlineMs - LATE_SPLIT_GAP_FACTOR * httpFetchMs - input.lagMs;
  if (cutoffMs <= nowMs) return undefined;
  const leftBytes = input.totalBytes - input.receivedBytes;
  const headBytes = Math.min(leftBytes, Math.floor((paceBytes / paceMs) * (cutoffMs - nowMs) * input.paceShare));
  if (leftBytes <= 0 || headBytes < MIN_HEAD_SHARE * leftBytes) return undefined;
  return { splitBytes: input.receivedBytes + headBytes, cutoffMs };
}

/**
 * A late peer's head in progress: ends when the peer reaches the split, at the cutoff (it fell
 * short), when the load is dropped or hurried by a seek, or when the peer fails. Its end tells
 * the peer to stop (unless it sent the whole segment) and resolves `ended`, once.
 */
export class LateHead {
  readonly ended: Promise<void>;
  private live = true;
  private readonly timer: TimerHandle;
  private resolveEnded: () => void = () => undefined;

  /**
   * @param hurried the acquisition's wake-ups for a deadline moved earlier (a seek): the head ends
   *   at once, and the gap goes to HTTP.
   * @param stopPeer called as the head ends, to cancel the peer's request if it is still sending.
   */
  constructor(
    readonly splitBytes: number,
    cutoffMs: number,
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
    private readonly hurried: Set<() => void>,
    private readonly stopPeer: () => void,
  ) {
    this.ended = new Promise<void>((resolve) => {
      this.resolveEnded = resolve;
    });
    this.timer = clock.setTimeout(this.end, Math.max(0, cutoffMs - clock.now()));
    signal.addEventListener('abort', this.end);
    hurried.add(this.end);
  }

  /** True until the head ended. */
  get active(): boolean {
    return this.live;
  }

  readonly end = (): void => {
    if (!this.live) return;
    this.live = false;
    this.clock.clearTimeout(this.timer);
    this.signal.removeEventListener('abort', this.end);
    this.hurried.delete(this.end);
    this.stopPeer();
    this.resolveEnded();
  };
}
