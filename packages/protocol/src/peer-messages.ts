/** Wire codes of the peer messages (first byte of every message). */
export const PeerMessageCode = {
  hello: 1,
  haveMap: 2,
  have: 3,
  receiving: 4,
  lost: 5,
  request: 6,
  cancel: 7,
  data: 8,
  absent: 9,
  busy: 10,
  queued: 11,
  receipt: 12,
  want: 13,
  uplink: 15,
} as const;

/**
 * Wire code of a DATA message without `totalBytes` (protocol 6): a transfer's later chunks leave the
 * size out, the first gave it. It decodes as a `data` message whose totalBytes is undefined.
 */
export const DATA_CONTINUED_CODE = 14;

/** A segment within a swarm: rendition + media sequence (live) or index (VOD). */
export interface SegmentRef {
  readonly rendition: string;
  readonly sn: number;
}

/** First message on every connection. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly version: number;
  readonly peerId: string;
  /** The sender's own estimate of what it can upload, in kbit/s (0 = unknown). */
  readonly uploadKbps: number;
}

export type AvailabilityState = 'have' | 'receiving';

export interface HaveMapEntry extends SegmentRef {
  readonly state: AvailabilityState;
}

/** Everything the sender holds or is receiving, sent once after HELLO. */
export interface HaveMapMessage {
  readonly type: 'haveMap';
  readonly entries: readonly HaveMapEntry[];
}

/** The sender now holds the whole segment, of `sizeBytes`. */
export interface HaveMessage extends SegmentRef {
  readonly type: 'have';
  readonly sizeBytes: number;
}

/** The sender started downloading the segment; it will answer requests once it has it. */
export interface ReceivingMessage extends SegmentRef {
  readonly type: 'receiving';
}

/** The sender no longer holds (or will no longer get) the segment. */
export interface LostMessage extends SegmentRef {
  readonly type: 'lost';
}

/** Ask for a segment from `offsetBytes` on. */
export interface RequestMessage extends SegmentRef {
  readonly type: 'request';
  readonly requestId: number;
  readonly offsetBytes: number;
  /**
   * The requester waits this many ms at most for the rest of the segment (then it fetches it
   * elsewhere): an uploader that could not finish in time answers BUSY, and serves the most
   * urgent requests first.
   */
  readonly withinMs: number;
}

export interface CancelMessage {
  readonly type: 'cancel';
  readonly requestId: number;
}

/** One chunk of a requested segment. */
export interface DataMessage {
  readonly type: 'data';
  readonly requestId: number;
  readonly offsetBytes: number;
  /**
   * The whole segment's size. The first DATA of a transfer carries it; later ones may leave it out
   * (DATA_CONTINUED_CODE: 9 header bytes instead of 13, a third less of the control overhead that
   * DATA headers are), and the receiver holds it from the first.
   */
  readonly totalBytes?: number;
  readonly payload: Uint8Array;
}

/** The sender does not have the requested segment. */
export interface AbsentMessage {
  readonly type: 'absent';
  readonly requestId: number;
}

/** The sender has it but will not serve now (too many uploads). */
export interface BusyMessage {
  readonly type: 'busy';
  readonly requestId: number;
}

/**
 * The request was admitted and waits its turn behind the sender's other uploads: sent while it
 * waits, every so often, so the requester does not take the silence for a stall (protocol 3).
 */
export interface QueuedMessage {
  readonly type: 'queued';
  readonly requestId: number;
}

/**
 * The requester's report of a transfer's progress (protocol 4): it had `offsetBytes` of request
 * `requestId` (the end of the DATA message just received) at `atMs` on its own clock (ms, modulo
 * 2^32). Sent for a transfer's first DATA message and then every so often. The uploader compares the
 * arrival times with its own send times: a one-way delay growing above its least is a queue filling
 * on the way, and the uploader paces its uploads down (see EngineConfig.uploadDelayTargetMs).
 */
export interface ReceiptMessage {
  readonly type: 'receipt';
  readonly requestId: number;
  readonly offsetBytes: number;
  readonly atMs: number;
}

/**
 * The sender's player asks for a live segment nobody near it holds or is receiving, and the receiver
 * is, by the sender's rendezvous, the one to fetch it over HTTP (protocol 5). The receiver fetches
 * it at once if it too counts itself the top fetcher and knows where the segment is, instead of when its
 * own player asks (up to a target duration later). No URL travels: the receiver finds it from its
 * own player's URLs, so a peer cannot make it fetch anything its player would not.
 */
export interface WantMessage extends SegmentRef {
  readonly type: 'want';
}

/**
 * The sender's upload as it measures it now, in kbit/s (protocol 7): what HELLO's uploadKbps says,
 * for a sender that did not know it when it said hello. The engine sends it when its measure moves
 * to another power of two, at most every few seconds (see uplink-announcer.ts in the core).
 */
export interface UplinkMessage {
  readonly type: 'uplink';
  readonly uploadKbps: number;
}

export type PeerMessage =
  | HelloMessage
  | HaveMapMessage
  | HaveMessage
  | ReceivingMessage
  | LostMessage
  | RequestMessage
  | CancelMessage
  | DataMessage
  | AbsentMessage
  | BusyMessage
  | QueuedMessage
  | ReceiptMessage
  | WantMessage
  | UplinkMessage;

export type PeerMessageType = PeerMessage['type'];
