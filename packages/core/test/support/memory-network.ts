/**
 * An in-memory stand-in for WebRTC: a PeerConnector per node, and links between nodes with one-way
 * latency and a per-direction bandwidth that makes bufferedAmount real (bytes wait in a send queue
 * and leave at the link's rate, so back-pressure and `drain` behave as on a DataChannel).
 *
 * Signaling is not short-circuited: like a real WebRTC stack, the initiator emits an offer
 * description (and a candidate) through its `signal` event, which the engine relays through its
 * tracker client; the answerer, given the offer through `link.signal()`, emits an answer; once the
 * offerer applies the answer, both channels open after a connection set-up delay. The SDP carries a
 * token naming the sending endpoint, which is how the two halves find each other.
 */
import type { ConnectionSignal } from '@swarmcast/protocol';
import type { Clock, PeerConnector, PeerLinkEvents, PendingPeerLink, TimerHandle } from '../../src/ports.ts';

export interface LinkProfile {
  /** One-way delay of every message, ms. */
  readonly latencyMs: number;
  /** Sending rate of one direction of a link, bytes/s. Infinity: no limit, nothing ever buffers. */
  readonly bandwidthBytesPerSec: number;
  /**
   * A router's queue below the channel, in ms of the bandwidth (0: none). Messages leave the
   * channel's buffer (bufferedAmount) at once while the router holds less than this, as through a
   * transport whose congestion window is open, and wait there for the link: delay the channel's
   * buffer does not show. @default 0
   */
  readonly routerQueueMs?: number;
}

export interface MemoryNetworkOptions {
  readonly clock: Clock;
  /** Default one-way latency, ms. @default 20 */
  readonly latencyMs?: number;
  /** Default per-direction bandwidth, bytes/s. @default Infinity */
  readonly bandwidthBytesPerSec?: number;
  /** From the answer reaching the offerer to both channels being open (ICE, DTLS, SCTP). @default 2 x latency */
  readonly connectSetupMs?: number;
  /** `drain` fires when bufferedAmount falls from above this to at most this. @default 65536 */
  readonly lowWaterBytes?: number;
  /** Per-direction overrides, by node name (`from` sends to `to`). */
  readonly profile?: (from: string, to: string) => Partial<LinkProfile> | undefined;
}

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

/** One host on the network: the PeerConnector handed to one engine. */
export class MemoryNode implements PeerConnector {
  /** Links not closed yet (a closed link is forgotten, so long simulations stay bounded). */
  readonly links = new Set<MemoryLink>();

  constructor(
    readonly name: string,
    private readonly net: MemoryNetwork,
  ) {}

  connect(remotePeerId: string, initiator: boolean, events: PeerLinkEvents): PendingPeerLink {
    return this.open(remotePeerId, initiator, events);
  }

  /** connect(), typed as the network's own link (for tests that drive links by hand). */
  open(remotePeerId: string, initiator: boolean, events: PeerLinkEvents): MemoryLink {
    const link = this.net.createLink(this, remotePeerId, initiator, events);
    this.links.add(link);
    link.start();
    return link;
  }

  /** This node's links that are open now. */
  openLinks(): MemoryLink[] {
    return [...this.links].filter((l) => l.state === 'open');
  }

  /** The open link to the node named `nodeName`, if any. */
  linkToNode(nodeName: string): MemoryLink | undefined {
    return this.openLinks().find((l) => l.remoteNode === nodeName);
  }

  /** The open link the engine made for tracker peer id `peerId`, if any. */
  linkToPeer(peerId: string): MemoryLink | undefined {
    return this.openLinks().find((l) => l.remotePeerId === peerId);
  }

  /** Every link of this node turns into a black hole (see MemoryLink.vanish), noticed after `detectAfterMs`. */
  vanish(detectAfterMs: number): void {
    for (const link of [...this.links]) link.vanish(detectAfterMs);
  }

  /** Every link of this node fails at once (both sides see `reason`), as when the host drops off the network. */
  disconnect(reason = 'network unreachable'): void {
    for (const link of [...this.links]) if (link.state !== 'closed') link.fail(reason);
  }
}

export class MemoryNetwork {
  readonly clock: Clock;
  readonly lowWaterBytes: number;
  /** Messages and bytes handed to an open receiving side. */
  messagesDelivered = 0;
  bytesDelivered = 0;
  private readonly defaults: LinkProfile;
  private readonly setupMs: number | undefined;
  private readonly profileFn: MemoryNetworkOptions['profile'];
  private readonly nodes = new Map<string, MemoryNode>();
  private readonly byToken = new Map<string, MemoryLink>();
  private nextToken = 1;

  constructor(options: MemoryNetworkOptions) {
    this.clock = options.clock;
    this.defaults = { latencyMs: options.latencyMs ?? 20, bandwidthBytesPerSec: options.bandwidthBytesPerSec ?? Number.POSITIVE_INFINITY };
    this.setupMs = options.connectSetupMs;
    this.lowWaterBytes = options.lowWaterBytes ?? 64 * 1024;
    this.profileFn = options.profile;
  }

  /** The node named `name` (created on first use). */
  node(name: string): MemoryNode {
    let node = this.nodes.get(name);
    if (!node) this.nodes.set(name, (node = new MemoryNode(name, this)));
    return node;
  }

  /** Every link side not closed yet (connecting or open). */
  liveLinks(): MemoryLink[] {
    return [...this.byToken.values()];
  }

  /** Every open link side. */
  openLinks(): MemoryLink[] {
    return this.liveLinks().filter((l) => l.state === 'open');
  }

  /**
   * Sends raw bytes from node `from` to node `to` over their open link, as if `from` had sent them
   * (bypassing whatever runs on `from`): for hostile-peer tests.
   */
  inject(from: string, to: string, bytes: Uint8Array): void {
    const link = this.node(from).linkToNode(to);
    if (!link) throw new Error(`MemoryNetwork.inject: no open link ${from} -> ${to}`);
    link.send(bytes);
  }

  /** Fails the link between two nodes on both sides with `reason`. */
  cut(a: string, b: string, reason = 'link failed'): void {
    for (const link of [...this.node(a).links]) if (link.remoteNode === b && link.state !== 'closed') link.fail(reason);
  }

  profileOf(from: string, to: string): LinkProfile {
    return { ...this.defaults, ...this.profileFn?.(from, to) };
  }

  connectSetupMs(from: string, to: string): number {
    return this.setupMs ?? 2 * Math.max(this.profileOf(from, to).latencyMs, this.profileOf(to, from).latencyMs);
  }

  /** @internal */
  createLink(node: MemoryNode, remotePeerId: string, initiator: boolean, events: PeerLinkEvents): MemoryLink {
    const token = `ep${this.nextToken++}`;
    const link = new MemoryLink(token, node, remotePeerId, initiator, events, this);
    this.byToken.set(token, link);
    return link;
  }

  /** @internal */
  linkByToken(token: string): MemoryLink | undefined {
    return this.byToken.get(token);
  }

  /** @internal */
  linkClosed(link: MemoryLink): void {
    this.byToken.delete(link.token);
    link.node.links.delete(link);
  }

  /** @internal */
  countDelivered(bytes: number): void {
    this.messagesDelivered += 1;
    this.bytesDelivered += bytes;
  }
}
