/**
 * The simulated network: hosts on a latency ring, the PeerConnector each engine gets, connection
 * pairing by SDP token, crashes, and counters of what crossed DataChannels.
 *
 * Latency: each host sits at a random point of a ring of circumference 1; the RTT between two hosts
 * is rttMin + (rttMax - rttMin) * 2d for their ring distance d (0-0.5). For uniform positions d is
 * uniform, so RTTs are uniform over the range, and they are consistent (a metric: A-B-C is never
 * shorter than A-C).
 */
import type { PeerConnector, PeerLinkEvents, PendingPeerLink, RandomPort } from '@swarmcast/core';
import { PeerMessageCode } from '@swarmcast/protocol';
import { Host, type TransmitHook } from './host.ts';
import type { Scheduler } from './scheduler.ts';
import { SimLink, dataHeaderBytes } from './sim-link.ts';

/** Packet payload used to count packets for loss. */
const PACKET_BYTES = 1200;

export interface NetworkOptions {
  readonly scheduler: Scheduler;
  readonly random: RandomPort;
  readonly rttMinMs: number;
  readonly rttMaxMs: number;
  /** Chance that a packet is lost (the message then arrives one RTT later), 0-1. */
  readonly loss: number;
  readonly byteScale: number;
  /** Full-scale bytes: a link fires drain when its buffer falls to this. */
  readonly lowWaterBytes: number;
  /** How long after a crash the crashed host's peers see their connections fail. */
  readonly crashDetectMs: number;
  /** Packet headers and the receivers' SACKs take uplink time, as in WebRTC (see transport-overhead.ts); false: messages alone. */
  readonly transportOverhead: boolean;
  readonly onTransmit?: TransmitHook;
}

export interface NetworkCounters {
  messages: number;
  dataMessages: number;
  /** DATA payload bytes, at full scale. */
  dataBytes: number;
  /** Bytes of every other message, plus DATA headers. */
  controlBytes: number;
  /** Of controlBytes: LOST messages (sent as the store evicts; see README). */
  lostBytes: number;
}

export class SimNetwork {
  readonly scheduler: Scheduler;
  readonly byteScale: number;
  readonly transportOverhead: boolean;
  /** In the engine's (scaled) bytes. */
  readonly lowWaterBytes: number;
  readonly counters: NetworkCounters = { messages: 0, dataMessages: 0, dataBytes: 0, controlBytes: 0, lostBytes: 0 };
  private readonly byToken = new Map<string, SimLink>();
  private nextToken = 1;
  private nextHost = 1;

  constructor(private readonly options: NetworkOptions) {
    this.scheduler = options.scheduler;
    this.byteScale = options.byteScale;
    this.transportOverhead = options.transportOverhead;
    this.lowWaterBytes = Math.round(options.lowWaterBytes / options.byteScale);
  }

  /** A host at a random point of the ring, with capacities in full-scale bytes/s. */
  addHost(upBytesPerSec: number, downBytesPerSec: number, ringPos = this.options.random.random()): Host {
    return new Host(this.nextHost++, ringPos, upBytesPerSec, downBytesPerSec, this.scheduler, this.options.onTransmit);
  }

  /** One-way latency between two points of the ring. */
  latencyAt(a: number, b: number): number {
    let d = Math.abs(a - b);
    if (d > 0.5) d = 1 - d;
    const { rttMinMs, rttMaxMs } = this.options;
    return (rttMinMs + (rttMaxMs - rttMinMs) * 2 * d) / 2;
  }

  latencyMs(a: Host, b: Host): number {
    return this.latencyAt(a.ringPos, b.ringPos);
  }

  get lossy(): boolean {
    return this.options.loss > 0;
  }

  /**
   * Extra delay of a message of `wireBytes` over a link of one-way `latencyMs` when one of its packets
   * is lost: one RTT (fast retransmit). Later messages wait behind it (the channel is ordered).
   */
  lossDelayMs(latencyMs: number, wireBytes: number): number {
    const packets = Math.ceil(wireBytes / PACKET_BYTES);
    return this.options.random.random() < 1 - (1 - this.options.loss) ** packets ? 2 * latencyMs : 0;
  }

  /** The PeerConnector handed to the engine running on `host`. */
  connectorFor(host: Host): PeerConnector {
    return { connect: (_remotePeerId: string, initiator: boolean, events: PeerLinkEvents): PendingPeerLink => this.openLink(host, initiator, events) };
  }

  /** A new side of a connection on `host` (an offerer starts signaling at once). */
  openLink(host: Host, initiator: boolean, events: PeerLinkEvents): SimLink {
    const link = new SimLink(`s${(this.nextToken++).toString(36)}`, host, initiator, events, this);
    this.byToken.set(link.token, link);
    host.links.add(link);
    link.start();
    return link;
  }

  /**
   * The host stops dead (a killed tab, a pulled cable): nothing reaches it or leaves it any more, and
   * each of its peers sees its connection fail `crashDetectMs` later.
   */
  crash(host: Host): void {
    if (host.crashed) return;
    host.crashed = true;
    for (const link of host.links) {
      const partner = link.remote ?? link.claimedBy;
      if (partner && partner.state !== 'closed') {
        this.scheduler.setTimeout(() => partner.closeFromRemote('connection failed'), this.options.crashDetectMs);
      }
    }
  }

  /** @internal */
  linkByToken(token: string): SimLink | undefined {
    return this.byToken.get(token);
  }

  /** @internal */
  linkClosed(link: SimLink): void {
    this.byToken.delete(link.token);
    link.host.links.delete(link);
  }

  /** @internal */
  countSent(bytes: Uint8Array): void {
    const c = this.counters;
    c.messages += 1;
    const header = dataHeaderBytes(bytes);
    if (header > 0) {
      c.dataMessages += 1;
      c.dataBytes += (bytes.length - header) * this.byteScale;
      c.controlBytes += header;
    } else {
      c.controlBytes += bytes.length;
      if (bytes[0] === PeerMessageCode.lost) c.lostBytes += bytes.length;
    }
  }
}
