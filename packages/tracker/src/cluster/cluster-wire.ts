/**
 * Messages between tracker nodes over Redis pub/sub: a header line, then a server message exactly as
 * a peer would receive it. Another node is trusted no more than a client: every message is size-
 * checked and parsed with the protocol's own schema before anything acts on it.
 */
import { ID_PATTERN, LIMITS, ProtocolError, parseServerMessage } from '@swarmcast/protocol';
import type { ServerMessage } from '@swarmcast/protocol';
import { NODE_ID_PATTERN } from './cluster-config.js';

/** A header line of at most 64 characters, then one tracker message. */
export const MAX_CLUSTER_MESSAGE_CHARS = LIMITS.maxTrackerMessageBytes + 65;

export type SignalMessage = Extract<ServerMessage, { type: 'signal' }>;
export type RecordsMessage = Extract<ServerMessage, { type: 'records' }>;

/** A signal for peer `to` on the node whose channel it is published on. */
export function encodeSignal(to: string, serializedSignal: string): string {
  return `${to}\n${serializedSignal}`;
}

/** Records published on node `from`, for every other node. */
export function encodeRecords(from: string, serializedRecords: string): string {
  return `${from}\n${serializedRecords}`;
}

/** Throws ProtocolError on anything but a valid signal envelope. */
export function decodeSignal(text: string): { to: string; msg: SignalMessage } {
  const [to, msg] = split(text);
  if (!ID_PATTERN.test(to)) throw invalid('bad addressee');
  const parsed = parseServerMessage(msg);
  if (parsed.type !== 'signal') throw invalid(`expected signal, got ${parsed.type}`);
  return { to, msg: parsed };
}

/** Throws ProtocolError on anything but a valid records envelope. */
export function decodeRecords(text: string): { from: string; msg: RecordsMessage } {
  const [from, msg] = split(text);
  if (!NODE_ID_PATTERN.test(from)) throw invalid('bad node id');
  const parsed = parseServerMessage(msg);
  if (parsed.type !== 'records') throw invalid(`expected records, got ${parsed.type}`);
  return { from, msg: parsed };
}

function split(text: string): [string, string] {
  if (text.length > MAX_CLUSTER_MESSAGE_CHARS) throw new ProtocolError('TRACKER_MSG_TOO_LARGE', `cluster message of ${text.length} chars`);
  const cut = text.indexOf('\n');
  if (cut <= 0 || cut > 64) throw invalid('no header line');
  return [text.slice(0, cut), text.slice(cut + 1)];
}

function invalid(what: string): ProtocolError {
  return new ProtocolError('TRACKER_MSG_INVALID', `cluster message invalid: ${what}`);
}
