import type { PeerMessageType } from '@swarmcast/protocol';

/**
 * Why a segment (or the rest of one) came over HTTP: one count per HTTP segment fetch, by the last
 * thing that sent it there. Operators and benches read where the origin egress comes from.
 */
export interface HttpFetchReasons {
  /** Less than minP2pSlackMs before the deadline (startup, a seek, a thin buffer), no connected peer held it whole. */
  slack: number;
  /** The same, while a connected peer held it whole but could not be asked (see startupPeerWaitMs). */
  slackHeld: number;
  /** Peers' bytes could not have been checked: integrity required, no key, or no record could come. */
  integrity: number;
  /** Named an HTTP fetcher of the segment by rendezvous hashing, and no peer had it yet. */
  designated: number;
  /** No peer announced the segment before maxAnnounceWaitMs or the P2P deadline ran out. */
  unannounced: number;
  /** The last peer asked answered BUSY. */
  peerBusy: number;
  /** The last peer asked answered ABSENT, closed, or sent a size that did not match. */
  peerFailed: number;
  /** The last peer asked was sending, but not done by the P2P deadline (or sent no first byte in time as a relay). */
  peerLate: number;
  /** The last peer asked went silent for p2pStallTimeoutMs (loss recovery on its path, a saturated uplink, or a liar). */
  peerStalled: number;
  /** Bytes from peers came whole but did not match (or wait out) their signed record. */
  unverified: number;
}

export type HttpFetchReason = keyof HttpFetchReasons;

/** Requests from peers we answered BUSY, by why. */
export interface UploadRefusals {
  /** Our uplink would not get the first chunk out within uploadAdmissionDelayMs. */
  firstChunk: number;
  /**
   * Our uplink could not finish it before the requester's own deadline (its REQUEST's withinMs), or
   * only by making an upload accepted before it late.
   */
  deadline: number;
  /** Unmeasured uplink, busy with other peers' uploads (nothing known yet to admit more against). */
  unmeasured: number;
  /** The peer already had maxUploadsPerPeer uploads from us. */
  limit: number;
  /**
   * Our own copy, still arriving, would at its pace be whole only after the requester stops
   * waiting: we could relay it no faster (see RELAY_PACE_AFTER_MS in peer.ts).
   */
  incoming: number;
}

export type UploadRefusal = keyof UploadRefusals;

/** Transfers late for their P2P deadline that went on for a head of the rest while HTTP fetched its tail (see late-split.ts). */
export interface LateSplits {
  /** Late transfers split between their peer and an HTTP tail instead of leaving the whole rest to HTTP. */
  splits: number;
  /** Of those, heads the peer did not finish in time: the gap came over HTTP too. */
  gaps: number;
  /** Segment bytes the late peers sent after their P2P deadline and we kept. */
  headBytes: number;
}

/**
 * Our requests to peers for a segment (or its rest), by how each ended. With the time each gave its
 * peer, it says whether peers fail for want of time (the live edge too near, too many tries before
 * the last) or of capacity.
 */
export interface PeerAttempts {
  /** The peer sent the whole segment (or its rest) by the P2P deadline. */
  delivered: number;
  /** Still sending at the P2P deadline, or, as a relay, not started by then. */
  late: number;
  /** Of `late`: not one byte had come (a relay not started, a queue too long). */
  lateUnstarted: number;
  /** Of `lateUnstarted`: the peer had said QUEUED (admitted, its turn never came in time). */
  lateQueued: number;
  /** Of `late`: asked of a relay (a peer still receiving the segment, as fast as its own source at most). */
  lateRelay: number;
  /** Of `lateRelay`: cancelled before the P2P deadline for a holder that could send the rest in time (EngineConfig.relayHandoverAfterMs). */
  handedOver: number;
  /** Of `delivered`: from a relay. */
  deliveredRelay: number;
  /** From each delivered request to its first byte, ms in all (divided by `delivered`: the usual wait for a turn). */
  deliveredFirstByteMs: number;
  /** Silent for p2pStallTimeoutMs. */
  stalled: number;
  /** Answered BUSY. */
  busy: number;
  /** Answered ABSENT, closed, or sent a size that did not match. */
  failed: number;
  /** Time the delivered ones had when asked (the P2P deadline minus the request's time), ms in all. */
  deliveredWithinMs: number;
  /** The same for the late ones: divided by `late`, how long a late peer was given on average. */
  lateWithinMs: number;
}

export type PeerAttemptOutcome = 'delivered' | 'late' | 'stalled' | 'busy' | 'failed';

/** How a request to a peer went, beyond its outcome (see PeerAttempts). */
export interface PeerAttemptDetail {
  /** From the request to the first byte, ms; undefined when none came. */
  readonly firstByteMs: number | undefined;
  /** The peer was still receiving the segment when asked. */
  readonly relay: boolean;
  /** The peer said QUEUED for it. */
  readonly queued: boolean;
  /** It was a relay too slow for the deadline, left for a holder (see PeerAttempts.handedOver). */
  readonly handedOver: boolean;
}

/** Counts one request to a peer in `attempts`: its outcome, the time it had when asked, and its detail. */
export function countPeerAttempt(attempts: PeerAttempts, outcome: PeerAttemptOutcome, withinMs: number, detail: PeerAttemptDetail): void {
  attempts[outcome] += 1;
  if (outcome === 'delivered') {
    attempts.deliveredWithinMs += withinMs;
    attempts.deliveredFirstByteMs += detail.firstByteMs ?? 0;
    if (detail.relay) attempts.deliveredRelay += 1;
  } else if (outcome === 'late') {
    attempts.lateWithinMs += withinMs;
    if (detail.relay) attempts.lateRelay += 1;
    if (detail.handedOver) attempts.handedOver += 1;
    if (detail.firstByteMs === undefined) {
      attempts.lateUnstarted += 1;
      if (detail.queued) attempts.lateQueued += 1;
    }
  }
}

/** Counts DataChannel bytes in `counters`: control messages sent (by `type`) and received, and uploaded segment bytes. */
export function countPeerBytes(counters: EngineStats, kind: 'controlSent' | 'controlReceived' | 'uploaded', bytes: number, type: PeerMessageType | undefined): void {
  if (kind === 'controlSent') {
    counters.controlBytesSent += bytes;
    if (type !== undefined) counters.controlBytesSentByType[type] += bytes;
  } else if (kind === 'controlReceived') counters.controlBytesReceived += bytes;
  else counters.uploadedBytes += bytes;
}

/** See EngineStats.silencesExcused. */
export interface SilencesExcused {
  uplink: number;
  credit: number;
}

export type SilenceExcuse = keyof SilencesExcused;

export function emptyHttpFetchReasons(): HttpFetchReasons {
  return { slack: 0, slackHeld: 0, integrity: 0, designated: 0, unannounced: 0, peerBusy: 0, peerFailed: 0, peerLate: 0, peerStalled: 0, unverified: 0 };
}

/** Counters the engine keeps; every figure the dashboard and benchmarks use comes from here. */
export interface EngineStats {
  /** Segment bytes received over HTTP. */
  httpBytes: number;
  /** Segment bytes received from peers. */
  p2pBytes: number;
  /** Segment bytes sent to peers. */
  uploadedBytes: number;
  /** Non-data bytes sent on DataChannels (messages other than DATA, plus DATA headers). */
  controlBytesSent: number;
  /** controlBytesSent by message type ('data': the DATA headers), to see what the overhead is made of. */
  controlBytesSentByType: Record<PeerMessageType, number>;
  controlBytesReceived: number;
  /** Bytes exchanged with the tracker, both ways. */
  trackerBytes: number;
  segmentsFromHttp: number;
  segmentsFromP2p: number;
  /** Segments served from the local store (already counted when acquired). */
  segmentsFromStore: number;
  /** Segments fetched from peers before the player asked for them (see Prefetcher). */
  segmentsPrefetched: number;
  /** WANT messages sent: our player asked for a segment nobody near us had, and we told its top HTTP fetcher (see Wants). */
  wantsSent: number;
  /** WANT messages received. */
  wantsReceived: number;
  /** Segments fetched over HTTP before our player asked, because a peer wanted them. */
  wantFetches: number;
  /** Fetches a WANT started from a predicted URL that the player then named otherwise (dropped, fetched again). */
  wantUrlMismatches: number;
  /** P2P attempts that gave up and left the rest to HTTP or another peer. */
  p2pFallbacks: number;
  /** HTTP segment fetches (whole or the rest of one) by why they went to HTTP. */
  httpFetchReasons: HttpFetchReasons;
  /**
   * Silences of peers on our requests that read as lies but were excused (the request cancelled,
   * the peer kept): `uplink`, our own uplink was saturated meanwhile; `credit`, the peer had served
   * us enough whole segments to pay for it.
   */
  silencesExcused: SilencesExcused;
  /** Peers' requests answered BUSY, by why (see UploadRefusals). */
  uploadRefusals: UploadRefusals;
  /** Late transfers that went on for a head while HTTP fetched the tail (see LateSplits). */
  lateSplits: LateSplits;
  /** Our requests to peers, by how they ended (see PeerAttempts). */
  peerAttempts: PeerAttempts;
  /** Loads due too soon for peers that waited for or asked a seeder (see EngineConfig.seederWaitMs). */
  seederAttempts: number;
  /** ...of which the seeder delivered the segment whole. */
  seederDeliveries: number;
  /** Time those loads spent on the seeder before their bytes or HTTP, ms in all. */
  seederWaitMs: number;
  /** Loads due too soon for the usual P2P attempt, with no seeder, asked of a holder (see EngineConfig.urgentPeerWaitMs). */
  urgentPeerAttempts: number;
  /** Of urgentPeerAttempts, those the holder delivered whole in time. */
  urgentPeerDeliveries: number;
  /** HTTP fetches for a peer reason (peerBusy, peerFailed, peerLate, peerStalled, unverified) whose last peer asked was a seeder. */
  httpFetchesAfterSeeder: number;
  /** P2P segments that matched their signed record. */
  segmentsVerified: number;
  /** P2P segments dropped because their record did not arrive in time. */
  segmentsUnverifiable: number;
  /** Records dropped for a bad signature or an unknown key. */
  recordsRejected: number;
  /** Signed VOD hash lists fetched and verified (one per rendition). */
  vodListsFetched: number;
  /** Live records documents fetched over HTTP (integrityRecordsUrl) while the tracker was down. */
  liveRecordFetches: number;
  /** Such fetches that failed: network, non-2xx (404 before the first record), too large or invalid. */
  liveRecordFetchFailures: number;
  /** Peers cut off for sending bytes that did not match a signed record. */
  integrityFailures: number;
  /** Connections closed because the remote broke the protocol (or sent bad bytes). */
  peerViolations: number;
  /**
   * Our uplink as measured from how fast our DataChannels drain while backlogged, bytes per second;
   * null until measured (a fast uplink's bursts may never last long enough).
   */
  uplinkBytesPerSec: number | null;
  /**
   * The delay-based pace of our uploads (EngineConfig.uploadDelayTargetMs), bytes per second; null
   * while none was needed (no queue seen above the target) or it is off.
   */
  uploadPaceBytesPerSec: number | null;
  /**
   * How late the engine's timers fire now, ms (a recent high, see EngineConfig.timerLagHalfLifeMs):
   * a viewer short of CPU. That much more time is kept for HTTP.
   */
  timerLagMs: number;
  /** How long after start() the swarm was joined, ms (see EngineConfig.maxJoinDelayMs); null before. */
  joinDelayMs: number | null;
  /**
   * Time spent hashing peer-sourced segments (SHA-256), ms on the engine's clock from the call to
   * the digest (WebCrypto is asynchronous: an upper bound of the CPU time).
   */
  hashMs: number;
  /** Segments hashed for verification. */
  segmentsHashed: number;
  /** Time spent checking record signatures (Ed25519), ms, measured the same way. */
  signatureMs: number;
  /** Record signatures checked (good or bad). */
  signaturesChecked: number;
  /** Connections whose path broke (ICE disconnected or failed): no requests went to them until it came back. */
  linkInterruptions: number;
  /** Interrupted connections that came back by themselves. */
  linkRecoveries: number;
  /** Interrupted connections that came back after an ICE restart. */
  linkRestarts: number;
  /** Interrupted connections that closed instead (the engine replaces them with other connections). */
  interruptedLinksClosed: number;
  /** Peers connected, past HELLO and with a working path now. */
  peers: number;
}

export function emptyStats(): EngineStats {
  return {
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    controlBytesSent: 0,
    controlBytesSentByType: { hello: 0, haveMap: 0, have: 0, receiving: 0, lost: 0, request: 0, cancel: 0, data: 0, absent: 0, busy: 0, queued: 0, receipt: 0, want: 0, uplink: 0 },
    controlBytesReceived: 0,
    trackerBytes: 0,
    segmentsFromHttp: 0,
    segmentsFromP2p: 0,
    segmentsFromStore: 0,
    segmentsPrefetched: 0,
    wantsSent: 0,
    wantsReceived: 0,
    wantFetches: 0,
    wantUrlMismatches: 0,
    p2pFallbacks: 0,
    httpFetchReasons: emptyHttpFetchReasons(),
    uploadRefusals: { firstChunk: 0, deadline: 0, unmeasured: 0, limit: 0, incoming: 0 },
    lateSplits: { splits: 0, gaps: 0, headBytes: 0 },
    peerAttempts: { delivered: 0, late: 0, lateUnstarted: 0, lateQueued: 0, lateRelay: 0, handedOver: 0, deliveredRelay: 0, deliveredFirstByteMs: 0, stalled: 0, busy: 0, failed: 0, deliveredWithinMs: 0, lateWithinMs: 0 },
    silencesExcused: { uplink: 0, credit: 0 },
    seederAttempts: 0,
    seederDeliveries: 0,
    seederWaitMs: 0,
    urgentPeerAttempts: 0,
    urgentPeerDeliveries: 0,
    httpFetchesAfterSeeder: 0,
    segmentsVerified: 0,
    segmentsUnverifiable: 0,
    vodListsFetched: 0,
    liveRecordFetches: 0,
    liveRecordFetchFailures: 0,
    integrityFailures: 0,
    recordsRejected: 0,
    peerViolations: 0,
    hashMs: 0,
    segmentsHashed: 0,
    signatureMs: 0,
    signaturesChecked: 0,
    linkInterruptions: 0,
    linkRecoveries: 0,
    linkRestarts: 0,
    interruptedLinksClosed: 0,
    peers: 0,
    uplinkBytesPerSec: null,
    uploadPaceBytesPerSec: null,
    timerLagMs: 0,
    joinDelayMs: null,
  };
}
