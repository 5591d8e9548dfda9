/**
 * One side of a simulated WebRTC connection, as the engine sees it (a PendingPeerLink): signaling
 * through the engine's tracker path (an offer/answer whose SDP names the sending side's token), an
 * ordered reliable channel with its own send queue (bufferedAmount, drain at the low-water mark),
 * latency, loss as retransmission delay, close notices, and silence when a host crashes.
 */
import { DATA_CONTINUED_CODE, PeerMessageCode, type ConnectionSignal } from '@swarmcast/protocol';
import type { PeerLinkEvents, PendingPeerLink } from '@swarmcast/core';
import type { Host } from './host.ts';
import { messageWireBytes, sackWireBytes } from './transport-overhead.ts';
import type { SimNetwork } from './network.ts';

type LinkState = 'new' | 'connecting' | 'open' | 'closed';

/**
 * Bytes a DATA message adds to its payload, 0 for a control message: type u8, requestId, offsetBytes
 * and totalBytes u32; 9 without totalBytes (a transfer's later chunks, DATA_CONTINUED_CODE).
 */
export function dataHeaderBytes(bytes: Uint8Array): number {
  const code = bytes[0];
  return code === PeerMessageCode.data ? 13 : code === DATA_CONTINUED_CODE ? 9 : 0;
}
const SDP_PATTERN = /^v=0 simnet endpoint=(\S+)$/;

function description(token: string, sdpType: 'offer' | 'answer'): ConnectionSignal {
  return { kind: 'description', sdpType, sdp: `v=0 simnet endpoint=${token}` };
}

function candidate(token: string): ConnectionSignal {
  return { kind: 'candidate', candidate: `candidate:1 1 udp 2122260223 simnet ${token} typ host`, sdpMid: '0', sdpMLineIndex: 0 };
}

export class SimLink implements PendingPeerLink {
  state: LinkState = 'new';
  /** The other side, once paired (the answerer learns it from the offer, the offerer from the answer). */
  remote: SimLink | undefined;
  /** The answerer that took this offer, before its answer got back. */
  claimedBy: SimLink | undefined;
  /** Messages waiting for the uplink (the head may be on the wire already: see dequeued()). */
  readonly queue: Uint8Array[] = [];
  /**
   * Bytes waiting, in the engine's units (see engineBytes). So the engine's uplink meter, which
   * compares the DATA it queued with what is buffered, measures the same rate at any byte scale.
   */
  buffered = 0;
  /** In the host's round-robin. */
  active = false;
  /** One-way latency to the other side, once paired. */
  private latencyMs = 0;
  private lastArrivalMs = 0;
  private drainDue = false;
  /** Where drain fires, in the engine's units: the transport's default until the engine sets one. */
  private lowWaterBytes: number;
  /** What the transport received: message bytes, plus one per message of ours the other side received (its acknowledgement). */
  private transportBytesReceived = 0;

  constructor(
    readonly token: string,
    readonly host: Host,
    readonly initiator: boolean,
    private readonly events: PeerLinkEvents,
    private readonly net: SimNetwork,
  ) {
    this.lowWaterBytes = net.lowWaterBytes;
  }

  get bufferedAmountBytes(): number {
    return this.buffered;
  }

  /** The other side's host crashed: nothing leaves this side any more (SCTP retransmits into the void). */
  get frozen(): boolean {
    return this.remote !== undefined && this.remote.host.crashed;
  }

  setLowWaterBytes(bytes: number): void {
    this.lowWaterBytes = bytes;
  }

  receivedBytes(): Promise<number | undefined> {
    return Promise.resolve(this.transportBytesReceived);
  }

  send(bytes: Uint8Array): void {
    // RTCDataChannel.send() throws InvalidStateError too: the core must not send on a closed channel.
    if (this.state !== 'open' || !this.remote) throw new Error(`SimLink ${this.token}: send() while ${this.state}`);
    const isData = dataHeaderBytes(bytes) > 0;
    this.net.countSent(bytes);
    this.host.send(this, bytes, this.wireBytes(bytes), isData);
  }

  /**
   * A message's weight in bufferedAmount: a DATA message its own size (what the engine counts as
   * queued), a control message 1/byteScale of it, as its time on the wire is that of that many
   * scaled DATA bytes.
   */
  engineBytes(bytes: Uint8Array): number {
    return dataHeaderBytes(bytes) > 0 ? bytes.length : bytes.length / this.net.byteScale;
  }

  /**
   * Bytes on the wire at full scale: DATA payloads stand for `byteScale` times their size, and the
   * transport's packet headers are added (see transport-overhead.ts) unless the links are bare.
   */
  wireBytes(bytes: Uint8Array): number {
    const message = this.messageBytes(bytes);
    return this.net.transportOverhead ? messageWireBytes(message) : message;
  }

  /** The message's size at full scale. */
  private messageBytes(bytes: Uint8Array): number {
    const header = dataHeaderBytes(bytes);
    return header > 0 ? header + (bytes.length - header) * this.net.byteScale : bytes.length;
  }

  close(): void {
    if (this.state === 'closed') return;
    const partner = this.remote ?? this.claimedBy;
    this.shutdown();
    if (partner && partner.state !== 'closed' && !this.host.crashed && !partner.host.crashed) {
      const at = Math.max(this.net.scheduler.now() + this.net.latencyMs(this.host, partner.host), this.lastArrivalMs);
      this.net.scheduler.at(at, () => partner.closeFromRemote('remote peer closed the connection'));
    }
  }

  signal(data: ConnectionSignal): void {
    if (this.state === 'closed' || data.kind === 'candidate') return;
    const match = SDP_PATTERN.exec(data.sdp);
    const other = match?.[1] === undefined ? undefined : this.net.linkByToken(match[1]);
    if (!other || other.state === 'closed') return;
    if (data.sdpType === 'offer') {
      if (this.initiator || this.remote) return;
      this.remote = other;
      this.latencyMs = this.net.latencyMs(this.host, other.host);
      other.claimedBy = this;
      this.state = 'connecting';
      this.net.scheduler.setTimeout(() => {
        if (this.state !== 'connecting') return;
        this.events.signal(description(this.token, 'answer'));
        this.events.signal(candidate(this.token));
      }, 0);
      return;
    }
    if (!this.initiator || this.state !== 'new' || other.remote !== this) return;
    this.remote = other;
    this.latencyMs = this.net.latencyMs(this.host, other.host);
    this.state = 'connecting';
    // ICE checks, DTLS and SCTP handshakes: about 1.5 RTT after the answer is in.
    const setupMs = 3 * this.latencyMs;
    this.net.scheduler.setTimeout(() => {
      this.openNow();
      other.openNow();
    }, setupMs);
  }

  /** An offerer starts signaling once the engine holds this side. */
  start(): void {
    if (!this.initiator) return;
    this.net.scheduler.setTimeout(() => {
      if (this.state !== 'new') return;
      this.events.signal(description(this.token, 'offer'));
      this.events.signal(candidate(this.token));
    }, 0);
  }

  /** The uplink took the head of the queue onto the wire. */
  dequeued(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    const before = this.buffered;
    this.buffered = Math.max(0, this.buffered - this.engineBytes(bytes));
    const low = this.lowWaterBytes;
    if (before > low && this.buffered <= low) this.drainDue = true;
  }

  checkDrain(): void {
    if (!this.drainDue) return;
    this.drainDue = false;
    if (this.state === 'open') this.events.drain();
  }

  /** The last bit of a message left the host at `endMs` after `txMs` on the uplink. */
  transmitted(bytes: Uint8Array, wireBytes: number, endMs: number, txMs: number): void {
    const remote = this.remote;
    if (this.state !== 'open' || !remote) return;
    let at = endMs + this.latencyMs;
    if (this.net.lossy) at += this.net.lossDelayMs(this.latencyMs, wireBytes);
    if (at < this.lastArrivalMs) at = this.lastArrivalMs;
    this.lastArrivalMs = at;
    this.net.scheduler.at(at, () => remote.arrive(bytes, wireBytes, txMs));
  }

  closeFromRemote(reason: string): void {
    if (this.state === 'closed') return;
    this.shutdown();
    this.events.close(reason);
  }

  private arrive(bytes: Uint8Array, wireBytes: number, txMs: number): void {
    if (this.state !== 'open' || this.host.crashed) return;
    const now = this.net.scheduler.now();
    // The transport acknowledges what came in, on our uplink.
    if (this.net.transportOverhead) this.host.acknowledge(sackWireBytes(this.messageBytes(bytes)));
    const done = this.host.receive(now - txMs, now, wireBytes);
    if (done <= now) this.deliver(bytes);
    else this.net.scheduler.at(done, () => this.deliver(bytes));
  }

  private deliver(bytes: Uint8Array): void {
    if (this.state !== 'open' || this.host.crashed) return;
    this.transportBytesReceived += bytes.length;
    if (this.remote) this.remote.transportBytesReceived += 1;
    this.events.message(bytes);
  }

  private openNow(): void {
    if (this.state !== 'connecting' || this.remote?.state === 'closed') return;
    this.state = 'open';
    this.events.open();
  }

  private shutdown(): void {
    this.state = 'closed';
    this.host.deactivate(this);
    this.queue.length = 0;
    this.buffered = 0;
    this.net.linkClosed(this);
  }
}
