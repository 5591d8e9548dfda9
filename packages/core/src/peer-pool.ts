import { encodePeerMessage, type AvailabilityState, type PeerMessage, type SegmentRef, type SignalData } from '@swarmcast/protocol';
import type { EngineConfig } from './config.js';
import type { DeliverySample } from './delivery-delay.js';
import { Peer, type PeerHost } from './peer.js';
import type { Clock, PeerConnector } from './ports.js';
import { segmentKey } from './segment-id.js';
import type { UploadRefusal } from './stats.js';
import { UploadMeter } from './upload-meter.js';
import { UploadPacer } from './upload-pacer.js';
import { UplinkPace } from './uplink-pace.js';
import { admitInTurn, admitShared } from './upload-admission.js';
import { minSendHighWaterBytes, type QueuedUpload, type UploadRank } from './uploader.js';

export type PeerPoolConfig = Pick<
  EngineConfig,
  'maxPeers' | 'minPeers' | 'peerRefillIntervalMs' | 'failedConnectRetryMs' | 'chunkBytes' | 'sendHighWaterBytes' | 'maxUploadsPerPeer' | 'uploadSlots' | 'connectTimeoutMs' | 'uploadAdmissionDelayMs' | 'uploadCommitMs' | 'p2pStallTimeoutMs' | 'silentPeerVerdictMs' | 'uploadCapBytesPerSec' | 'uploadDelayTargetMs'
>;

/** The upload cap's bucket holds this long of the cap (at least two chunks): short bursts, steady average. */
const UPLOAD_CAP_BURST_MS = 250;
/**
 * The delay-based pace's bucket holds this long of the pace: after an idle moment it lets out no
 * more than a short queue's worth at once (a router's queue may hold 200 ms or less).
 */
const DELAY_PACE_BURST_MS = 50;

/** What the pool needs from the engine. */
export interface PeerPoolHost extends Pick<PeerHost, 'helloMessage' | 'haveMapMessage' | 'lookupSegment' | 'countBytes' | 'countRefusal' | 'countExcusedSilence' | 'sendSignal' | 'connectOptions' | 'pathChanged' | 'wanted'> {
  /** Our current tracker-assigned id, if joined. */
  selfId(): string | undefined;
  requestMorePeers(): void;
  peerReady(peer: Peer): void;
  peerClosed(peer: Peer, reason: string): void;
  availabilityChanged(peer: Peer, ref: SegmentRef, state: AvailabilityState | 'lost', key: string): void;
}

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

/** Most renditions whose latest segment size is kept (see PeerHost.expectedSegmentBytes). */
const MAX_RENDITION_SIZES = 64;

/** Most peers remembered as unreachable (the oldest record is forgotten first). */
const MAX_UNREACHABLE = 1024;

/** The failedConnectRetryMs backoff doubles up to this factor. */
const MAX_RETRY_FACTOR = 8;

/** An unmeasured uplink's backlog older than this gives a provisional rate (UploadMeter.provisionalBytesPerMs). */
const PROVISIONAL_MIN_AGE_MS = 20;

/** A measured uplink idle and not measured for this long takes an upload whatever its rate says (a probe). */
const METER_PROBE_AFTER_MS = 5_000;

/** The set of peer connections of one swarm: who to connect to, glare, limits and refills. */
export class PeerPool {
  private readonly peers = new Map<string, Peer>();
  /** The last arrival number given to an upload (see EngineConfig.uploadSlots). */
  private uploadSeq = 0;
  /** Peers cut off for breaking the protocol are never reconnected in this session. */
  private readonly banned = new Set<string>();
  /** Peers our offers never reached (see failedConnectRetryMs): consecutive failures, and when to try again. */
  private readonly unreachable = new Map<string, { failures: number; retryAtMs: number }>();
  /**
   * Peers that declined our offer (full), and until when we offer them nothing: in a large swarm
   * most members are full, and re-offering to them at each refill made one new connection attempt
   * after another (each a WebRTC setup) without ever opening one. Not a failure: no backoff.
   */
  private readonly declinedUntilMs = new Map<string, number>();
  private lastRefillMs = Number.NEGATIVE_INFINITY;
  private destroyed = false;
  private readonly peerHost: PeerHost;
  private readonly uploadMeter = new UploadMeter();
  /** The size of the latest segment we completed, per rendition (see PeerHost.expectedSegmentBytes). */
  private readonly segmentBytes = new Map<string, number>();
  private readonly pacer: UploadPacer;
  /** Undefined when uploadDelayTargetMs is 0. */
  private readonly delayPace: UplinkPace | undefined;

  constructor(
    private readonly config: PeerPoolConfig,
    private readonly clock: Clock,
    private readonly connector: PeerConnector,
    private readonly host: PeerPoolHost,
  ) {
    const cap = config.uploadCapBytesPerSec;
    this.pacer = new UploadPacer(cap, this.bucketBytes(cap, UPLOAD_CAP_BURST_MS));
    this.delayPace =
      config.uploadDelayTargetMs > 0 ? new UplinkPace({ targetMs: config.uploadDelayTargetMs, minBytesPerMs: (2 * config.chunkBytes) / 1000 }) : undefined;
    this.peerHost = {
      clock,
      config,
      helloMessage: () => host.helloMessage(),
      haveMapMessage: () => host.haveMapMessage(),
      lookupSegment: (ref) => host.lookupSegment(ref),
      sendSignal: (id, data) => host.sendSignal(id, data),
      connectOptions: () => host.connectOptions(),
      countBytes: (kind, bytes, type) => host.countBytes(kind, bytes, type),
      countRefusal: (reason) => host.countRefusal(reason),
      countExcusedSilence: (why) => host.countExcusedSilence(why),
      peerReady: (peer) => {
        this.unreachable.delete(peer.id);
        if (!this.closeIfDuplicate(peer)) host.peerReady(peer);
      },
      peerClosed: (peer, reason) => this.onPeerClosed(peer, reason),
      pathChanged: (peer, change) => {
        host.pathChanged(peer, change);
      },
      availabilityChanged: (peer, ref, state, key) => host.availabilityChanged(peer, ref, state, key),
      wanted: (peer, ref) => host.wanted(peer, ref),
      linkQueued: (bytes, opensTurn) => {
        this.uploadMeter.enqueued(bytes);
        const now = this.clock.now();
        // The bytes just queued are buffered: a sample here can only start a backlog or end a rate interval.
        if (this.uploadMeter.wantsBackloggedSample(now)) this.uploadMeter.sample(now, this.totalBufferedBytes());
        // After the sample: the interval running from now on holds the burst.
        if (opensTurn) this.uploadMeter.channelOpened();
      },
      linkDiscarded: (bytes) => {
        this.uploadMeter.discarded(bytes);
      },
      admitUpload: (peer, requestBytes, withinMs) => this.admitUpload(peer, requestBytes, withinMs),
      expectedSegmentBytes: (rendition) => this.segmentBytes.get(rendition),
      sendHighWaterBytes: () => this.sendHighWaterBytes(),
      uplinkClear: () => this.uplinkClear(),
      uplinkMark: () => this.uplinkSentBytes(),
      uplinkSaturatedSince: (mark, sinceMs) => this.uplinkSaturatedSince(mark, sinceMs),
      paceUpload: (bytes) => {
        const waitMs = this.pacer.take(this.clock.now(), bytes);
        if (waitMs > 0) this.delayPace?.paceHeld();
        return waitMs;
      },
      uplinkDelay: (sample) => this.uplinkDelay(sample),
      nextUploadSeq: () => ++this.uploadSeq,
      mayFeedUpload: (rank) => this.mayFeedUpload(rank),
      uploadSlotFreed: (from) => this.uploadSlotFreed(from),
    };
  }

  /**
   * A requester's RECEIPT gave our DATA's queueing delay (see DeliveryDelay): the delay-based pace
   * may move, and the pacer with it (never above uploadCapBytesPerSec).
   */
  private uplinkDelay(sample: DeliverySample): void {
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

  /** Measured upload capacity, bytes per ms (undefined until our channels were backlogged long enough). */
  get uploadBytesPerMs(): number | undefined {
    return this.uploadRate();
  }

  /** DATA bytes that left our DataChannels so far (handed to them, less what they still hold or discarded). */
  get sentBytes(): number {
    return this.uplinkSentBytes();
  }

  /** The uplink as the meter measured it, bytes per ms, without the upload cap (undefined until measured). */
  get measuredUplinkBytesPerMs(): number | undefined {
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
  private uploadRate(): number | undefined {
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
  private sendHighWaterBytes(): number {
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
  private uplinkClear(): boolean {
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
  private uplinkSaturatedSince(mark: number, sinceMs: number): boolean {
    const rate = this.uploadMeter.bytesPerMs;
    const elapsedMs = this.clock.now() - sinceMs;
    if (rate === undefined || elapsedMs <= 0 || this.uplinkClear()) return false;
    return this.uplinkSentBytes() - mark >= SATURATED_SHARE * rate * elapsedMs;
  }

  /** DATA bytes that left our channels so far: handed to them, less what they still hold. */
  private uplinkSentBytes(): number {
    return this.uploadMeter.enqueuedTotalBytes - this.totalBufferedBytes();
  }

  private totalBufferedBytes(): number {
    let total = 0;
    for (const p of this.peers.values()) total += p.bufferedBytes;
    return total;
  }

  /** See PeerHost.mayFeedUpload. */
  private mayFeedUpload(rank: UploadRank): boolean {
    const slots = this.config.uploadSlots;
    if (slots === 0) return true;
    let before = 0;
    for (const p of this.peers.values()) {
      before += p.readyUploadsBefore(rank);
      if (before >= slots) return false;
    }
    return true;
  }

  /** See PeerHost.uploadSlotFreed. */
  private uploadSlotFreed(from: Peer): void {
    if (this.config.uploadSlots === 0) return;
    for (const p of this.peers.values()) if (p !== from) p.pumpUploads();
  }

  /**
   * See PeerHost.admitUpload: undefined admits, else why not (admitInTurn, admitShared). A request
   * is due when its requester stops waiting (withinMs: the trips of the request and of the last
   * chunk come out of the requester's HTTP margin; keeping 50-500 ms for them here changed nothing
   * in the simulator). Requesters say how long they wait, so a 4x uplink asked with 3 s to go
   * queues five copies where a fixed commitment would take two.
   */
  private admitUpload(peer: Peer, requestBytes: number, withinMs: number): UploadRefusal | undefined {
    const limitMs = this.config.uploadAdmissionDelayMs;
    if (limitMs === 0) return undefined;
    let bufferedBytes = 0;
    let backlogged = 0;
    const queue: QueuedUpload[] = [];
    for (const p of this.peers.values()) {
      const buffered = p.bufferedBytes;
      bufferedBytes += buffered;
      if (buffered > 0) backlogged++;
      p.uploadQueue(queue);
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
    return admitInTurn(uplink, { rank: peer.rankOf(withinMs, this.uploadSeq + 1), bytes: requestBytes, dueMs });
  }

  /**
   * After a tracker outage both ends re-join under new tracker ids, find each other again and open a
   * second connection. HELLO carries the engine's stable instance id: the connection that just
   * became ready is the newer one on both ends, so both close that one and keep the old.
   */
  private closeIfDuplicate(peer: Peer): boolean {
    for (const other of this.peers.values()) {
      if (other !== peer && other.ready && !other.closed && other.helloId === peer.helloId) {
        peer.close('duplicate: already connected to this peer under another tracker id');
        return true;
      }
    }
    return false;
  }

  /** Every peer connection, ready or still being made. */
  allPeers(): IterableIterator<Peer> {
    return this.peers.values();
  }

  /** True while some connection is being made (not past HELLO yet, not closed). */
  connecting(): boolean {
    for (const p of this.peers.values()) if (!p.ready && !p.closed) return true;
    return false;
  }

  /** Peers past HELLO whose path works (see Peer.usable): the ones requests may go to. */
  readyPeers(): Peer[] {
    return [...this.peers.values()].filter((p) => p.usable);
  }

  /** How many ready peers announced holding the whole segment of `key` (a segmentKey): readyPeers() filtered, without the arrays. */
  holdersOf(key: string): number {
    let n = 0;
    for (const p of this.peers.values()) if (p.usable && p.stateOfKey(key) === 'have') n++;
    return n;
  }

  get size(): number {
    return this.peers.size;
  }

  /** Opens connections (as the offerer) to listed peers while below maxPeers. */
  connectTo(ids: readonly string[]): void {
    const self = this.host.selfId();
    const now = this.clock.now();
    for (const id of ids) {
      if (this.destroyed || this.peers.size >= this.config.maxPeers) return;
      if (id === self || this.peers.has(id) || this.banned.has(id)) continue;
      if ((this.unreachable.get(id)?.retryAtMs ?? 0) > now) continue;
      if ((this.declinedUntilMs.get(id) ?? 0) > now) continue;
      this.peers.set(id, new Peer(id, true, this.connector, this.peerHost));
    }
  }

  /** Routes a signaling payload from the tracker; an offer from a new peer opens an answering connection. */
  signal(from: string, data: SignalData): void {
    if (this.destroyed || this.banned.has(from)) return;
    const existing = this.peers.get(from);
    if (data.kind === 'decline') {
      // Our offer met a full peer: free the slot now and look for others, rather than at connectTimeoutMs.
      if (existing?.initiator === true && !existing.ready) {
        this.declinedUntilMs.delete(from);
        if (this.declinedUntilMs.size >= MAX_UNREACHABLE) {
          const oldest = this.declinedUntilMs.keys().next();
          if (oldest.done !== true) this.declinedUntilMs.delete(oldest.value);
        }
        this.declinedUntilMs.set(from, this.clock.now() + this.config.peerRefillIntervalMs);
        existing.close('declined: peer full');
        this.lastRefillMs = Number.NEGATIVE_INFINITY;
        this.maybeRefill();
      }
      return;
    }
    const isOffer = data.kind === 'description' && data.sdpType === 'offer';
    if (existing && isOffer && existing.initiator && !existing.ready) {
      // Both sides offered at once: the smaller id keeps its offer, the other answers.
      const self = this.host.selfId() ?? '';
      if (self < from) return;
      this.peers.delete(from);
      existing.close('glare: answering instead');
    } else if (existing && isOffer && existing.renegotiates(data)) {
      // An ICE restart of the open connection (its path broke): the link answers it.
      existing.signal(data);
      return;
    } else if (existing && isOffer) {
      // An offer from a peer we are connected to: it lost track of us (say we rejoined the tracker
      // under a new id and it found us again) and wants a new connection. Feeding the offer to the
      // open one would break it; the new one replaces it.
      this.peers.delete(from);
      existing.close('replaced by a new connection it offered');
    } else if (existing) {
      existing.signal(data);
      return;
    }
    if (!isOffer) return;
    if (this.peers.size >= this.config.maxPeers) {
      this.host.sendSignal(from, { kind: 'decline' });
      return;
    }
    const peer = new Peer(from, false, this.connector, this.peerHost);
    this.peers.set(from, peer);
    peer.signal(data);
  }

  /**
   * Announces a segment of ours (`have`, `receiving`; key is its segmentKey), encoded once, on every
   * open channel whether the remote's HELLO arrived or not (our HELLO and HAVE-MAP went out when it
   * opened; channels not open yet get the HAVE-MAP later), except to peers that announced holding
   * it: they will not ask us for it, and in a swarm where a segment reaches everyone, about half of
   * all announcements went to such peers. (A peer that drops the segment later does not learn we hold
   * it: it played it.)
   */
  announce(msg: Extract<PeerMessage, { type: 'have' | 'receiving' }>, key: string): void {
    if (this.peers.size === 0) return;
    const bytes = encodePeerMessage(msg);
    for (const peer of this.peers.values()) if (peer.stateOfKey(key) !== 'have') peer.announceEncoded(bytes, msg.type, key);
  }

  /**
   * Tells every peer with an open channel the upload we measure now (see UplinkAnnouncer): each had
   * our HELLO, with the figure of its time, whether or not its own HELLO came yet.
   */
  announceUplink(uploadKbps: number): void {
    if (this.peers.size === 0) return;
    const bytes = encodePeerMessage({ type: 'uplink', uploadKbps });
    for (const peer of this.peers.values()) peer.sendEncodedControl(bytes, 'uplink');
  }

  /**
   * We no longer hold (or receive) a segment: `lost` to the peers that were told we did, and only to
   * them (one missed would take our later ABSENT for a lie).
   */
  withdraw(ref: SegmentRef): void {
    if (this.peers.size === 0) return;
    const key = segmentKey(ref);
    const bytes = encodePeerMessage({ type: 'lost', rendition: ref.rendition, sn: ref.sn });
    for (const peer of this.peers.values()) peer.withdrawEncoded(bytes, key);
  }

  /** More of a segment we are receiving arrived: peers with requests parked on it get it relayed. */
  progress(ref: SegmentRef): void {
    const key = segmentKey(ref);
    for (const peer of this.peers.values()) peer.localSegmentProgress(key);
  }

  /** A local segment completed or failed: peers with requests parked on it get answered. */
  settle(ref: SegmentRef, bytes: Uint8Array | undefined): void {
    if (bytes) {
      this.segmentBytes.delete(ref.rendition);
      this.segmentBytes.set(ref.rendition, bytes.length);
      // Renditions of the streams played here: a handful; the oldest goes first.
      if (this.segmentBytes.size > MAX_RENDITION_SIZES) this.segmentBytes.delete(this.segmentBytes.keys().next().value ?? '');
    }
    for (const peer of this.peers.values()) peer.localSegmentSettled(ref, bytes);
  }

  /** Asks the tracker for more peers when below minPeers, at most once per refill interval. */
  maybeRefill(): void {
    if (this.destroyed || this.readyPeers().length >= this.config.minPeers) return;
    const now = this.clock.now();
    if (now - this.lastRefillMs < this.config.peerRefillIntervalMs) return;
    this.lastRefillMs = now;
    this.host.requestMorePeers();
  }

  destroy(): void {
    this.destroyed = true;
    for (const peer of [...this.peers.values()]) peer.close('engine destroyed');
    this.peers.clear();
  }

  private onPeerClosed(peer: Peer, reason: string): void {
    if (this.peers.get(peer.id) === peer) this.peers.delete(peer.id);
    if (reason.startsWith('protocol violation') || reason.startsWith('integrity violation')) this.banned.add(peer.id);
    if (peer.initiator && !peer.ready && !this.destroyed && (reason === 'connect timeout' || reason.startsWith('link closed'))) this.connectFailed(peer.id);
    this.host.peerClosed(peer, reason);
    // Its uploads are gone: whatever slots they held are free.
    if (!this.destroyed) this.uploadSlotFreed(peer);
  }

  /**
   * Our offer to `id` never opened: ICE found no path, or the peer vanished. Offer it nothing for a
   * while (the tracker keeps listing it), and look for other peers now rather than at the next refill.
   */
  private connectFailed(id: string): void {
    const retryMs = this.config.failedConnectRetryMs;
    if (retryMs > 0) {
      const failures = (this.unreachable.get(id)?.failures ?? 0) + 1;
      this.unreachable.delete(id);
      if (this.unreachable.size >= MAX_UNREACHABLE) {
        const oldest = this.unreachable.keys().next();
        if (oldest.done !== true) this.unreachable.delete(oldest.value);
      }
      this.unreachable.set(id, { failures, retryAtMs: this.clock.now() + retryMs * Math.min(MAX_RETRY_FACTOR, 2 ** (failures - 1)) });
    }
    this.lastRefillMs = Number.NEGATIVE_INFINITY;
  }
}
