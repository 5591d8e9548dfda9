/**
 * One side of an in-memory connection of MemoryNetwork (memory-network.ts): its signaling (offer,
 * answer and candidate carrying a token that names the sending endpoint), its send queue drained at
 * the link's rate with one-way latency, and the faults tests inject (close, fail, vanish, break the
 * path, interrupt).
 */
import type { ConnectionSignal } from '@swarmcast/protocol';
import type { PeerLinkEvents, PendingPeerLink, TimerHandle } from '../../src/ports.ts';
import type { MemoryNetwork, MemoryNode } from './memory-network.ts';

export type LinkState = 'new' | 'connecting' | 'open' | 'closed';

const SDP_PATTERN = /^v=0 memnet endpoint=(\S+)$/;

function description(token: string, sdpType: 'offer' | 'answer'): ConnectionSignal {
  return { kind: 'description', sdpType, sdp: `v=0 memnet endpoint=${token}` };
}

/** An ICE restart offer from the side `token` names, for the connection it has (see MemoryLink.renegotiates). */
export function restartOffer(token: string): ConnectionSignal & { kind: 'description' } {
  return { kind: 'description', sdpType: 'offer', sdp: `v=0 memnet endpoint=${token} restart` };
}

function candidate(token: string): ConnectionSignal {
  return { kind: 'candidate', candidate: `candidate:1 1 udp 2122260223 memnet ${token} typ host`, sdpMid: '0', sdpMLineIndex: 0 };
}

/** One side of a connection. The engine sees it as a PendingPeerLink. */
export class MemoryLink implements PendingPeerLink {
  state: LinkState = 'new';
  /** The other side, once paired (the answerer learns it from the offer, the offerer from the answer). */
  remote: MemoryLink | undefined;
  /** Why this side closed, and whether it was its own close() ('local') or the other side / network ('remote'). */
  closeReason: string | undefined;
  closedBy: 'local' | 'remote' | undefined;
  /** The high-water mark of bufferedAmount ever seen on this side. */
  maxBufferedBytes = 0;
  messagesSent = 0;
  bytesSent = 0;
  messagesReceived = 0;
  bytesReceived = 0;
  drainEvents = 0;
  /** Signaling payloads this side could not use (stale, unknown or out-of-order). */
  ignoredSignals = 0;
  /** ICE restart offers (restartOffer()) applied to this open connection. */
  restartOffers = 0;
  private interruptedReported = false;
  /** When set, the next send() closes this side with this reason instead of sending (see send()). */
  failOnSend: string | undefined;
  /** Set by vanish(): nothing is delivered to or from this side any more. */
  blackholed = false;
  /** Set by breakPath() or interrupt(), cleared by healPath() or resume(): nothing is delivered either way meanwhile. */
  pathDown = false;
  /** What the transport received: message bytes, plus one per message of ours the remote received (its acknowledgement). */
  transportBytesReceived = 0;
  private readonly queue: Uint8Array[] = [];
  private buffered = 0;
  private txTimer: TimerHandle;
  private lastArrivalMs = Number.NEGATIVE_INFINITY;
  /** An answerer that paired with this offer before the answer got back. */
  private claimedBy: MemoryLink | undefined;

  constructor(
    readonly token: string,
    readonly node: MemoryNode,
    readonly remotePeerId: string,
    readonly initiator: boolean,
    private readonly events: PeerLinkEvents,
    private readonly net: MemoryNetwork,
  ) {}

  get bufferedAmountBytes(): number {
    return this.buffered;
  }

  /** Name of the node on the other side, once paired. */
  get remoteNode(): string | undefined {
    return this.remote?.node.name;
  }

  send(bytes: Uint8Array): void {
    if (this.failOnSend !== undefined && this.state === 'open') {
      // Like the browser transport when RTCDataChannel.send() throws: the link closes inside send().
      const reason = this.failOnSend;
      const partner = this.remote;
      this.failOnSend = undefined;
      this.closeFromRemote(reason);
      if (partner) this.afterLatency(() => partner.closeFromRemote('remote peer closed the connection'));
      return;
    }
    if (this.state !== 'open' || !this.remote) {
      // RTCDataChannel.send() throws InvalidStateError too: the core must not send on a closed channel.
      throw new Error(`MemoryLink ${this.describe()}: send() while ${this.state}`);
    }
    const copy = bytes.slice();
    this.messagesSent += 1;
    this.bytesSent += copy.length;
    const { bandwidthBytesPerSec } = this.net.profileOf(this.node.name, this.remote.node.name);
    if (bandwidthBytesPerSec === Number.POSITIVE_INFINITY) {
      this.transmit(copy);
      return;
    }
    this.queue.push(copy);
    this.buffered += copy.length;
    this.maxBufferedBytes = Math.max(this.maxBufferedBytes, this.buffered);
    if (this.txTimer === undefined) this.transmitNext();
  }

  close(): void {
    if (this.state === 'closed') return;
    const partner = this.remote ?? this.claimedBy;
    this.shutdown('closed locally', 'local');
    if (partner && partner.state !== 'closed' && !this.blackholed) {
      this.afterLatency(() => partner.closeFromRemote('remote peer closed the connection'));
    }
  }

  renegotiates(offer: ConnectionSignal & { kind: 'description' }): boolean {
    return this.state === 'open' && this.remote !== undefined && offer.sdp === restartOffer(this.remote.token).sdp;
  }

  signal(data: ConnectionSignal): void {
    if (this.state === 'closed') return;
    if (data.kind === 'description' && this.renegotiates(data)) {
      this.restartOffers += 1;
      return;
    }
    if (data.kind === 'candidate') {
      if (!data.candidate.includes('memnet')) this.ignoredSignals += 1;
      return;
    }
    const match = SDP_PATTERN.exec(data.sdp);
    const other = match?.[1] === undefined ? undefined : this.net.linkByToken(match[1]);
    if (!other || other.state === 'closed') {
      this.ignoredSignals += 1;
      return;
    }
    if (data.sdpType === 'offer') {
      if (this.initiator || this.remote) {
        this.ignoredSignals += 1;
        return;
      }
      this.remote = other;
      other.claimedBy = this;
      this.state = 'connecting';
      this.net.clock.setTimeout(() => {
        if (this.state !== 'connecting') return;
        this.events.signal(description(this.token, 'answer'));
        this.events.signal(candidate(this.token));
      }, 0);
      return;
    }
    if (!this.initiator || this.state !== 'new' || other.remote !== this) {
      this.ignoredSignals += 1;
      return;
    }
    this.remote = other;
    this.state = 'connecting';
    const setupMs = this.net.connectSetupMs(this.node.name, other.node.name);
    for (const side of [this, other]) {
      this.net.clock.setTimeout(() => side.openNow(), setupMs);
    }
  }

  /**
   * The connection turns into a black hole (a crashed tab, a pulled cable): nothing sent either way
   * arrives any more, no close notice crosses, and each side only notices after `detectAfterMs`
   * (WebRTC consent freshness takes ~30 s) with a close('connection timed out').
   */
  vanish(detectAfterMs: number): void {
    if (this.state === 'closed' || this.blackholed) return;
    const partner = this.remote ?? this.claimedBy;
    for (const side of partner ? [this, partner] : [this]) {
      side.blackholed = true;
      this.net.clock.setTimeout(() => side.closeFromRemote('connection timed out'), detectAfterMs);
    }
  }

  receivedBytes(): Promise<number | undefined> {
    return Promise.resolve(this.transportBytesReceived);
  }

  /** The path breaks unnoticed (before ICE reports it): nothing sent either way arrives (dropped, where SCTP would hold and resend it). */
  breakPath(): void {
    for (const side of this.sides()) side.pathDown = true;
  }

  /** The path works again, as unnoticed. */
  healPath(): void {
    for (const side of this.sides()) side.pathDown = false;
  }

  /** The path breaks and both sides' connectors report interrupted() (ICE 'disconnected'). resume() ends it. */
  interrupt(): void {
    for (const side of this.sides()) {
      if (side.state !== 'open' || side.interruptedReported) continue;
      side.pathDown = true;
      side.interruptedReported = true;
      side.events.interrupted?.();
    }
  }

  /** The path is back on both sides; `restarted` when it took an ICE restart. */
  resume(restarted = false): void {
    for (const side of this.sides()) {
      if (side.state !== 'open' || !side.interruptedReported) continue;
      side.pathDown = false;
      side.interruptedReported = false;
      side.events.resumed?.(restarted);
    }
  }

  private sides(): MemoryLink[] {
    const partner = this.remote ?? this.claimedBy;
    return partner ? [this, partner] : [this];
  }

  /** Closes both sides at once with `reason`, as a network failure would (ICE failed, SCTP abort). */
  fail(reason: string): void {
    const partner = this.remote ?? this.claimedBy;
    this.closeFromRemote(reason);
    partner?.closeFromRemote(reason);
  }

  describe(): string {
    return `${this.node.name}->${this.remote?.node.name ?? this.remotePeerId} (${this.token})`;
  }

  /** Called by the network when this side is created: an offerer starts signaling. */
  start(): void {
    if (!this.initiator) return;
    this.net.clock.setTimeout(() => {
      if (this.state !== 'new') return;
      this.events.signal(description(this.token, 'offer'));
      this.events.signal(candidate(this.token));
    }, 0);
  }

  private openNow(): void {
    if (this.state !== 'connecting' || this.remote?.state === 'closed') return;
    this.state = 'open';
    this.events.open();
  }

  private closeFromRemote(reason: string): void {
    if (this.state === 'closed') return;
    this.shutdown(reason, 'remote');
    this.events.close(reason);
  }

  private shutdown(reason: string, by: 'local' | 'remote'): void {
    this.state = 'closed';
    this.closeReason = reason;
    this.closedBy = by;
    this.net.clock.clearTimeout(this.txTimer);
    this.txTimer = undefined;
    for (const timer of this.routerTimers) this.net.clock.clearTimeout(timer);
    this.routerTimers.clear();
    this.queue.length = 0;
    this.buffered = 0;
    this.net.linkClosed(this);
  }

  /** When the router below this side's channel will have sent what it holds (see LinkProfile.routerQueueMs). */
  private routerFreeAtMs = 0;
  /** One per message in the router: it goes on the wire when its timer fires (cleared on close). */
  private readonly routerTimers = new Set<TimerHandle>();

  /** Sends the head of the queue at the link's rate, then the next. */
  private transmitNext(): void {
    const head = this.queue[0];
    const remote = this.remote;
    if (head === undefined || !remote) {
      this.txTimer = undefined;
      return;
    }
    const { bandwidthBytesPerSec, routerQueueMs = 0 } = this.net.profileOf(this.node.name, remote.node.name);
    if (routerQueueMs > 0) {
      this.toRouter(bandwidthBytesPerSec, routerQueueMs);
      return;
    }
    this.txTimer = this.net.clock.setTimeout(() => {
      this.txTimer = undefined;
      this.queue.shift();
      const before = this.buffered;
      this.buffered -= head.length;
      this.transmit(head);
      this.transmitNext();
      const low = this.net.lowWaterBytes;
      if (before > low && this.buffered <= low && this.state === 'open') {
        this.drainEvents += 1;
        this.events.drain();
      }
    }, (head.length / bandwidthBytesPerSec) * 1000);
  }

  /** Moves messages from the channel's buffer into the router while it has room; they leave it at the link's rate. */
  private toRouter(bandwidthBytesPerSec: number, routerQueueMs: number): void {
    const clock = this.net.clock;
    const before = this.buffered;
    let head = this.queue[0];
    while (head !== undefined) {
      const now = clock.now();
      const backlogMs = Math.max(0, this.routerFreeAtMs - now);
      const sendMs = (head.length / bandwidthBytesPerSec) * 1000;
      if (backlogMs > 0 && backlogMs + sendMs > routerQueueMs) break;
      this.queue.shift();
      this.buffered -= head.length;
      this.routerFreeAtMs = Math.max(now, this.routerFreeAtMs) + sendMs;
      const bytes = head;
      const timer = clock.setTimeout(() => {
        this.routerTimers.delete(timer);
        this.transmit(bytes);
      }, this.routerFreeAtMs - now);
      this.routerTimers.add(timer);
      head = this.queue[0];
    }
    this.txTimer =
      head === undefined ? undefined : clock.setTimeout(() => {
        this.txTimer = undefined;
        this.transmitNext();
      }, Math.max(1, this.routerFreeAtMs - clock.now() - routerQueueMs + (head.length / bandwidthBytesPerSec) * 1000));
    const low = this.net.lowWaterBytes;
    if (before > low && this.buffered <= low && this.state === 'open') {
      this.drainEvents += 1;
      this.events.drain();
    }
  }

  /** Puts bytes on the wire: they arrive after the latency, in order. */
  private transmit(bytes: Uint8Array): void {
    const remote = this.remote;
    if (!remote) return;
    this.afterLatency(() => remote.receive(bytes));
  }

  private receive(bytes: Uint8Array): void {
    if (this.state !== 'open' || this.blackholed || this.pathDown) return;
    this.messagesReceived += 1;
    this.bytesReceived += bytes.length;
    this.transportBytesReceived += bytes.length;
    if (this.remote) this.remote.transportBytesReceived += 1;
    this.net.countDelivered(bytes.length);
    this.events.message(bytes);
  }

  /** Runs `fn` one latency from now, never before anything this side sent earlier arrives. */
  private afterLatency(fn: () => void): void {
    const to = this.remote ?? this.claimedBy;
    const { latencyMs } = this.net.profileOf(this.node.name, to?.node.name ?? this.remotePeerId);
    const now = this.net.clock.now();
    const at = Math.max(now + latencyMs, this.lastArrivalMs);
    this.lastArrivalMs = at;
    this.net.clock.setTimeout(fn, at - now);
  }
}
