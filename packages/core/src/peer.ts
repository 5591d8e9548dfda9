import {
  PEER_PROTOCOL_VERSION,
  ProtocolError,
  decodePeerMessage,
  type AvailabilityState,
  type DataMessage,
  type PeerMessage,
  type PeerMessageType,
  type SegmentRef,
  type ConnectionSignal,
} from '@swarmcast/protocol';
import type { DownloadSink } from './peer-download.js';
import { PeerAvailability } from './peer-availability.js';
import { PeerChannel } from './peer-channel.js';
import { PeerDownloads } from './peer-downloads.js';
import type { PeerHost } from './peer-host.js';
import { PeerPath } from './peer-path.js';
import { PeerUploads } from './peer-uploads.js';
import type { PeerConnector } from './ports.js';
import { DeliveryRecord } from './delivery-record.js';
import { RateWindow } from './rate-window.js';
import { RenditionActivity } from './rendition-activity.js';
import { segmentKey } from './segment-id.js';

/** Non-data messages a peer may send per second before it is cut off. */
const MAX_CONTROL_MESSAGES_PER_SEC = 1000;

export type { PeerConfig, PeerHost } from './peer-host.js';
export type { DownloadSink } from './peer-download.js';

/** Announced upload capacities above this count the same (a bound on what a claim can buy). */
const MAX_COUNTED_UPLOAD_KBPS = 100_000;

/** An announced upload as upload ranks and HTTP fetcher weights count it (the same on every peer). */
export function countedUploadKbps(uploadKbps: number): number {
  return Math.min(uploadKbps, MAX_COUNTED_UPLOAD_KBPS);
}

/**
 * One remote peer: its connection, what it has, and the requests both ways. It reads the peer's
 * messages and hands each to what it concerns: PeerAvailability (its announcements), PeerDownloads
 * (our requests to it), PeerUploads (its requests to us), PeerChannel (what we send it) and
 * PeerPath (whether its connection works).
 */
export class Peer {
  uploadKbps = 0;
  /** The id the peer announced in HELLO (stable across its tracker reconnects). */
  helloId = '';
  ready = false;
  closed = false;
  readonly connectedAtMs: number;
  /** Our uploads to it (the pool's upload accounting asks them). */
  readonly uploads: PeerUploads;
  private readonly channel: PeerChannel;
  private readonly downloads: PeerDownloads;
  private readonly path: PeerPath;
  private readonly availability = new PeerAvailability();
  private readonly controlRate = new RateWindow(MAX_CONTROL_MESSAGES_PER_SEC, 1000);
  /** Times this peer was the designated HTTP fetcher of a segment and never announced it. */
  missedFetches = 0;
  /** The renditions it announced segments of lately: the ones it plays. */
  readonly renditions = new RenditionActivity();
  /** How its deliveries to us went (late ones, the last in time). */
  private readonly deliveries: DeliveryRecord;
  /** When the last message of any kind arrived, clock ms. */
  private lastMessageAtMs = Number.NEGATIVE_INFINITY;
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
    this.uploads = new PeerUploads(this, host, {
      send: (msg) => this.send(msg),
      violation: (reason) => this.violation(reason),
      closed: () => this.closed,
      bufferedAmountBytes: () => this.channel.bufferedAmountBytes,
      setLowWaterBytes: (bytes) => this.channel.setLowWaterBytes(bytes),
    });
    this.downloads = new PeerDownloads(host, this.path, this.availability, {
      send: (msg) => this.send(msg),
      violation: (reason) => this.violation(reason),
      closed: () => this.closed,
      bufferedAmountBytes: () => this.channel.bufferedAmountBytes,
      receivedBytes: () => this.channel.receivedBytes(),
      lastMessageAtMs: () => this.lastMessageAtMs,
    });
    this.connectTimer = host.clock.setTimeout(() => {
      if (!this.ready) this.close('connect timeout');
    }, host.config.connectTimeoutMs);
    this.channel = new PeerChannel(id, initiator, connector, {
      open: () => this.onOpen(),
      message: (bytes) => this.onMessage(bytes),
      drain: () => this.uploads.pump(),
      close: (reason) => this.close(`link closed: ${reason}`),
      signal: (data) => host.sendSignal(id, data),
      interrupted: () => this.onInterrupted(),
      resumed: (restarted) => this.onResumed(restarted),
    }, host, () => this.closed);
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
    return !this.closed && this.channel.renegotiates(offer);
  }

  /** Applies a signaling payload from the remote peer. */
  signal(data: ConnectionSignal): void {
    if (!this.closed) this.channel.signal(data);
  }

  /** The peer's HAVE-MAP arrived: from now on stateOf() tells what it holds. */
  get sentHaveMap(): boolean {
    return this.availability.sentHaveMap;
  }

  /** What this peer holds or is receiving of a segment. */
  stateOf(ref: SegmentRef): AvailabilityState | undefined {
    return this.availability.stateOfKey(segmentKey(ref));
  }

  /** stateOf by segmentKey, for callers that ask many peers about one segment. */
  stateOfKey(key: string): AvailabilityState | undefined {
    return this.availability.stateOfKey(key);
  }

  get activeDownloads(): number {
    return this.downloads.size;
  }

  /** Bytes waiting in our DataChannel to this peer (0 once closed). */
  get bufferedBytes(): number {
    return this.channel.bufferedBytes;
  }

  /** When the peer last answered one of our requests BUSY. */
  get lastBusyAtMs(): number {
    return this.downloads.lastBusyAtMs;
  }

  /** The upload it announced in HELLO, bounded: what upload ranks and HTTP fetcher weights count. */
  get countedUploadKbps(): number {
    return countedUploadKbps(this.uploadKbps);
  }

  /** Sends a control or availability message if the channel is open. */
  send(msg: PeerMessage): void {
    this.channel.send(msg);
  }

  /** Sends an already encoded control message (a broadcast, encoded once for every peer). */
  sendEncodedControl(bytes: Uint8Array, type: PeerMessageType): void {
    this.channel.sendEncoded(bytes, type);
  }

  /** Sends an encoded `have` or `receiving` for the segment `key`, which this peer then knows we hold. */
  announceEncoded(bytes: Uint8Array, type: 'have' | 'receiving', key: string): void {
    if (!this.channel.sendable) return;
    this.availability.tell(key);
    this.sendEncodedControl(bytes, type);
  }

  /** Sends an encoded `lost` for the segment `key` if this peer was told we hold it. */
  withdrawEncoded(bytes: Uint8Array, key: string): void {
    if (!this.availability.untell(key)) return;
    this.sendEncodedControl(bytes, 'lost');
  }

  /**
   * Asks the peer for a segment from `offsetBytes`, all of which we wait `withinMs` for at most;
   * returns the request id for cancel().
   */
  request(ref: SegmentRef, offsetBytes: number, withinMs: number, sink: DownloadSink): number {
    return this.downloads.request(ref, offsetBytes, withinMs, sink);
  }

  cancel(requestId: number): void {
    this.downloads.cancel(requestId);
  }

  /** The requester gave up on a request that got no byte since `sinceMs` (see PeerDownloads.stalled). */
  stalled(requestId: number, sinceMs: number): void {
    this.downloads.stalled(requestId, sinceMs);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ready = false;
    this.host.clock.clearTimeout(this.connectTimer);
    this.downloads.destroy();
    this.path.destroy();
    this.uploads.destroy();
    this.channel.close();
    this.downloads.failAll();
    this.host.peerClosed(this, reason);
  }

  /** The path broke: what is in flight is given up (the requesters go elsewhere), nothing new is asked. */
  private onInterrupted(): void {
    if (this.closed || !this.path.interrupt()) return;
    this.downloads.interrupted();
    this.host.pathChanged(this, 'interrupted');
  }

  private onResumed(restarted: boolean): void {
    if (this.closed || !this.path.resume()) return;
    this.downloads.pathResumed(this.host.clock.now());
    this.host.pathChanged(this, restarted ? 'restarted' : 'resumed');
  }

  private onOpen(): void {
    this.channel.opened();
    this.send(this.host.helloMessage());
    const haveMap = this.host.haveMapMessage();
    if (haveMap.type === 'haveMap') for (const entry of haveMap.entries) this.availability.tell(segmentKey(entry));
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
        if (!this.availability.haveMapArrived()) return this.violation('second haveMap');
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
        return this.uploads.request(msg);
      case 'cancel':
        this.uploads.cancel(msg.requestId);
        return;
      case 'absent':
      case 'busy':
        return this.downloads.ended(msg.requestId, msg.type);
      case 'queued':
        return this.downloads.queued(msg.requestId);
      case 'want':
        this.host.wanted(this, { rendition: msg.rendition, sn: msg.sn });
        return;
      case 'uplink':
        this.uploadKbps = msg.uploadKbps;
        return;
      case 'receipt':
        this.channel.receipt(msg);
        return;
    }
  }

  private setAvailability(ref: SegmentRef, state: AvailabilityState | 'lost', sizeBytes?: number): void {
    const key = segmentKey(ref);
    this.availability.set(key, ref, state, sizeBytes);
    if (state !== 'lost') this.renditions.note(ref.rendition, this.host.clock.now());
    this.host.availabilityChanged(this, ref, state, key);
  }

  private onData(msg: DataMessage): void {
    if (!this.ready) return this.violation('data before hello');
    this.downloads.data(msg);
  }
}
