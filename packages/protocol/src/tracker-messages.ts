import * as v from 'valibot';
import { ProtocolError } from './errors.js';
import { ID_PATTERN, LIMITS, TRACKER_PROTOCOL_VERSION } from './limits.js';

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
]);
export type SignalData = v.InferOutput<typeof SignalDataSchema>;

/** Messages a peer sends to the tracker. */
export const ClientMessageSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('join'),
    protocol: v.literal(TRACKER_PROTOCOL_VERSION),
    swarm: swarmId,
    /** The joiner's upload estimate in kbit/s, 0 if unknown. */
    uploadKbps: v.optional(u32, 0),
  }),
  v.strictObject({ type: v.literal('leave'), swarm: swarmId }),
  /** Ask for more peers (after losing some). */
  v.strictObject({ type: v.literal('peers'), swarm: swarmId }),
  v.strictObject({ type: v.literal('signal'), swarm: swarmId, to: peerId, data: SignalDataSchema }),
  v.strictObject({ type: v.literal('ping') }),
]);
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>;

/** Messages the tracker sends to a peer. */
export const ServerMessageSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('welcome'),
    protocol: v.literal(TRACKER_PROTOCOL_VERSION),
    peerId,
    /** How often the client must send something (ping) so the tracker keeps it. */
    heartbeatMs: u32,
  }),
  v.strictObject({ type: v.literal('joined'), swarm: swarmId, peers: peerList }),
  v.strictObject({ type: v.literal('peers'), swarm: swarmId, peers: peerList }),
  v.strictObject({ type: v.literal('signal'), swarm: swarmId, from: peerId, data: SignalDataSchema }),
  v.strictObject({ type: v.literal('pong') }),
  v.strictObject({
    type: v.literal('error'),
    code: v.pipe(v.string(), v.maxLength(64)),
    message: v.pipe(v.string(), v.maxLength(1024)),
  }),
]);
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>;

function parseWith<S extends v.GenericSchema>(schema: S, text: string, who: string): v.InferOutput<S> {
  // Length in UTF-16 units bounds the UTF-8 size to at most 3x; check both cheaply.
  if (text.length > LIMITS.maxTrackerMessageBytes) {
    throw new ProtocolError('TRACKER_MSG_TOO_LARGE', `${who} message of ${text.length} chars, limit ${LIMITS.maxTrackerMessageBytes}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError('TRACKER_MSG_NOT_JSON', `${who} message is not JSON`, { cause });
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new ProtocolError('TRACKER_MSG_INVALID', `${who} message invalid${path ? ` at ${path}` : ''}: ${issue.message}`);
  }
  return result.output;
}

/** Parses a text frame received by the tracker. Throws ProtocolError on anything invalid. */
export function parseClientMessage(text: string): ClientMessage {
  return parseWith(ClientMessageSchema, text, 'client');
}

/** Parses a text frame received from the tracker. Throws ProtocolError on anything invalid. */
export function parseServerMessage(text: string): ServerMessage {
  return parseWith(ServerMessageSchema, text, 'server');
}

export function serializeMessage(msg: ClientMessage | ServerMessage): string {
  return JSON.stringify(msg);
}
