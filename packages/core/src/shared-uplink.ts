/**
 * Our uplink as every peer connection shares it: the upload meter, the upload cap and the
 * delay-based pace, each DataChannel's high-water mark, whether a message would wait behind a
 * backlog, the upload slots and the admission of peers' requests (the PeerHost side of uploads).
 */
import type { EngineConfig } from './config.js';
import type { DeliverySample } from './delivery-delay.js';
import type { Peer } from './peer.js';
import type { Clock } from './ports.js';
import type { UploadRefusal } from './stats.js';
import { UploadMeter } from './upload-meter.js';
import { UploadPacer } from './upload-pacer.js';
import { UplinkPace } from './uplink-pace.js';
import { admitInTurn, admitShared } from './upload-admission.js';
import { minSendHighWaterBytes, type QueuedUpload, type UploadRank } from './uploader.js';

export type SharedUplinkConfig = Pick<EngineConfig, 'chunkBytes' | 'sendHighWaterBytes' | 'uploadSlots' | 'uploadAdmissionDelayMs' | 'uploadCapBytesPerSec' | 'uploadDelayTargetMs'>;

/** The upload cap's bucket holds this long of the cap (at least two chunks): short bursts, steady average. */
const UPLOAD_CAP_BURST_MS = 250;
/**
 * The delay-based pace's bucket holds this long of the pace: after an idle moment it lets out no
 * more than a short queue's worth at once (a router's queue may hold 200 ms or less).
 */
const DELAY_PACE_BURST_MS = 50;

/** Data kept queued per DataChannel, in time at its share of the uplink (see sendHighWaterBytes()). */
const UPLINK_QUEUE_TARGET_MS = 300;

/**
 * What a message of ours may wait behind per backlogged channel: each peer connection is its own
 * association, whose bytes already in the network (about a congestion window, not one DATA
 * message) go first. 16 KiB, whatever chunkBytes is.
 */
const AHEAD_BYTES_PER_CHANNEL = 16 * 1024;

/** A request that waits longer than this behind our own uplink backlog may be late through no fault of the peer. */
const UPLINK_CLEAR_MS = 150;

/**
 * The high-water mark before anything is known of the uplink (a backlog only a few ms old), in
 * chunks (64 KiB at the default 4 KiB): enough for a fast uplink's burst, little enough that a
 * slow one is measured before it drains.
 */
const UNMEASURED_HIGH_WATER_CHUNKS = 16;

/**
 * Sending this share of the measured uplink rate over an interval means it was saturated
 * (a fast uplink's bursts are a small share of what it could carry; a capped one fills it).
 */
const SATURATED_SHARE = 0.5;

/** An unmeasured uplink's backlog older than this gives a provisional rate (UploadMeter.provisionalBytesPerMs). */
const PROVISIONAL_MIN_AGE_MS = 20;

/** A measured uplink idle and not measured for this long takes an upload whatever its rate says (a probe). */
const METER_PROBE_AFTER_MS = 5_000;

export class SharedUplink {
  private readonly uploadMeter = new UploadMeter();
  private readonly pacer: UploadPacer;
  /** Undefined when uploadDelayTargetMs is 0. */
  private readonly delayPace: UplinkPace | undefined;
  /** The last arrival number given to an upload (see EngineConfig.uploadSlots). */
  private uploadSeq = 0;

  constructor(
    private readonly config: SharedUplinkConfig,
    private readonly clock: Clock,
    /** Every peer connection, ready or still being made (the pool's). */
    private readonly peers: ReadonlyMap<string, Peer>,
  ) {
    const cap = config.uploadCapBytesPerSec;
    this.pacer = new UploadPacer(cap, this.bucketBytes(cap, UPLOAD_CAP_BURST_MS));
    this.delayPace =
      config.uploadDelayTargetMs > 0 ? new UplinkPace({ targetMs: config.uploadDelayTargetMs, minBytesPerMs: (2 * config.chunkBytes) / 1000 }) : undefined;
  }

  /** See PeerHost.linkQueued. */
  linkQueued(bytes: number, opensTurn: boolean): void {
    this.uploadMeter.enqueued(bytes);
    const now = this.clock.now();
    // The bytes just queued are buffered: a sample here can only start a backlog or end a rate interval.
    if (this.uploadMeter.wantsBackloggedSample(now)) this.uploadMeter.sample(now, this.totalBufferedBytes());
    // After the sample: the interval running from now on holds the burst.
    if (opensTurn) this.uploadMeter.channelOpened();
  }

  /** See PeerHost.linkDiscarded. */
  linkDiscarded(bytes: number): void {
    this.uploadMeter.discarded(bytes);
  }

  /** See PeerHost.paceUpload. */
  paceUpload(bytes: number): number {
    const waitMs = this.pacer.take(this.clock.now(), bytes);
    if (waitMs > 0) this.delayPace?.paceHeld();
    return waitMs;
  }

  /** See PeerHost.nextUploadSeq. */
  nextUploadSeq(): number {
    return ++this.uploadSeq;
  }

  /**
   * A requester's RECEIPT gave our DATA's queueing delay (see DeliveryDelay): the delay-based pace
   * may move, and the pacer with it (never above uploadCapBytesPerSec).
   */
  uplinkDelay(sample: DeliverySample): void {
    if (this.delayPace?.sample(this.clock.now(), sample.queueDelayMs, sample.deliveredBytesPerMs, this.uploadMeter.bytesPerMs)) this.applyPace();
  }

  /** The pacer's cap: the delay-based pace, never above uploadCapBytesPerSec. */
  private applyPace(): void {
    const paceBytesPerSec = (this.delayPace?.bytesPerMs ?? Number.POSITIVE_INFINITY) * 1000;
    const cap = this.config.uploadCapBytesPerSec;
    const now = this.clock.now();
    if ((cap > 0 && cap <= paceBytesPerSec) || !Number.isFinite(paceBytesPerSec)) this.pacer.setCap(now, cap, this.bucketBytes(cap, UPLOAD_CAP_BURST_MS));
    else this.pacer.setCap(now, paceBytesPerSec, this.bucketBytes(paceBytesPerSec, DELAY_PACE_BURST_MS));
  }

  /** The pacer's bucket at `bytesPerSec`: `burstMs` of it, at least two chunks. */
  private bucketBytes(bytesPerSec: number, burstMs: number): number {
    return Math.max(2 * this.config.chunkBytes, (bytesPerSec * burstMs) / 1000);
  }

  /** The delay-based pace, bytes per ms (undefined: none, or no queue seen yet). */
  get delayPaceBytesPerMs(): number | undefined {
    return this.delayPace?.bytesPerMs;
  }

  /** The uplink as the meter measured it, bytes per ms, without the upload cap (undefined until measured). */
  get measuredBytesPerMs(): number | undefined {
    return this.uploadMeter.bytesPerMs;
  }

  /**
   * uploadRate(), or until measured a lower bound from the present backlog (`totalBytes` buffered
   * now) once it is a few ms old (a fast uplink's backlogs may never last long enough to measure).
   */
  private rateOrProvisional(nowMs: number, totalBytes: number): number | undefined {
    return this.uploadRate() ?? this.uploadMeter.provisionalBytesPerMs(nowMs, totalBytes, PROVISIONAL_MIN_AGE_MS);
  }

  /** What the uplink carries, bytes per ms: the measured rate, never above the upload cap (the cap alone until measured). */
  uploadRate(): number | undefined {
    const measured = this.uploadMeter.bytesPerMs;
    if (!this.pacer.capped) return measured;
    return Math.min(measured ?? Number.POSITIVE_INFINITY, this.pacer.bytesPerMs);
  }

  /**
   * How much one DataChannel may hold: about UPLINK_QUEUE_TARGET_MS of its share of the measured
   * uplink, at least two DATA messages, at most sendHighWaterBytes. Messages on a channel are ordered, so
   * every byte buffered delays the HAVEs, requests and cancels behind it, and bytes buffered for a
   * request the peer then cancels are sent anyway. Until measured, the present backlog's provisional
   * rate stands in: a slow uplink handed the whole high-water mark at once would drain it for
   * seconds with no chunk queued, so no sample, and never be measured.
   */
  sendHighWaterBytes(): number {
    const max = this.config.sendHighWaterBytes;
    let backlogged = 0;
    let totalBytes = 0;
    for (const p of this.peers.values()) {
      const buffered = p.bufferedBytes;
      totalBytes += buffered;
      if (buffered > 0) backlogged++;
    }
    const now = this.clock.now();
    // Asked on every pump, the blocked ones included: the samples that measure a backlog draining.
    if (totalBytes > 0 && this.uploadMeter.wantsBackloggedSample(now)) this.uploadMeter.sample(now, totalBytes);
    const rate = this.rateOrProvisional(now, totalBytes);
    if (rate === undefined) return Math.min(max, UNMEASURED_HIGH_WATER_CHUNKS * this.config.chunkBytes);
    const shareBytes = (rate * UPLINK_QUEUE_TARGET_MS) / Math.max(1, backlogged);
    return Math.min(max, Math.max(minSendHighWaterBytes(this.config.chunkBytes), Math.round(shareBytes)));
  }

  /** See PeerHost.uplinkClear: at most AHEAD_BYTES_PER_CHANNEL per backlogged channel goes first. */
  uplinkClear(): boolean {
    let aheadBytes = 0;
    for (const p of this.peers.values()) aheadBytes += Math.min(p.bufferedBytes, AHEAD_BYTES_PER_CHANNEL);
    if (aheadBytes === 0) return true;
    // Unmeasured (the channels never stayed backlogged long enough to measure): one channel's worth
    // ahead is taken as clear, more is not.
    const rate = this.uploadRate();
    if (rate === undefined) return aheadBytes <= AHEAD_BYTES_PER_CHANNEL;
    return aheadBytes / Math.max(rate, 1e-6) <= UPLINK_CLEAR_MS;
  }

  /**
   * See PeerHost.uplinkSaturatedSince. Unmeasured, the uplink never stayed backlogged: not saturated.
   * Sending near the measured rate is not enough alone (a rate measured low, bursts on a fast link):
   * the uplink must still hold a backlog a message would wait behind (not uplinkClear()), as a
   * capped uplink kept full does and a fast one that sent a burst does not.
   */
  uplinkSaturatedSince(mark: number, sinceMs: number): boolean {
    const rate = this.uploadMeter.bytesPerMs;
    const elapsedMs = this.clock.now() - sinceMs;
    if (rate === undefined || elapsedMs <= 0 || this.uplinkClear()) return false;
    return this.sentBytes() - mark >= SATURATED_SHARE * rate * elapsedMs;
  }

  /** DATA bytes that left our channels so far: handed to them, less what they still hold. */
  sentBytes(): number {
    return this.uploadMeter.enqueuedTotalBytes - this.totalBufferedBytes();
  }

  private totalBufferedBytes(): number {
    let total = 0;
    for (const p of this.peers.values()) total += p.bufferedBytes;
    return total;
  }

  /** See PeerHost.mayFeedUpload. */
  mayFeedUpload(rank: UploadRank): boolean {
    const slots = this.config.uploadSlots;
    if (slots === 0) return true;
    let before = 0;
    for (const p of this.peers.values()) {
      before += p.uploads.readyBefore(rank);
      if (before >= slots) return false;
    }
    return true;
  }

  /** See PeerHost.uploadSlotFreed. */
  uploadSlotFreed(from: Peer): void {
    if (this.config.uploadSlots === 0) return;
    for (const p of this.peers.values()) if (p !== from) p.uploads.pump();
  }

  /**
   * See PeerHost.admitUpload: undefined admits, else why not (admitInTurn, admitShared). A request
   * is due when its requester stops waiting (withinMs: the trips of the request and of the last
   * chunk come out of the requester's HTTP margin; keeping 50-500 ms for them here changed nothing
   * in the simulator). Requesters say how long they wait, so a 4x uplink asked with 3 s to go
   * queues five copies where a fixed commitment would take two.
   */
  admitUpload(peer: Peer, requestBytes: number, withinMs: number): UploadRefusal | undefined {
    const limitMs = this.config.uploadAdmissionDelayMs;
    if (limitMs === 0) return undefined;
    let bufferedBytes = 0;
    let backlogged = 0;
    const queue: QueuedUpload[] = [];
    for (const p of this.peers.values()) {
      const buffered = p.bufferedBytes;
      bufferedBytes += buffered;
      if (buffered > 0) backlogged++;
      p.uploads.queue(queue);
    }
    const now = this.clock.now();
    this.uploadMeter.sample(now, bufferedBytes);
    // Unmeasured (no backlog ever lasted long enough: a fast uplink may never be measured), the
    // present backlog gives a lower bound once it is a few ms old; before that, accept while the
    // uplink is idle or busy with this very peer only.
    const rate = this.rateOrProvisional(now, bufferedBytes);
    if (rate === undefined) return backlogged === 0 || (backlogged === 1 && peer.bufferedBytes > 0) ? undefined : 'unmeasured';
    // Under a cap so low that a segment takes longer than the requester waits, an idle uplink still
    // takes one upload at a time (the requester gets the rest over HTTP): refusing all would leave
    // the capped peer (an office's edge) serving nobody.
    if (this.pacer.capped && queue.length === 0 && bufferedBytes === 0) return undefined;
    // Likewise an idle uplink whose rate was not measured lately: a rate measured low (stalls in a
    // loaded browser) refuses every upload, and only an upload can measure it again.
    if (queue.length === 0 && bufferedBytes === 0 && !this.uploadMeter.measuredWithin(now, METER_PROBE_AFTER_MS)) return undefined;
    const uplink = { nowMs: now, msPerByte: 1 / Math.max(rate, 1e-6), bufferedBytes, queue, firstChunkLimitMs: limitMs };
    const dueMs = now + withinMs;
    if (this.config.uploadSlots === 0) {
      return admitShared(uplink, { bytes: requestBytes, dueMs }, { ownBufferedBytes: peer.bufferedBytes, backlogged, chunkBytes: this.config.chunkBytes });
    }
    return admitInTurn(uplink, { rank: peer.uploads.rankOf(withinMs, this.uploadSeq + 1), bytes: requestBytes, dueMs });
  }
}
