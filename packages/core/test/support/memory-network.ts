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
import type { Clock, PeerConnector, PeerLinkEvents, PendingPeerLink } from '../../src/ports.ts';
import { MemoryLink } from './memory-link.ts';

export { MemoryLink, restartOffer, type LinkState } from './memory-link.ts';

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
