/**
 * Hand-written checks for the tracker's hot messages (signal, peers, ping), exactly as strict as
 * ClientMessageSchema: they accept only what the schema accepts, and return the parsed JSON itself
 * instead of valibot's copy. They never reject: anything they do not accept goes on to the schema,
 * which then accepts it or makes the error message. The fuzz test in test/tracker-fast-check.test.ts
 * holds them to the schema.
 */
import { ID_PATTERN, LIMITS } from './limits.js';
import type { ClientMessage } from './tracker-messages.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own enumerable keys of a JSON.parse result (which has no inherited ones), counted without an array. */
function keyCount(object: Json): number {
  let n = 0;
  for (const _ in object) n += 1;
  return n;
}

function isSwarmId(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= LIMITS.maxSwarmIdLength;
}

function isSignalData(data: unknown): boolean {
  if (!isObject(data)) return false;
  if (data.kind === 'description') {
    const { sdpType, sdp } = data;
    return keyCount(data) === 3 && (sdpType === 'offer' || sdpType === 'answer') && typeof sdp === 'string' && sdp.length <= LIMITS.maxSdpLength;
  }
  if (data.kind === 'candidate') {
    const { candidate, sdpMid, sdpMLineIndex } = data;
    return (
      keyCount(data) === 4 &&
      typeof candidate === 'string' &&
      candidate.length <= LIMITS.maxCandidateLength &&
      (sdpMid === null || (typeof sdpMid === 'string' && sdpMid.length <= 64)) &&
      (sdpMLineIndex === null || (typeof sdpMLineIndex === 'number' && Number.isInteger(sdpMLineIndex) && sdpMLineIndex >= 0 && sdpMLineIndex <= 255))
    );
  }
  if (data.kind === 'decline') return keyCount(data) === 1;
  return false;
}

/** The message when it is a valid signal, peers or ping; undefined for anything else (valid or not). */
export function fastCheckClientMessage(json: unknown): ClientMessage | undefined {
  if (!isObject(json)) return undefined;
  switch (json.type) {
    case 'signal':
      return keyCount(json) === 4 && isSwarmId(json.swarm) && typeof json.to === 'string' && ID_PATTERN.test(json.to) && isSignalData(json.data)
        ? (json as ClientMessage)
        : undefined;
    case 'peers':
      return keyCount(json) === 2 && isSwarmId(json.swarm) ? (json as ClientMessage) : undefined;
    case 'ping':
      return keyCount(json) === 1 ? (json as ClientMessage) : undefined;
    default:
      return undefined;
  }
}
