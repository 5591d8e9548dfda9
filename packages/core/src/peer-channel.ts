/**
 * Our DataChannel to one peer, as messages leave on it: the link the connector made, each message
 * encoded and counted, and DATA's departures for the upload meter (PeerHost.linkQueued) and for the
 * one-way delay the peer's RECEIPTs show (DeliveryDelay).
 */
import { encodePeerMessage, type ConnectionSignal, type PeerMessage, type PeerMessageType, type ReceiptMessage } from '@swarmcast/protocol';
import { DeliveryDelay } from './delivery-delay.js';
import type { PeerHost } from './peer-host.js';
import type { PeerConnector, PeerLinkEvents, PendingPeerLink } from './ports.js';

export class PeerChannel {
  private readonly link: PendingPeerLink;
  private open = false;
  /** When our DATA to it left, for the one-way delay its RECEIPTs show. */
  private readonly delivery = new DeliveryDelay();
  /** The request our last DATA message answered (a new one on an empty channel starts a turn). */
  private lastDataRequestId = -1;

  constructor(
    id: string,
    initiator: boolean,
    connector: PeerConnector,
    events: PeerLinkEvents,
    private readonly host: PeerHost,
    /** The Peer closed: nothing more is sent. */
    private readonly closed: () => boolean,
  ) {
    this.link = connector.connect(id, initiator, events, host.connectOptions());
  }

  /** The channel opened: messages may go. */
  opened(): void {
    this.open = true;
  }

  /** Open and the Peer not closed. */
  get sendable(): boolean {
    return this.open && !this.closed();
  }

  /** Bytes waiting in the DataChannel (0 unless sendable). */
  get bufferedBytes(): number {
    return this.sendable ? this.link.bufferedAmountBytes : 0;
  }

  /** Bytes waiting in the DataChannel, as the link says, whatever its state. */
  get bufferedAmountBytes(): number {
    return this.link.bufferedAmountBytes;
  }

  /** See PeerLink.setLowWaterBytes. */
  setLowWaterBytes(bytes: number): void {
    this.link.setLowWaterBytes?.(bytes);
  }

  /** The transport's received bytes, or undefined (unknown, or the query failed). */
  receivedBytes(): Promise<number | undefined> | undefined {
    return this.link.receivedBytes?.().catch(() => undefined);
  }

  /** See PendingPeerLink.renegotiates. */
  renegotiates(offer: ConnectionSignal & { kind: 'description' }): boolean {
    return this.link.renegotiates?.(offer) === true;
  }

  /** Applies a signaling payload from the remote peer. */
  signal(data: ConnectionSignal): void {
    this.link.signal(data);
  }

  /** Sends a control or availability message if sendable. */
  send(msg: PeerMessage): void {
    if (!this.sendable) return;
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

  /** Sends an already encoded control message (a broadcast, encoded once for every peer) if sendable. */
  sendEncoded(bytes: Uint8Array, type: PeerMessageType): void {
    if (!this.sendable) return;
    this.host.countBytes('controlSent', bytes.length, type);
    this.link.send(bytes);
  }

  /** The peer's RECEIPT: what it shows of our DATA's way goes to PeerHost.uplinkDelay. */
  receipt(msg: ReceiptMessage): void {
    // One for a chunk we no longer remember (or never sent) tells nothing: ignored.
    const sample = this.delivery.receipt(msg.requestId, msg.offsetBytes, msg.atMs, this.host.clock.now());
    if (sample !== undefined) this.host.uplinkDelay(sample);
  }

  /** Closes the link; what it still buffered never leaves. */
  close(): void {
    if (this.open) this.host.linkDiscarded(this.link.bufferedAmountBytes);
    this.link.close();
  }
}
