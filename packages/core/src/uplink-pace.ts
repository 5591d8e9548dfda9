/**
 * The pace our uploads keep so the uplink's queue stays short (delay-based, after LEDBAT, RFC 6817):
 * the requesters' RECEIPTs give the queueing delay of our DATA (DeliveryDelay); above the target the
 * pace comes down, below it the pace goes up while it holds uploads back. Several SCTP associations
 * sharing one uplink each open their congestion window until a router's queue overflows; paced
 * under the link they lose nothing (bench:live constrained: 62-72 % from peers at a fixed pace of
 * 0.89 of the link against 43-51 % unpaced). Pure: time is passed in.
 */

/** The pace changes at most once per window; the window's least delay is its reading. */
export const PACE_WINDOW_MS = 200;
/**
 * Over the target, the pace comes down to this share of what the requesters received lately; over
 * twice the target to the lower share, which drains a long queue in a second or two rather than 4.
 */
const DELIVERED_SHARE = 0.9;
const DRAIN_SHARE = 0.75;
/** Over the target, most a window takes off the pace by the delivery rate (one split among transfers reads low). */
const MAX_DELIVERED_CUT = 0.3;
/**
 * Over the target with no delivery rate to go by, or one under half the pace (a transfer relayed as
 * it arrives, or one stalled on a retransmission, says nothing of the link): most a window takes off
 * the pace (twice the target and more).
 */
const MAX_DECREASE = 0.15;
/**
 * After a cut, the next waits this long: the receipts of bytes sent at the old pace keep coming for
 * a round trip and more, and cutting on each of them took the pace to its floor.
 */
const CUT_COOLDOWN_MS = 2 * PACE_WINDOW_MS;
/**
 * Most a window adds to the pace (no queue at all, uploads held back): about 10 % a second, so a
 * pace that found the link stays near it for seconds, and a queue it builds is seen before it
 * grows long (the RECEIPTs come back a few hundred ms late).
 */
const MAX_INCREASE = 0.02;

/**
 * The pace never goes below this share of the upload meter's reading: a requester lying in its
 * receipts slows our uploads to everyone by half at most.
 */
const METER_FLOOR_SHARE = 0.5;

export interface UplinkPaceOptions {
  /** Queueing delay the pace aims at, ms (> 0). */
  readonly targetMs: number;
  /** The pace never goes below this, bytes per ms. */
  readonly minBytesPerMs: number;
}

export class UplinkPace {
  private rate: number | undefined;
  private windowStartMs: number | undefined;
  private windowMinMs = Number.POSITIVE_INFINITY;
  /** The highest delivery rate of the window's receipts, bytes per ms (0: none). */
  private windowDelivered = 0;
  private heldBack = false;
  private lastCutMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: UplinkPaceOptions) {}

  /** The pace, bytes per ms; undefined until a queue was first seen above the target (no pace). */
  get bytesPerMs(): number | undefined {
    return this.rate;
  }

  /** The pace made an upload wait: the uploads want more than it lets through. */
  paceHeld(): void {
    this.heldBack = true;
  }

  /**
   * A RECEIPT's reading at `nowMs` (see DeliveryDelay.receipt). `uplinkBytesPerMs` is the uplink's
   * rate as the upload meter measured it: the first pace when nothing else tells one, and a floor
   * (half of it) that no reading, true or false, takes the pace below. Returns true when the pace
   * changed.
   */
  sample(nowMs: number, queueDelayMs: number, deliveredBytesPerMs: number | undefined, uplinkBytesPerMs: number | undefined): boolean {
    this.windowMinMs = Math.min(this.windowMinMs, queueDelayMs);
    this.windowDelivered = Math.max(this.windowDelivered, deliveredBytesPerMs ?? 0);
    if (this.windowStartMs === undefined) this.windowStartMs = nowMs;
    if (nowMs - this.windowStartMs < PACE_WINDOW_MS) return false;
    const delayMs = this.windowMinMs;
    const delivered = this.windowDelivered;
    const held = this.heldBack;
    this.windowStartMs = nowMs;
    this.windowMinMs = Number.POSITIVE_INFINITY;
    this.windowDelivered = 0;
    this.heldBack = false;
    const { targetMs, minBytesPerMs } = this.options;
    const before = this.rate;
    if (delayMs > targetMs) {
      // A queue is building: the requesters receive what the bottleneck carries, and the pace goes
      // under it (within MAX_DELIVERED_CUT a window, and the floor).
      const from = this.rate ?? uplinkBytesPerMs ?? (delivered > 0 ? delivered : undefined);
      if (from === undefined || nowMs - this.lastCutMs < CUT_COOLDOWN_MS) return false;
      this.lastCutMs = nowMs;
      this.rate =
        delivered >= from / 2
          ? Math.min(from, Math.max((delayMs > 2 * targetMs ? DRAIN_SHARE : DELIVERED_SHARE) * delivered, (1 - MAX_DELIVERED_CUT) * from))
          : from * (1 - MAX_DECREASE * Math.min(1, (delayMs - targetMs) / targetMs));
    } else if (this.rate !== undefined && held) {
      this.rate *= 1 + MAX_INCREASE * ((targetMs - delayMs) / targetMs);
    }
    if (this.rate === undefined) return false;
    this.rate = Math.max(this.rate, minBytesPerMs, (uplinkBytesPerMs ?? 0) * METER_FLOOR_SHARE);
    return this.rate !== before;
  }
}
