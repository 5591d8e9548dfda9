import * as v from 'valibot';
import { ProtocolError } from './errors.js';
import { IntegrityKeySchema, SegmentRecordSchema } from './integrity.js';
import { GROUP_PATTERN, ICE_URL_PATTERN, ID_PATTERN, LIMITS, TRACKER_PROTOCOL_VERSION } from './limits.js';
import { fastCheckClientMessage } from './tracker-fast-check.js';

const peerId = v.pipe(v.string(), v.regex(ID_PATTERN));
const swarmId = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxSwarmIdLength));
const peerList = v.pipe(v.array(peerId), v.maxLength(LIMITS.maxPeersInList));
const u32 = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff));

/** WebRTC signaling payloads relayed by the tracker, opaque to it except for their shape and size. */
export const SignalDataSchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('description'),
    sdpType: v.picklist(['offer', 'answer']),
    sdp: v.pipe(v.string(), v.maxLength(LIMITS.maxSdpLength)),
  }),
  v.strictObject({
    kind: v.literal('candidate'),
    candidate: v.pipe(v.string(), v.maxLength(LIMITS.maxCandidateLength)),
    sdpMid: v.nullable(v.pipe(v.string(), v.maxLength(64))),
    sdpMLineIndex: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255))),
  }),
  // The answerer has no room for another connection: the offerer gives up now, not at its timeout.
  v.strictObject({ kind: v.literal('decline') }),
]);
export type SignalData = v.InferOutput<typeof SignalDataSchema>;
/** The signals a WebRTC connection consumes (a decline is for the engine, not the connection). */
export type ConnectionSignal = Exclude<SignalData, { kind: 'decline' }>;

/** A TURN username or credential: printable ASCII. */
const iceSecret = v.pipe(v.string(), v.maxLength(LIMITS.maxIceCredentialLength), v.regex(/^[\x20-\x7e]*$/));

/**
 * A STUN/TURN server the tracker hands a peer for its WebRTC connections (the shape of an
 * RTCIceServer, with urls always a list); TURN entries carry credentials minted for that peer.
 */
export const IceServerSchema = v.strictObject({
  urls: v.pipe(
    v.array(v.pipe(v.string(), v.maxLength(LIMITS.maxIceUrlLength), v.regex(ICE_URL_PATTERN))),
    v.minLength(1),
    v.maxLength(LIMITS.maxIceServerUrls),
  ),
  username: v.optional(iceSecret),
  credential: v.optional(iceSecret),
});
export type IceServer = v.InferOutput<typeof IceServerSchema>;

const summaryBytes = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(LIMITS.maxSummaryBytes));

/**
 * A peer's playback and delivery counters for one swarm, sent every summaryIntervalMs (announced in
 * welcome; a tracker that announces none gets none). Counters are cumulative over the peer's
 * connection, so a lost report loses nothing: the next one carries it.
 */
export const PeerSummarySchema = v.strictObject({
  type: v.literal('summary'),
  swarm: swarmId,
  /** Segment bytes received over HTTP (the origin/CDN). */
  httpBytes: summaryBytes,
  /** Segment bytes received from peers: the origin egress this peer saved. */
  p2pBytes: summaryBytes,
  /** Segment bytes sent to peers. */
  uploadedBytes: summaryBytes,
  segmentsHttp: u32,
  segmentsP2p: u32,
  /** Playback stalls after startup, as the player integration counted them (0 if it reports none). */
  stalls: u32,
  stalledMs: summaryBytes,
  /** Distance to the live edge now, in ms; null when unknown or VOD. */
  liveLatencyMs: v.nullable(u32),
  /** Peers connected now. */
  peers: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(LIMITS.maxSummaryPeers)),
});
export type PeerSummary = v.InferOutput<typeof PeerSummarySchema>;

/** Messages a peer sends to the tracker. */
export const ClientMessageSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('join'),
    protocol: v.literal(TRACKER_PROTOCOL_VERSION),
    swarm: swarmId,
    /** The joiner's upload estimate in kbit/s, 0 if unknown. */
    uploadKbps: v.optional(u32, 0),
    /** Join token, when the stream requires one. */
    token: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.maxJoinTokenLength))),
    /** Group label: the tracker introduces the joiner only to members of the same group. */
    group: v.optional(v.pipe(v.string(), v.regex(GROUP_PATTERN))),
    /**
     * The joiner fetches every new segment over HTTP as it appears and serves it (an edge peer): the
     * tracker lists it to joiners first and names it in `seeders`.
     */
    seeder: v.optional(v.boolean()),
  }),
  v.strictObject({ type: v.literal('leave'), swarm: swarmId }),
  /** Ask for more peers (after losing some). */
  v.strictObject({ type: v.literal('peers'), swarm: swarmId }),
  v.strictObject({ type: v.literal('signal'), swarm: swarmId, to: peerId, data: SignalDataSchema }),
  v.strictObject({ type: v.literal('ping') }),
  /** Ask for the signed records of segments (a late joiner, or VOD); answered with `records`. */
  v.strictObject({
    type: v.literal('get-records'),
    swarm: swarmId,
    rendition: v.pipe(v.string(), v.regex(ID_PATTERN)),
    sns: v.pipe(v.array(u32), v.minLength(1), v.maxLength(LIMITS.maxRecordsPerMessage)),
  }),
  PeerSummarySchema,
]);
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>;

/**
 * The `error` code a tracker node sends before closing (1001) on shutdown: the node is going away,
 * so the peer reconnects at once (to another node, or to this one restarted) instead of backing off.
 */
export const TRACKER_SHUTDOWN_CODE = 'TRACKER_SHUTDOWN';

/** Messages the tracker sends to a peer. */
export const ServerMessageSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('welcome'),
    protocol: v.literal(TRACKER_PROTOCOL_VERSION),
    peerId,
    /** How often the client must send something (ping) so the tracker keeps it. */
    heartbeatMs: u32,
    /** Keys the tracker's integrity authority signs with (players may pin their own instead). */
    integrityKeys: v.optional(v.pipe(v.array(IntegrityKeySchema), v.maxLength(LIMITS.maxIntegrityKeys))),
    /** STUN/TURN servers for this peer's connections (TURN credentials are this peer's own, time-limited). */
    iceServers: v.optional(v.pipe(v.array(IceServerSchema), v.maxLength(LIMITS.maxIceServers))),
    /**
     * The tracker takes peer summaries no more often than this (ms); absent: it takes none, so a
     * client never sends a summary to a tracker that predates them.
     */
    summaryIntervalMs: v.optional(v.pipe(u32, v.minValue(1))),
  }),
  /** `seeders`: the ids among `peers` that joined as seeders (absent when none). */
  v.strictObject({ type: v.literal('joined'), swarm: swarmId, peers: peerList, seeders: v.optional(peerList) }),
  v.strictObject({ type: v.literal('peers'), swarm: swarmId, peers: peerList, seeders: v.optional(peerList) }),
  v.strictObject({ type: v.literal('signal'), swarm: swarmId, from: peerId, data: SignalDataSchema }),
  v.strictObject({ type: v.literal('pong') }),
  /** Signed hashes of segments of the swarm's stream, pushed as the authority makes them. */
  v.strictObject({
    type: v.literal('records'),
    swarm: swarmId,
    records: v.pipe(v.array(SegmentRecordSchema), v.maxLength(LIMITS.maxRecordsPerMessage)),
  }),
  v.strictObject({
    type: v.literal('error'),
    code: v.pipe(v.string(), v.maxLength(64)),
    message: v.pipe(v.string(), v.maxLength(1024)),
  }),
]);
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>;

/**
 * UTF-8 size of `text` as a WebSocket would send it (a lone surrogate becomes U+FFFD, 3 bytes),
 * counting no further than `limit + 1`.
 */
export function utf8Length(text: string, limit: number): number {
  let n = 0;
  for (let i = 0; i < text.length && n <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Makes an untrusted part of an error message safe to log: issues quote received values and keys,
 * which may be huge or hold line breaks and other control characters.
 */
export function clip(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `data.sdp`, `peers.3`; keys that are not plain names are quoted: `"a b"`, `""`. */
export function formatPath(path: readonly { key: unknown }[] | undefined): string {
  return (path ?? []).map(({ key }) => (typeof key === 'string' && !/^[A-Za-z_$][\w$]*$/.test(key) ? JSON.stringify(key) : String(key))).join('.');
}

function parseWith<S extends v.GenericSchema>(schema: S, text: string, who: string, fastCheck?: (json: unknown) => v.InferOutput<S> | undefined): v.InferOutput<S> {
  // Length in UTF-16 units bounds the UTF-8 size from below (and from above at 3x): reject on it
  // first without reading the text, then count UTF-8 bytes only when the text could be too large.
  const limit = LIMITS.maxTrackerMessageBytes;
  if (text.length > limit) {
    throw new ProtocolError('TRACKER_MSG_TOO_LARGE', `${who} message of ${text.length} chars, limit ${limit} bytes`);
  }
  if (text.length * 3 > limit && utf8Length(text, limit) > limit) {
    throw new ProtocolError('TRACKER_MSG_TOO_LARGE', `${who} message of more than ${limit} UTF-8 bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError('TRACKER_MSG_NOT_JSON', `${who} message is not JSON`, { cause });
  }
  // The hot messages skip valibot; whatever the fast check does not accept gets the full schema.
  const fast = fastCheck?.(json);
  if (fast !== undefined) return fast;
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = clip(formatPath(issue.path), 128);
    throw new ProtocolError('TRACKER_MSG_INVALID', `${who} message invalid${path ? ` at ${path}` : ''}: ${clip(issue.message, 256)}`);
  }
  return result.output;
}

/** Parses a text frame received by the tracker. Throws ProtocolError on anything invalid. */
export function parseClientMessage(text: string): ClientMessage {
  return parseWith(ClientMessageSchema, text, 'client', fastCheckClientMessage);
}

/** Parses a text frame received from the tracker. Throws ProtocolError on anything invalid. */
export function parseServerMessage(text: string): ServerMessage {
  return parseWith(ServerMessageSchema, text, 'server');
}

export function serializeMessage(msg: ClientMessage | ServerMessage): string {
  return JSON.stringify(msg);
}
