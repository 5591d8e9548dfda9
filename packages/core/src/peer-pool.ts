import { encodePeerMessage, type AvailabilityState, type PeerMessage, type SegmentRef, type SignalData } from '@swarmcast/protocol';
import type { EngineConfig } from './config.js';
import { Peer, type PeerHost } from './peer.js';
import type { Clock, PeerConnector } from './ports.js';
import { segmentKey } from './segment-id.js';
import { SharedUplink } from './shared-uplink.js';

export type PeerPoolConfig = Pick<
  EngineConfig,
  'maxPeers' | 'minPeers' | 'peerRefillIntervalMs' | 'failedConnectRetryMs' | 'chunkBytes' | 'sendHighWaterBytes' | 'maxUploadsPerPeer' | 'uploadSlots' | 'connectTimeoutMs' | 'uploadAdmissionDelayMs' | 'uploadCommitMs' | 'p2pStallTimeoutMs' | 'silentPeerVerdictMs' | 'uploadCapBytesPerSec' | 'uploadDelayTargetMs'
>;

/** What the pool needs from the engine. */
export interface PeerPoolHost extends Pick<PeerHost, 'helloMessage' | 'haveMapMessage' | 'lookupSegment' | 'countBytes' | 'countRefusal' | 'countExcusedSilence' | 'sendSignal' | 'connectOptions' | 'pathChanged' | 'wanted'> {
  /** Our current tracker-assigned id, if joined. */
  selfId(): string | undefined;
  requestMorePeers(): void;
  peerReady(peer: Peer): void;
  peerClosed(peer: Peer, reason: string): void;
  availabilityChanged(peer: Peer, ref: SegmentRef, state: AvailabilityState | 'lost', key: string): void;
}

/** Most renditions whose latest segment size is kept (see PeerHost.expectedSegmentBytes). */
const MAX_RENDITION_SIZES = 64;

/** Most peers remembered as unreachable (the oldest record is forgotten first). */
const MAX_UNREACHABLE = 1024;

/** The failedConnectRetryMs backoff doubles up to this factor. */
const MAX_RETRY_FACTOR = 8;

/** The set of peer connections of one swarm: who to connect to, glare, limits and refills. */
export class PeerPool {
  private readonly peers = new Map<string, Peer>();
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
  /** The uplink all of our uploads share: meter, pace, high-water marks, slots and admission. */
  private readonly uplink: SharedUplink;
  /** The size of the latest segment we completed, per rendition (see PeerHost.expectedSegmentBytes). */
  private readonly segmentBytes = new Map<string, number>();

  constructor(
    private readonly config: PeerPoolConfig,
    private readonly clock: Clock,
    private readonly connector: PeerConnector,
    private readonly host: PeerPoolHost,
  ) {
    const uplink = new SharedUplink(config, clock, this.peers);
    this.uplink = uplink;
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
      linkQueued: (bytes, opensTurn) => uplink.linkQueued(bytes, opensTurn),
      linkDiscarded: (bytes) => uplink.linkDiscarded(bytes),
      admitUpload: (peer, requestBytes, withinMs) => uplink.admitUpload(peer, requestBytes, withinMs),
      expectedSegmentBytes: (rendition) => this.segmentBytes.get(rendition),
      sendHighWaterBytes: () => uplink.sendHighWaterBytes(),
      uplinkClear: () => uplink.uplinkClear(),
      uplinkMark: () => uplink.sentBytes(),
      uplinkSaturatedSince: (mark, sinceMs) => uplink.uplinkSaturatedSince(mark, sinceMs),
      paceUpload: (bytes) => uplink.paceUpload(bytes),
      uplinkDelay: (sample) => uplink.uplinkDelay(sample),
      nextUploadSeq: () => uplink.nextUploadSeq(),
      mayFeedUpload: (rank) => uplink.mayFeedUpload(rank),
      uploadSlotFreed: (from) => uplink.uploadSlotFreed(from),
    };
  }

  /** The delay-based pace, bytes per ms (undefined: none, or no queue seen yet). */
  get delayPaceBytesPerMs(): number | undefined {
    return this.uplink.delayPaceBytesPerMs;
  }

  /** Measured upload capacity, bytes per ms (undefined until our channels were backlogged long enough). */
  get uploadBytesPerMs(): number | undefined {
    return this.uplink.uploadRate();
  }

  /** DATA bytes that left our DataChannels so far (handed to them, less what they still hold or discarded). */
  get sentBytes(): number {
    return this.uplink.sentBytes();
  }

  /** The uplink as the meter measured it, bytes per ms, without the upload cap (undefined until measured). */
  get measuredUplinkBytesPerMs(): number | undefined {
    return this.uplink.measuredBytesPerMs;
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
    for (const peer of this.peers.values()) peer.uploads.progress(key);
  }

  /** A local segment completed or failed: peers with requests parked on it get answered. */
  settle(ref: SegmentRef, bytes: Uint8Array | undefined): void {
    if (bytes) {
      this.segmentBytes.delete(ref.rendition);
      this.segmentBytes.set(ref.rendition, bytes.length);
      // Renditions of the streams played here: a handful; the oldest goes first.
      if (this.segmentBytes.size > MAX_RENDITION_SIZES) this.segmentBytes.delete(this.segmentBytes.keys().next().value ?? '');
    }
    for (const peer of this.peers.values()) peer.uploads.settle(ref, bytes);
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
    if (!this.destroyed) this.uplink.uploadSlotFreed(peer);
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
