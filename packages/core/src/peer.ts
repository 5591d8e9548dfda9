import {
  PEER_PROTOCOL_VERSION,
  ProtocolError,
  decodePeerMessage,
  encodePeerMessage,
  type AvailabilityState,
  type DataMessage,
  type PeerMessage,
  type PeerMessageType,
  type RequestMessage,
  type SegmentRef,
  type ConnectionSignal,
} from '@swarmcast/protocol';
import { setBounded } from './bounded-map.js';
import { DeliveryDelay, clockMs32 } from './delivery-delay.js';
import { SilenceCredit, silenceIsALie, type Download, type DownloadSink } from './peer-download.js';
import { PeerPath } from './peer-path.js';
import type { PeerConnector, PendingPeerLink } from './ports.js';
import { DeliveryRecord } from './delivery-record.js';
import { RateWindow } from './rate-window.js';
import { RenditionActivity } from './rendition-activity.js';
import { segmentKey } from './segment-id.js';
import { isUrgentRequest, Uploader, type QueuedUpload, type UploadRank } from './uploader.js';

/** Most availability entries remembered per peer (oldest dropped first). */
const MAX_AVAILABILITY_ENTRIES = 4096;
/** Non-data messages a peer may send per second before it is cut off. */
const MAX_CONTROL_MESSAGES_PER_SEC = 1000;
/**
 * For this long after a path comes back (by itself or by ICE restart), a request does not count as
 * having left at once: the transport may still be resending what the cut held, with its
 * retransmission timer backed off by the cut, and our request waits behind that (seen in the
 * ice-restart e2e: a request 1.9 s after a restart got no data in 1.5 s while the peer's HAVEs came).
 */
const PATH_SETTLE_MS = 5_000;

/**
 * A request to a holder that did not leave at once (our uplink held a backlog) is looked at again
 * every LEAVE_CHECK_MS for this long: one whose way cleared meanwhile surely left, a fraction of the
 * stall timeout late, and its silence is judged as if it had left at once. A browser's uplink on a
 * fast path is never measured (no backlog lasts), so two channels each holding a chunk for a moment
 * read as "not clear", and a silent liar asked then went unjudged until its next lie.
 */
const LATE_LEAVE_WINDOW_MS = 250;
const LEAVE_CHECK_MS = 25;
/** Requests a peer may send per second: a player needs a few; more is a flood. */
const MAX_REQUESTS_PER_SEC = 50;
/**
 * DATA bytes for requests we cancelled, per 10 s. Some arrive after every cancel (what the sender
 * had buffered, up to its high-water mark); a stream of them is an attack on our bandwidth.
 */
const MAX_STRAY_DATA_BYTES_PER_10S = 8 * 1024 * 1024;
/**
 * A transfer's RECEIPTs go at most this often (and for its first chunk): the uploader's pace reads
 * the least delay of windows of 200 ms and more (see UplinkPace). They cost 0.1-0.2 % of the data
 * bytes in bench:live constrained; at 250 ms the one run measured paced far worse (38 % from peers).
 */
const RECEIPT_INTERVAL_MS = 150;
/** A REQUEST's withinMs is capped here (an hour: a VOD prefetch with no deadline to speak of). */
const MAX_WITHIN_MS = 3_600_000;

import type { PeerHost } from './peer-host.js';
import type { ReceivingSegment } from './partial-segment.js';

/**
 * Our copy of a segment must have come for this long before its pace judges whether we can relay
 * it in time (its first chunks come in a burst, or after a pause while the sender starts).
 */
const RELAY_PACE_AFTER_MS = 250;

export type { PeerConfig, PeerHost } from './peer-host.js';
export type { DownloadSink } from './peer-download.js';

/** Announced upload capacities above this count the same (a bound on what a claim can buy). */
const MAX_COUNTED_UPLOAD_KBPS = 100_000;

/** An announced upload as upload ranks and HTTP fetcher weights count it (the same on every peer). */
export function countedUploadKbps(uploadKbps: number): number {
  return Math.min(uploadKbps, MAX_COUNTED_UPLOAD_KBPS);
}

/** One remote peer: its connection, what it has, and the requests both ways. */
export class Peer {
  uploadKbps = 0;
  /** The id the peer announced in HELLO (stable across its tracker reconnects). */
  helloId = '';
  ready = false;
  closed = false;
  readonly connectedAtMs: number;
  private readonly link: PendingPeerLink;
  private readonly uploader: Uploader;
  private readonly path: PeerPath;
  /** sizeBytes: what a HAVE message said (unknown for HAVE-MAP entries and 'receiving'). */
  private readonly availability = new Map<string, { ref: SegmentRef; state: AvailabilityState; sizeBytes: number | undefined }>();
  private readonly downloads = new Map<number, Download>();
  /**
   * The segments this peer was told we have or are receiving (HAVE-MAP, `have`, `receiving`) and
   * not yet told we lost: only those need a `lost`. Bounded by what we hold, since every segment
   * we stop holding is withdrawn (PeerPool.withdraw).
   */
  private readonly told = new Set<string>();
  private readonly controlRate = new RateWindow(MAX_CONTROL_MESSAGES_PER_SEC, 1000);
  private readonly requestRate = new RateWindow(MAX_REQUESTS_PER_SEC, 1000);
  private readonly strayDataRate = new RateWindow(MAX_STRAY_DATA_BYTES_PER_10S, 10_000);
  /** When our DATA to it left, for the one-way delay its RECEIPTs show. */
  private readonly delivery = new DeliveryDelay();
  /** Times this peer was the designated HTTP fetcher of a segment and never announced it. */
  missedFetches = 0;
  /** What the whole segments it served us pay for its silences. */
  private readonly silenceCredit = new SilenceCredit();
  /** The renditions it announced segments of lately: the ones it plays. */
  readonly renditions = new RenditionActivity();
  /** How its deliveries to us went (late ones, the last in time). */
  private readonly deliveries: DeliveryRecord;
  private nextRequestId = 1;
  /** When the last DATA message (of any request) arrived, clock ms. */
  private lastDataAtMs = Number.NEGATIVE_INFINITY;
  /** When the last message of any kind arrived, clock ms. */
  private lastMessageAtMs = Number.NEGATIVE_INFINITY;
  /** When the path last came back (see PATH_SETTLE_MS). */
  private resumedAtMs = Number.NEGATIVE_INFINITY;
  private open = false;
  /** The request our last DATA message answered (a new one on an empty channel starts a turn). */
  private lastDataRequestId = -1;
  private gotHaveMap = false;
  private connectTimer: unknown;

  constructor(
    readonly id: string,
    readonly initiator: boolean,
    connector: PeerConnector,
    private readonly host: PeerHost,
  ) {
    this.connectedAtMs = host.clock.now();
    this.deliveries = new DeliveryRecord(host.clock);
    this.path = new PeerPath(host.clock, host.config.silentPeerVerdictMs, (reason) => this.violation(reason));
    // A waiting upload says so (QUEUED) at least this often: well within the requester's stall
    // timeout, with room for the wait behind this channel's own backlog.
    this.uploader = new Uploader({ ...host.config, uploadStarveMs: host.config.p2pStallTimeoutMs / 3 }, host.clock, {
      send: (msg) => this.send(msg),
      bufferedAmountBytes: () => this.link.bufferedAmountBytes,
      highWaterBytes: () => host.sendHighWaterBytes(),
      setLowWaterBytes: (bytes) => this.link.setLowWaterBytes?.(bytes),
      uploaded: (bytes) => host.countBytes('uploaded', bytes),
      paceMs: (bytes) => host.paceUpload(bytes),
      nextRank: (withinMs) => this.rankOf(withinMs, host.nextUploadSeq()),
      mayFeed: (rank) => host.mayFeedUpload(rank),
      slotFreed: () => host.uploadSlotFreed(this),
    });
    this.connectTimer = host.clock.setTimeout(() => {
      if (!this.ready) this.close('connect timeout');
    }, host.config.connectTimeoutMs);
    this.link = connector.connect(id, initiator, {
      open: () => this.onOpen(),
      message: (bytes) => this.onMessage(bytes),
      drain: () => this.uploader.pump(),
      close: (reason) => this.close(`link closed: ${reason}`),
      signal: (data) => host.sendSignal(id, data),
      interrupted: () => this.onInterrupted(),
      resumed: (restarted) => this.onResumed(restarted),
    }, host.connectOptions());
  }

  /** See DeliveryRecord.lateDeliveries. */
  get lateDeliveries(): number {
    return this.deliveries.lateDeliveries;
  }

  /** A request to it stalled or ran out of time. */
  deliveredLate(): void {
    this.deliveries.deliveredLate();
  }

  /** A request to it completed in time. */
  deliveredInTime(): void {
    this.deliveries.deliveredInTime();
  }

  /** When a request of ours to it last completed in time (-Infinity: never). */
  get lastInTimeAtMs(): number {
    return this.deliveries.lastInTimeAtMs;
  }

  /** A request of ours to it ended late (or stalled) after the last one it completed in time. */
  get lateSinceInTime(): boolean {
    return this.deliveries.lateSinceInTime;
  }

  /** Past HELLO, open, and its path working: requests may go to it. */
  get usable(): boolean {
    return this.ready && !this.closed && this.path.usable;
  }

  /** The connector reported the path broken and it is not back yet. */
  get interrupted(): boolean {
    return this.path.interrupted;
  }

  /** Whether an offer from this peer renegotiates the open connection (an ICE restart) rather than replacing it. */
  renegotiates(offer: ConnectionSignal & { kind: 'description' }): boolean {
    return !this.closed && this.link.renegotiates?.(offer) === true;
  }

  /** Applies a signaling payload from the remote peer. */
  signal(data: ConnectionSignal): void {
    if (!this.closed) this.link.signal(data);
  }

  /** The peer's HAVE-MAP arrived: from now on stateOf() tells what it holds. */
  get sentHaveMap(): boolean {
    return this.gotHaveMap;
  }

  /** What this peer holds or is receiving of a segment. */
  stateOf(ref: SegmentRef): AvailabilityState | undefined {
    return this.availability.get(segmentKey(ref))?.state;
  }

  /** stateOf by segmentKey, for callers that ask many peers about one segment. */
  stateOfKey(key: string): AvailabilityState | undefined {
    return this.availability.get(key)?.state;
  }

  get activeDownloads(): number {
    return this.downloads.size;
  }

  /** Bytes waiting in our DataChannel to this peer (0 once closed). */
  get bufferedBytes(): number {
    return this.open && !this.closed ? this.link.bufferedAmountBytes : 0;
  }

  private leaveCheckTimer: unknown;

  private lastBusyMs = Number.NEGATIVE_INFINITY;

  /** When the peer last answered one of our requests BUSY. */
  get lastBusyAtMs(): number {
    return this.lastBusyMs;
  }

  /** The upload it announced in HELLO, bounded: what upload ranks and HTTP fetcher weights count. */
  get countedUploadKbps(): number {
    return countedUploadKbps(this.uploadKbps);
  }

  /** The place in the engine-wide order (see UploadRank) of an upload to this peer, arrived `seq`-th. */
  rankOf(withinMs: number, seq: number): UploadRank {
    return { urgent: isUrgentRequest(withinMs, this.host.config.uploadCommitMs), priority: this.countedUploadKbps, seq };
  }

  /** Adds our uploads to this peer to `out` (see Uploader.queue). */
  uploadQueue(out: QueuedUpload[]): void {
    if (!this.closed) this.uploader.queue(out);
  }

  /** Our uploads to this peer ranked before `rank` (see EngineConfig.uploadSlots) that could send now. */
  readyUploadsBefore(rank: UploadRank): number {
    return this.closed ? 0 : this.uploader.readyBefore(rank);
  }

  /** Lets our uploads to this peer send what they may (an upload slot came free). */
  pumpUploads(): void {
    if (!this.closed) this.uploader.pump();
  }

  /** Sends a control or availability message if the channel is open. */
  send(msg: PeerMessage): void {
    if (!this.open || this.closed) return;
    const bytes = encodePeerMessage(msg);
    this.host.countBytes('controlSent', msg.type === 'data' ? bytes.length - msg.payload.length : bytes.length, msg.type);
    if (msg.type === 'data') {
      // An upload starting on an empty channel: its SCTP association may have idled, its window open.
      const opensTurn = msg.requestId !== this.lastDataRequestId && this.link.bufferedAmountBytes === 0;
      this.lastDataRequestId = msg.requestId;
      this.host.linkQueued(bytes.length, opensTurn);
      this.delivery.sent(msg.requestId, msg.offsetBytes + msg.payload.length, this.host.clock.now());
    }
    this.link.send(bytes);
  }

  /** Sends an already encoded control message (a broadcast, encoded once for every peer). */
  sendEncodedControl(bytes: Uint8Array, type: PeerMessageType): void {
    if (!this.open || this.closed) return;
    this.host.countBytes('controlSent', bytes.length, type);
    this.link.send(bytes);
  }

  /** Sends an encoded `have` or `receiving` for the segment `key`, which this peer then knows we hold. */
  announceEncoded(bytes: Uint8Array, type: 'have' | 'receiving', key: string): void {
    if (!this.open || this.closed) return;
    this.told.add(key);
    this.sendEncodedControl(bytes, type);
  }

  /** Sends an encoded `lost` for the segment `key` if this peer was told we hold it. */
  withdrawEncoded(bytes: Uint8Array, key: string): void {
    if (!this.told.delete(key)) return;
    this.sendEncodedControl(bytes, 'lost');
  }

  /**
   * Asks the peer for a segment from `offsetBytes`, all of which we wait `withinMs` for at most;
   * returns the request id for cancel().
   */
  request(ref: SegmentRef, offsetBytes: number, withinMs: number, sink: DownloadSink): number {
    const requestId = this.nextRequestId++;
    const held = this.stateOf(ref) === 'have';
    const now = this.host.clock.now();
    const leftAtOnce = held && this.wayClear(now);
    const receivedMark = held ? this.receivedBytes() : undefined;
    this.downloads.set(requestId, { sink, key: segmentKey(ref), requestedOffset: offsetBytes, held, leftAtOnce, requestedAtMs: now, firstChunkAtMs: undefined, lastChunkAtMs: now, nextOffset: offsetBytes, totalBytes: 0, receivedMark, uplinkMark: this.host.uplinkMark(), receiptAtMs: Number.NEGATIVE_INFINITY });
    if (held && !leftAtOnce) this.checkLeavingSoon();
    this.send({ type: 'request', requestId, rendition: ref.rendition, sn: ref.sn, offsetBytes, withinMs: Math.min(MAX_WITHIN_MS, Math.max(0, Math.round(withinMs))) });
    return requestId;
  }

  cancel(requestId: number): void {
    if (this.downloads.delete(requestId)) this.send({ type: 'cancel', requestId });
  }

  /** A request sent now leaves at once: nothing ahead of it in our channel or uplink, and the path settled. */
  private wayClear(nowMs: number): boolean {
    return this.link.bufferedAmountBytes === 0 && this.host.uplinkClear() && nowMs - this.resumedAtMs >= PATH_SETTLE_MS;
  }

  /** See LATE_LEAVE_WINDOW_MS: one timer per peer while some request to a holder has not surely left. */
  private checkLeavingSoon(): void {
    if (this.leaveCheckTimer !== undefined) return;
    this.leaveCheckTimer = this.host.clock.setTimeout(() => {
      this.leaveCheckTimer = undefined;
      if (this.closed) return;
      const now = this.host.clock.now();
      const clear = this.wayClear(now);
      let pending = false;
      for (const d of this.downloads.values()) {
        if (!d.held || d.leftAtOnce || now - d.requestedAtMs > LATE_LEAVE_WINDOW_MS) continue;
        if (clear) d.leftAtOnce = true;
        else pending = true;
      }
      if (pending) this.checkLeavingSoon();
    }, LEAVE_CHECK_MS);
  }

  /**
   * The requester gave up on a request that got no byte since `sinceMs`. An honest peer serves a
   * segment it announced as held from memory at once (or answers BUSY), and one slowed by
   * back-pressure still sends DATA (for this or another request): total silence after HAVE, for a
   * request that surely arrived (it left at once, or some of its bytes came), is a lie or a dead
   * link, and the peer is cut off. Otherwise (a peer still receiving the segment, or a request our
   * own backlog may have held up, or our own uplink saturated since the request left, which holds
   * up the request and our acknowledgements of the peer's data alike) the request is just cancelled.
   */
  stalled(requestId: number, sinceMs: number): void {
    const download = this.downloads.get(requestId);
    // Before its first byte a request may wait behind our other uploads from this peer (data still
    // flowing excuses it); once started, uploads take turns, so its own silence is what counts.
    const started = download !== undefined && download.nextOffset > download.requestedOffset;
    if (download?.held === true && (started || this.lastDataAtMs <= sinceMs) && silenceIsALie(download, this.host.clock.now(), this.host.config.chunkBytes)) {
      if (this.excuseSilence(download)) {
        this.cancel(requestId);
        return;
      }
      const silentMs = Math.round(this.host.clock.now() - sinceMs);
      const reason = `no data for ${download.key} in ${silentMs} ms after announcing it as held`;
      // Not a word since: a dead path looks the same (see EngineConfig.silentPeerVerdictMs), unless
      // the transport shows packets came after the request left.
      if (this.lastMessageAtMs <= download.lastChunkAtMs) {
        this.cancel(requestId);
        this.path.silent(requestId, reason);
        this.checkPathAlive(requestId, download.receivedMark);
      } else {
        this.violation(reason);
      }
      return;
    }
    this.cancel(requestId);
  }

  /**
   * A silence that reads as a lie may be our own doing, or a path's: our uplink saturated since the
   * request left (the request, or our acknowledgements of the peer's data, waited or were dropped in
   * queues below the channels), or a peer that served us well hit a congested moment (its credit
   * pays for it). A liar has no credit: it is judged at its first lie.
   */
  private excuseSilence(download: Download): boolean {
    if (this.host.uplinkSaturatedSince(download.uplinkMark, download.requestedAtMs)) {
      this.host.countExcusedSilence('uplink');
      return true;
    }
    if (!this.silenceCredit.spend()) return false;
    this.host.countExcusedSilence('credit');
    return true;
  }

  /** More bytes of a segment we are receiving arrived: relay them to requests parked on it. */
  localSegmentProgress(key: string): void {
    this.uploader.progress(key);
  }

  /** A local segment just completed (or failed): answer the requests parked on it. */
  localSegmentSettled(ref: SegmentRef, bytes: Uint8Array | undefined): void {
    this.uploader.settle(ref, bytes);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ready = false;
    this.host.clock.clearTimeout(this.connectTimer);
    this.host.clock.clearTimeout(this.leaveCheckTimer);
    this.path.destroy();
    this.uploader.destroy();
    if (this.open) this.host.linkDiscarded(this.link.bufferedAmountBytes);
    this.link.close();
    const downloads = [...this.downloads.values()];
    this.downloads.clear();
    for (const d of downloads) d.sink.failed('closed');
    this.host.peerClosed(this, reason);
  }

  /** The transport's received bytes, or undefined (unknown, or the query failed). */
  private receivedBytes(): Promise<number | undefined> | undefined {
    return this.link.receivedBytes?.().catch(() => undefined);
  }

  /** Tells the path verdict whether the transport received anything since `mark`. */
  private checkPathAlive(requestId: number, mark: Promise<number | undefined> | undefined): void {
    const now = this.receivedBytes();
    if (mark === undefined || now === undefined) return;
    void Promise.all([mark, now]).then(([before, after]) => {
      if (before !== undefined && after !== undefined && after > before && !this.closed) this.path.alive(requestId);
    });
  }

  /** The path broke: what is in flight is given up (the requesters go elsewhere), nothing new is asked. */
  private onInterrupted(): void {
    if (this.closed || !this.path.interrupt()) return;
    const downloads = [...this.downloads.entries()];
    this.downloads.clear();
    for (const [requestId, d] of downloads) {
      // Queued until the path is back; then the peer stops sending what nobody waits for.
      this.send({ type: 'cancel', requestId });
      d.sink.failed('closed');
    }
    this.host.pathChanged(this, 'interrupted');
  }

  private onResumed(restarted: boolean): void {
    if (this.closed || !this.path.resume()) return;
    this.resumedAtMs = this.host.clock.now();
    this.host.pathChanged(this, restarted ? 'restarted' : 'resumed');
  }

  private onOpen(): void {
    this.open = true;
    this.send(this.host.helloMessage());
    const haveMap = this.host.haveMapMessage();
    if (haveMap.type === 'haveMap') for (const entry of haveMap.entries) this.told.add(segmentKey(entry));
    this.send(haveMap);
  }

  private violation(message: string): void {
    this.close(`protocol violation: ${message}`);
  }

  private onMessage(bytes: Uint8Array): void {
    if (this.closed) return;
    let msg: PeerMessage;
    try {
      msg = decodePeerMessage(bytes);
    } catch (error) {
      this.violation(error instanceof ProtocolError ? error.message : String(error));
      return;
    }
    this.lastMessageAtMs = this.host.clock.now();
    if (!this.path.heard(msg.type === 'data' ? msg.requestId : undefined)) return;
    if (msg.type === 'data') {
      this.host.countBytes('controlReceived', bytes.length - msg.payload.length);
      this.onData(msg);
      return;
    }
    this.host.countBytes('controlReceived', bytes.length);
    if (!this.controlRate.hit(this.host.clock.now())) {
      this.violation('control message rate limit');
      return;
    }
    if (!this.ready && msg.type !== 'hello') {
      this.violation(`${msg.type} before hello`);
      return;
    }
    this.dispatch(msg);
  }

  private dispatch(msg: Exclude<PeerMessage, DataMessage>): void {
    switch (msg.type) {
      case 'hello':
        if (this.ready) return this.violation('second hello');
        if (msg.version !== PEER_PROTOCOL_VERSION) return this.violation(`peer protocol version ${msg.version}`);
        this.uploadKbps = msg.uploadKbps;
        this.helloId = msg.peerId;
        this.ready = true;
        this.host.clock.clearTimeout(this.connectTimer);
        this.host.peerReady(this);
        return;
      case 'haveMap':
        if (this.gotHaveMap) return this.violation('second haveMap');
        this.gotHaveMap = true;
        for (const e of msg.entries) this.setAvailability(e, e.state);
        return;
      case 'have':
        this.missedFetches = 0;
        return this.setAvailability(msg, 'have', msg.sizeBytes);
      case 'receiving':
        this.missedFetches = 0;
        return this.setAvailability(msg, 'receiving');
      case 'lost':
        return this.setAvailability(msg, 'lost');
      case 'request':
        if (!this.requestRate.hit(this.host.clock.now())) return this.violation('request rate limit');
        return this.onRequest(msg);
      case 'cancel':
        this.uploader.cancel(msg.requestId);
        return;
      case 'absent':
      case 'busy':
        return this.endDownload(msg.requestId, msg.type);
      case 'queued': {
        const download = this.downloads.get(msg.requestId);
        // One for a request we cancelled may still be in flight; ids we never used are a violation.
        if (download) download.sink.queued();
        else if (this.neverMade(msg.requestId)) this.violation(`queued for request ${msg.requestId} never made`);
        return;
      }
      case 'want':
        this.host.wanted(this, { rendition: msg.rendition, sn: msg.sn });
        return;
      case 'uplink':
        this.uploadKbps = msg.uploadKbps;
        return;
      case 'receipt': {
        // One for a chunk we no longer remember (or never sent) tells nothing: ignored.
        const sample = this.delivery.receipt(msg.requestId, msg.offsetBytes, msg.atMs, this.host.clock.now());
        if (sample !== undefined) this.host.uplinkDelay(sample);
        return;
      }
    }
  }

  private setAvailability(ref: SegmentRef, state: AvailabilityState | 'lost', sizeBytes?: number): void {
    const key = segmentKey(ref);
    this.availability.delete(key);
    if (state !== 'lost') {
      this.renditions.note(ref.rendition, this.host.clock.now());
      setBounded(this.availability, key, { ref: { rendition: ref.rendition, sn: ref.sn }, state, sizeBytes }, MAX_AVAILABILITY_ENTRIES);
    }
    this.host.availabilityChanged(this, ref, state, key);
  }

  private onRequest(msg: RequestMessage): void {
    const found = this.host.lookupSegment(msg);
    if (found === undefined) {
      this.send({ type: 'absent', requestId: msg.requestId });
      return;
    }
    // A segment still arriving is admitted like one held, against its size (or, before its first
    // byte, its rendition's last segment's): its upload takes its turn when the bytes come.
    const sizeBytes = found instanceof Uint8Array ? found.length : (found.partial?.totalBytes ?? this.host.expectedSegmentBytes(msg.rendition));
    const refusal =
      sizeBytes === undefined || sizeBytes <= msg.offsetBytes
        ? undefined
        : this.arrivesTooLate(found, msg.withinMs)
          ? 'incoming'
          : this.host.admitUpload(this, sizeBytes - msg.offsetBytes, msg.withinMs);
    if (refusal !== undefined) {
      this.host.countRefusal(refusal);
      this.send({ type: 'busy', requestId: msg.requestId });
      return;
    }
    const result = this.uploader.add(msg, found, sizeBytes);
    if (result === 'duplicate') this.violation(`duplicate request id ${msg.requestId}`);
    else if (result === 'busy') {
      this.host.countRefusal('limit');
      this.send({ type: 'busy', requestId: msg.requestId });
    }
  }

  /**
   * True when `found` is our own copy still arriving, at a pace that makes it whole only after the
   * requester stops waiting: a relay sends no faster than it receives, so the requester is better
   * off asking another peer now than finding out from our pace.
   */
  private arrivesTooLate(found: Uint8Array | ReceivingSegment, withinMs: number): boolean {
    if (found instanceof Uint8Array || found.partial === undefined) return false;
    const now = this.host.clock.now();
    const doneAtMs = found.partial.doneAtMs(now, RELAY_PACE_AFTER_MS);
    return doneAtMs !== undefined && doneAtMs > now + withinMs;
  }

  private endDownload(requestId: number, reason: 'absent' | 'busy'): void {
    if (reason === 'busy') this.lastBusyMs = this.host.clock.now();
    const download = this.downloads.get(requestId);
    if (!download) {
      if (this.neverMade(requestId)) this.violation(`${reason} for request ${requestId} never made`);
      return;
    }
    // A peer announces every LOST after its HAVE-MAP and HAVEs, and on an ordered channel a LOST sent
    // before our request arrived comes before the ABSENT: ABSENT for a segment still announced as held
    // (at an offset below its size; HAVE-MAP gives none, offset 0 is below any) contradicts the peer.
    const announced = this.availability.get(download.key);
    if (reason === 'absent' && announced?.state === 'have' && download.requestedOffset < (announced.sizeBytes ?? 1)) {
      this.violation(`absent for ${download.key} it announced as held`);
      return;
    }
    this.downloads.delete(requestId);
    download.sink.failed(reason);
  }

  /** Our request ids run 1, 2, 3...: 0 and ids not handed out yet were never made. */
  private neverMade(requestId: number): boolean {
    return requestId === 0 || requestId >= this.nextRequestId;
  }

  private onData(msg: DataMessage): void {
    if (!this.ready) return this.violation('data before hello');
    this.lastDataAtMs = this.host.clock.now();
    const download = this.downloads.get(msg.requestId);
    if (!download) {
      // Chunks of a request we cancelled may still be in flight; ids we never used are a violation.
      if (this.neverMade(msg.requestId)) this.violation(`data for request ${msg.requestId} never made`);
      else if (!this.strayDataRate.hit(this.host.clock.now(), msg.payload.length)) this.violation('too much data for cancelled requests');
      return;
    }
    if (msg.offsetBytes !== download.nextOffset) return this.violation(`data at ${msg.offsetBytes}, expected ${download.nextOffset}`);
    // The transfer's first DATA gives the segment's size; later ones may leave it out, never change it.
    const totalBytes = msg.totalBytes ?? download.totalBytes;
    if (totalBytes === 0) return this.violation(`data for request ${msg.requestId} without the segment's size`);
    if (download.totalBytes !== 0 && totalBytes !== download.totalBytes) return this.violation('segment size changed mid-transfer');
    if (msg.offsetBytes + msg.payload.length > totalBytes) return this.violation('data past the segment size');
    download.totalBytes = totalBytes;
    download.nextOffset += msg.payload.length;
    download.lastChunkAtMs = this.host.clock.now();
    download.firstChunkAtMs ??= download.lastChunkAtMs;
    if (download.lastChunkAtMs - download.receiptAtMs >= RECEIPT_INTERVAL_MS) {
      download.receiptAtMs = download.lastChunkAtMs;
      this.send({ type: 'receipt', requestId: msg.requestId, offsetBytes: download.nextOffset, atMs: clockMs32(download.lastChunkAtMs) });
    }
    if (download.nextOffset === totalBytes) {
      this.downloads.delete(msg.requestId);
      if (download.held) this.silenceCredit.earn();
    }
    download.sink.data(msg.offsetBytes, msg.payload, totalBytes);
  }
}
