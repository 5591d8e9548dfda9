/**
 * One-way delay of our DATA to one peer, from its RECEIPTs (protocol 4): when we handed each chunk
 * to the channel (our clock), when the peer had it (its clock). The two clocks differ by an unknown
 * offset, so only the delay above the least seen counts: the queueing on the way, in the channel's
 * buffer and below it (the transport's, a router's). The channel's own part counts too: in a
 * browser it grows only once the transport's congestion window is full, which is when a router's
 * queue overflows (bench:live constrained: 36.5 % from peers in one run with it left out,
 * 57.8-67.0 % with it). Pure: times are passed in.
 */

import { setBounded } from './bounded-map.js';

/** Chunks whose send times are kept per peer (oldest forgotten first): a few seconds of a fast upload. */
const MAX_SENT_CHUNKS = 1024;
/**
 * The least delay is kept over two windows of this length (the current and the last), so a base
 * seen once long ago (a path since rerouted, a clock drifting) stops counting within two windows.
 */
const BASE_WINDOW_MS = 60_000;

/** A clock reading as RECEIPTs carry it: whole ms modulo 2^32. */
export function clockMs32(nowMs: number): number {
  return Math.round(nowMs) >>> 0;
}

/**
 * A transfer's delivery rate is read over at least this span of its receipts (receiver's clock):
 * chunks arrive a few KiB at a time, and a loaded receiver handles them in batches.
 */
const RATE_SPAN_MS = 300;
/** ...and over at most this span, so it is the rate of late, not of the transfer's start. */
const MAX_RATE_SPAN_MS = 1_000;
/** Receipts remembered per request for that rate, and requests remembered. */
const RECEIPTS_PER_REQUEST = 12;
const MAX_REQUESTS = 64;

/** What one RECEIPT tells. */
export interface DeliverySample {
  /** Delay above the least seen lately, ms (>= 0). */
  readonly queueDelayMs: number;
  /**
   * Bytes per ms the request's bytes reached the peer at lately, on the peer's clock (a span of
   * RATE_SPAN_MS..MAX_RATE_SPAN_MS); undefined before its receipts span that long.
   */
  readonly deliveredBytesPerMs: number | undefined;
}

export class DeliveryDelay {
  /** `${requestId}:${endOffsetBytes}` -> when that chunk was handed to the channel (clock ms). */
  private readonly sentAtMs = new Map<string, number>();
  private baseStartMs: number | undefined;
  /** Least raw delay in the current window and in the one before (int32 ms, clocks' offset included). */
  private baseNow = Number.POSITIVE_INFINITY;
  private basePrev = Number.POSITIVE_INFINITY;
  /** Per request, its latest receipts: [offsetBytes, atMs] pairs, oldest first. */
  private readonly receipts = new Map<number, [number, number][]>();

  /** A DATA message whose payload ends at `endOffsetBytes` went to the channel at `nowMs`. */
  sent(requestId: number, endOffsetBytes: number, nowMs: number): void {
    setBounded(this.sentAtMs, `${requestId}:${endOffsetBytes}`, nowMs, MAX_SENT_CHUNKS);
  }

  /**
   * A RECEIPT: the peer had `offsetBytes` of request `requestId` at `atMs` (its clock, modulo 2^32).
   * Undefined for a chunk we did not send, no longer remember, or had a receipt for already.
   */
  receipt(requestId: number, offsetBytes: number, atMs: number, nowMs: number): DeliverySample | undefined {
    const key = `${requestId}:${offsetBytes}`;
    const sentMs = this.sentAtMs.get(key);
    if (sentMs === undefined) return undefined;
    this.sentAtMs.delete(key);
    const deliveredBytesPerMs = this.deliveredRate(requestId, offsetBytes, atMs);
    // Both clocks modulo 2^32 ms, the difference as a signed 32-bit number: the offset between the
    // clocks wraps the same way for every sample, and only differences between samples are used.
    const raw = (atMs - clockMs32(sentMs)) | 0;
    if (this.baseStartMs === undefined || nowMs - this.baseStartMs >= BASE_WINDOW_MS) {
      this.basePrev = this.baseStartMs === undefined ? Number.POSITIVE_INFINITY : this.baseNow;
      this.baseNow = Number.POSITIVE_INFINITY;
      this.baseStartMs = nowMs;
    }
    this.baseNow = Math.min(this.baseNow, raw);
    return { queueDelayMs: raw - Math.min(this.baseNow, this.basePrev), deliveredBytesPerMs };
  }

  private deliveredRate(requestId: number, offsetBytes: number, atMs: number): number | undefined {
    let list = this.receipts.get(requestId);
    if (!list) {
      list = [];
      setBounded(this.receipts, requestId, list, MAX_REQUESTS);
    }
    let rate: number | undefined;
    // The oldest receipt within MAX_RATE_SPAN_MS (the clock modulo 2^32: spans as signed differences).
    for (const [offset, at] of list) {
      const spanMs = (atMs - at) | 0;
      if (spanMs > MAX_RATE_SPAN_MS) continue;
      if (spanMs >= RATE_SPAN_MS && offsetBytes > offset) rate = (offsetBytes - offset) / spanMs;
      break;
    }
    list.push([offsetBytes, atMs]);
    if (list.length > RECEIPTS_PER_REQUEST) list.shift();
    return rate;
  }
}
