/** What a Peer needs from the engine that owns it (through its PeerPool). */
import type { AvailabilityState, PeerMessage, PeerMessageType, SegmentRef, SignalData } from '@swarmcast/protocol';
import type { EngineConfig } from './config.js';
import type { DeliverySample } from './delivery-delay.js';
import type { ReceivingSegment } from './partial-segment.js';
import type { Peer } from './peer.js';
import type { Clock, ConnectOptions } from './ports.js';
import type { SilenceExcuse, UploadRefusal } from './stats.js';
import type { UploadRank } from './uploader.js';

export type PeerConfig = Pick<EngineConfig, 'chunkBytes' | 'sendHighWaterBytes' | 'maxUploadsPerPeer' | 'uploadSlots' | 'uploadCommitMs' | 'connectTimeoutMs' | 'p2pStallTimeoutMs' | 'silentPeerVerdictMs'>;

/** What a Peer needs from the engine that owns it. */
export interface PeerHost {
  readonly clock: Clock;
  readonly config: PeerConfig;
  helloMessage(): PeerMessage;
  haveMapMessage(): PeerMessage;
  /** The bytes of a complete local segment, its download's live view if it is on its way, else undefined. */
  lookupSegment(ref: SegmentRef): Uint8Array | ReceivingSegment | undefined;
  sendSignal(peerId: string, data: SignalData): void;
  /** What the connector is told for each new connection (the tracker's ICE servers). */
  connectOptions(): ConnectOptions;
  peerReady(peer: Peer): void;
  peerClosed(peer: Peer, reason: string): void;
  /** The connection's path broke, or came back by itself, or came back after an ICE restart. */
  pathChanged(peer: Peer, change: 'interrupted' | 'resumed' | 'restarted'): void;
  /** `key` is segmentKey(ref), built once per message. */
  availabilityChanged(peer: Peer, ref: SegmentRef, state: AvailabilityState | 'lost', key: string): void;
  /** The peer sent WANT for `ref` (see Wants). */
  wanted(peer: Peer, ref: SegmentRef): void;
  /** `type`: of a control message sent ('data' for a DATA header), for controlBytesSentByType. */
  countBytes(kind: 'controlSent' | 'controlReceived' | 'uploaded', bytes: number, type?: PeerMessageType): void;
  /** A silence that read as a lie was excused: our uplink was saturated, or the peer's credit paid. */
  countExcusedSilence(why: SilenceExcuse): void;
  /** A peer's request was answered BUSY, for `reason`. */
  countRefusal(reason: UploadRefusal): void;
  /**
   * DATA bytes handed to this peer's DataChannel, for the upload meter (which measures DATA
   * throughput); `opensTurn`: they start an upload on a channel that held nothing.
   */
  linkQueued(bytes: number, opensTurn: boolean): void;
  /** Bytes left in this peer's DataChannel buffer when it closed: they never leave. */
  linkDiscarded(bytes: number): void;
  /**
   * May this peer's request (`requestBytes` to send, within `withinMs`) join our uploads? Undefined
   * admits it; a refusal (answered BUSY) when our uplink could not get its first chunk out soon, or
   * not finish it in time without making an upload accepted earlier late: an honest uploader says
   * BUSY rather than send bytes the requester will no longer wait for.
   */
  admitUpload(peer: Peer, requestBytes: number, withinMs: number): UploadRefusal | undefined;
  /** The size of the latest segment of `rendition` we completed, or undefined (none yet). */
  expectedSegmentBytes(rendition: string): number | undefined;
  /**
   * True when a control message we send now leaves at once: our uplink holds no backlog it would
   * wait behind (channels share the uplink message by message).
   */
  uplinkClear(): boolean;
  /** DATA bytes that left our DataChannels so far, all peers together: a mark for uplinkSaturatedSince. */
  uplinkMark(): number;
  /**
   * True when, since `sinceMs` (when uplinkMark() gave `mark`), our channels sent at least half of
   * what our measured uplink carries in that time and still hold a backlog (see uplinkClear): it
   * was saturated, and what we sent meanwhile
   * (a request, the acknowledgements of a peer's transfer) may have waited, or been dropped and
   * resent, in queues below the channels (a home router's buffer) that bufferedAmount does not show.
   */
  uplinkSaturatedSince(mark: number, sinceMs: number): boolean;
  /** Most bytes a DataChannel should hold now (back-pressure high-water mark). */
  sendHighWaterBytes(): number;
  /** The shared upload cap: 0 when a DATA message of `bytes` may leave now, else ms to wait. */
  paceUpload(bytes: number): number;
  /** What a RECEIPT of this peer's showed of our DATA's way to it (DeliveryDelay). */
  uplinkDelay(sample: DeliverySample): void;
  /** The next arrival number in the engine-wide order of uploads (see EngineConfig.uploadSlots). */
  nextUploadSeq(): number;
  /** May the upload at `rank` send now, or do uploads ranked before it (to any peer) hold every slot? */
  mayFeedUpload(rank: UploadRank): boolean;
  /** An upload to `peer` ended or stopped holding a slot: the other peers' waiting uploads may go on. */
  uploadSlotFreed(peer: Peer): void;
}
