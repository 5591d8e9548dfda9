/**
 * The decoder fuzz properties, shared by peer-codec-fuzz.test.ts, tracker-messages.test.ts and
 * packages/protocol/scripts/fuzz.ts (which runs them with a larger count).
 *
 * Contract checked on every input: the decoder either returns a message that is valid again
 * (peer: re-encodes to the very same bytes; tracker: passes the schema and survives a
 * serialize/parse round trip) or throws a ProtocolError with one of its documented codes.
 * Any other exception, or a non-canonical accept, fails the property.
 */
import { AssertionError } from 'node:assert/strict';
import fc from 'fast-check';
import * as v from 'valibot';
import {
  ClientMessageSchema,
  LIMITS,
  ProtocolError,
  ServerMessageSchema,
  decodePeerMessage,
  encodePeerMessage,
  parseClientMessage,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type PeerMessage,
  type ProtocolErrorCode,
  type ServerMessage,
} from '../src/index.ts';
import { bytesEqual, clientMessageArb, concatBytes, peerMessageArb, seededBytes, serverMessageArb, U32_MAX } from './arbitraries.ts';

export const PEER_CODES: ReadonlySet<ProtocolErrorCode> = new Set<ProtocolErrorCode>([
  'PEER_MSG_EMPTY',
  'PEER_MSG_TOO_LARGE',
  'PEER_MSG_UNKNOWN_TYPE',
  'PEER_MSG_TRUNCATED',
  'PEER_MSG_TRAILING_BYTES',
  'PEER_MSG_BAD_FIELD',
]);
export const TRACKER_CODES: ReadonlySet<ProtocolErrorCode> = new Set<ProtocolErrorCode>([
  'TRACKER_MSG_TOO_LARGE',
  'TRACKER_MSG_NOT_JSON',
  'TRACKER_MSG_INVALID',
]);

/** Longest error message a decoder may produce: it is logged, and may be relayed in an `error` message. */
export const MAX_ERROR_MESSAGE_CHARS = 1024;

/** Outcome counts of one decoder: 'accepted' or a ProtocolError code. */
export class Tally {
  readonly counts = new Map<string, number>();
  total = 0;
  maxMs = 0;

  add(outcome: string, ms: number): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  merge(other: Tally): void {
    for (const [k, n] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + n);
    this.total += other.total;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  lines(): string[] {
    return [...this.counts]
      .sort(([a], [b]) => (a === 'accepted' ? -1 : b === 'accepted' ? 1 : a.localeCompare(b)))
      .map(([k, n]) => `${k.padEnd(26)} ${String(n).padStart(9)}`);
  }
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}` : `non-Error thrown: ${String(e)}`;
}

/** Characters an error message must not carry raw: it ends up in logs. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Returns the code of an expected rejection; throws an AssertionError for anything else. */
function expectedRejection(e: unknown, codes: ReadonlySet<ProtocolErrorCode>, what: string): ProtocolErrorCode {
  if (!(e instanceof ProtocolError)) {
    throw new AssertionError({ message: `${what} threw something other than a ProtocolError: ${describeError(e)}` });
  }
  if (!codes.has(e.code)) throw new AssertionError({ message: `${what} threw ProtocolError with unexpected code ${e.code}` });
  if (!e.message.startsWith(`${e.code}: `) || e.message.length > MAX_ERROR_MESSAGE_CHARS || CONTROL_CHARS.test(e.message)) {
    throw new AssertionError({ message: `${what} threw a malformed ProtocolError: ${e.message.slice(0, 300)}` });
  }
  return e.code;
}

function hex(bytes: Uint8Array, max = 48): string {
  const head = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${head} … (${bytes.length} bytes)` : head;
}

// ---------------------------------------------------------------------------------------------
// Peer decoder

/**
 * Decodes `bytes` and checks the contract. Returns 'accepted' or the rejection code; throws an
 * AssertionError on a contract violation.
 */
export function checkPeerBytes(bytes: Uint8Array, tally?: Tally): string {
  const t0 = performance.now();
  const outcome = peerOutcome(bytes);
  tally?.add(outcome, performance.now() - t0);
  return outcome;
}

function peerOutcome(bytes: Uint8Array): string {
  let msg: PeerMessage;
  try {
    msg = decodePeerMessage(bytes);
  } catch (e) {
    return expectedRejection(e, PEER_CODES, `decodePeerMessage(${hex(bytes)})`);
  }
  let again: Uint8Array;
  try {
    again = encodePeerMessage(msg);
  } catch (e) {
    throw new AssertionError({ message: `decoded ${msg.type} from ${hex(bytes)} does not re-encode: ${describeError(e)}` });
  }
  if (!bytesEqual(again, bytes)) {
    throw new AssertionError({ message: `decoded ${msg.type} is not canonical: ${hex(bytes)} re-encodes to ${hex(again)}` });
  }
  return 'accepted';
}

/** Peer message type bytes 0..13: every known type plus one unknown on each side. */
const typeByteArb = fc.integer({ min: 0, max: 13 });

/** Lengths of special interest: around the 256 KiB message limit and the DATA chunk limit. */
const bigLengthArb = fc.oneof(
  fc.integer({ min: 0, max: 300 * 1024 }),
  fc.constantFrom(
    LIMITS.maxPeerMessageBytes - 1,
    LIMITS.maxPeerMessageBytes,
    LIMITS.maxPeerMessageBytes + 1,
    LIMITS.maxChunkBytes + 12,
    LIMITS.maxChunkBytes + 13,
    LIMITS.maxChunkBytes + 14,
    300 * 1024,
  ),
);

/** Any byte string up to 300 KiB; most start with a known type byte so they get past the first check. */
export const anyBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600, size: 'max' }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(typeByteArb, fc.uint8Array({ maxLength: 200, size: 'medium' }))
      .map(([t, rest]) => concatBytes(Uint8Array.of(t), rest)),
  },
  {
    weight: 1,
    arbitrary: fc.record({ length: bigLengthArb, seed: fc.integer(), type: fc.option(typeByteArb) }).map(({ length, seed, type }) => {
      const b = seededBytes(length, seed);
      if (type !== null && length > 0) b[0] = type;
      return b;
    }),
  },
);

export type PeerMutation =
  | { readonly kind: 'flip'; readonly pos: number; readonly bit: number }
  | { readonly kind: 'truncate'; readonly pos: number }
  | { readonly kind: 'append'; readonly bytes: Uint8Array }
  | { readonly kind: 'insert'; readonly pos: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly pos: number; readonly count: number }
  | { readonly kind: 'type'; readonly value: number }
  | { readonly kind: 'set'; readonly pos: number; readonly value: number }
  | { readonly kind: 'length'; readonly which: number; readonly value: number }
  | { readonly kind: 'u32'; readonly pos: number; readonly value: number }
  | { readonly kind: 'grow'; readonly to: number };

/** Offsets of the length fields of an encoding (id length bytes, the HAVE-MAP count). */
function lengthFieldOffsets(b: Uint8Array): number[] {
  switch (b[0]) {
    case 1:
      return [2];
    case 2:
      return [1, 2, 3];
    case 3:
    case 4:
    case 5:
      return [1];
    case 6:
      return [5];
    default:
      return [0];
  }
}

const byteValueArb = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 63, 64, 65, 0x7f, 0x80, 0xbf, 0xc0, 0xef, 0xfe, 0xff));

export const peerMutationArb: fc.Arbitrary<PeerMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip'), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate'), pos: fc.nat() }),
  fc.record({ kind: fc.constant('append'), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('insert'), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete'), pos: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('type'), value: fc.oneof(typeByteArb, fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('set'), pos: fc.nat(), value: byteValueArb }),
  fc.record({ kind: fc.constant('length'), which: fc.nat(), value: byteValueArb }),
  fc.record({ kind: fc.constant('u32'), pos: fc.nat(), value: fc.constantFrom(0, 1, LIMITS.maxSegmentBytes, LIMITS.maxSegmentBytes + 1, 0x8000_0000, U32_MAX) }),
  fc.record({ kind: fc.constant('grow'), to: fc.constantFrom(LIMITS.maxPeerMessageBytes, LIMITS.maxPeerMessageBytes + 1) }),
);

export function applyPeerMutation(b: Uint8Array, m: PeerMutation): Uint8Array {
  const at = (pos: number, extra = 0): number => pos % (b.length + extra || 1);
  switch (m.kind) {
    case 'flip': {
      if (b.length === 0) return b;
      const out = b.slice();
      const i = at(m.pos);
      out[i] = (out[i] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'truncate':
      return b.slice(0, at(m.pos, 1));
    case 'append':
      return concatBytes(b, m.bytes);
    case 'insert': {
      const i = at(m.pos, 1);
      return concatBytes(b.subarray(0, i), m.bytes, b.subarray(i));
    }
    case 'delete': {
      const i = at(m.pos, 1);
      return concatBytes(b.subarray(0, i), b.subarray(i + m.count));
    }
    case 'type':
    case 'set':
    case 'length': {
      if (b.length === 0) return b;
      const out = b.slice();
      const offsets = lengthFieldOffsets(b);
      const i = m.kind === 'type' ? 0 : m.kind === 'set' ? at(m.pos) : (offsets[m.which % offsets.length] ?? 0);
      if (i < out.length) out[i] = m.value;
      return out;
    }
    case 'u32': {
      if (b.length < 4) return b;
      const out = b.slice();
      new DataView(out.buffer).setUint32(m.pos % (b.length - 3), m.value);
      return out;
    }
    case 'grow':
      return b.length >= m.to ? b : concatBytes(b, new Uint8Array(m.to - b.length));
  }
}

/** A valid encoding with one to four mutations applied in sequence. */
export const mutatedPeerBytesArb: fc.Arbitrary<Uint8Array> = fc
  .tuple(peerMessageArb, fc.array(peerMutationArb, { minLength: 1, maxLength: 4 }))
  .map(([msg, mutations]) => mutations.reduce(applyPeerMutation, encodePeerMessage(msg)));

/** A property with its name, run by fc.assert with the given count (and seed, to reproduce a run). */
export interface NamedProperty {
  readonly name: string;
  run(params: { numRuns: number; seed?: number }): void;
}

function named<Ts extends [unknown]>(name: string, property: fc.IProperty<Ts>): NamedProperty {
  return { name, run: (params) => fc.assert(property, params) };
}

/** The peer decoder properties. */
export function peerProperties(tally: Tally): NamedProperty[] {
  return [
    named('peer: any byte string', fc.property(anyBytesArb, (b) => void checkPeerBytes(b, tally))),
    named('peer: mutated valid encodings', fc.property(mutatedPeerBytesArb, (b) => void checkPeerBytes(b, tally))),
    named(
      'peer: valid encodings',
      fc.property(peerMessageArb.map(encodePeerMessage), (b) => {
        if (checkPeerBytes(b, tally) !== 'accepted') throw new AssertionError({ message: `valid encoding rejected: ${hex(b)}` });
      }),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Tracker parsers

export type TrackerSide = 'client' | 'server';

const parsers = {
  client: { parse: parseClientMessage, schema: ClientMessageSchema },
  server: { parse: parseServerMessage, schema: ServerMessageSchema },
} as const;

/** What an invalid-message error looks like: the side, the failing path if any, then valibot's reason. */
const INVALID_MESSAGE = /^TRACKER_MSG_INVALID: (client|server) message invalid( at \S.*)?: \S/;

/**
 * Parses `text` with one side's parser and checks the contract. Returns 'accepted' or the
 * rejection code; throws an AssertionError on a contract violation.
 */
export function checkTrackerText(text: string, side: TrackerSide, tally?: Tally): string {
  const t0 = performance.now();
  const outcome = trackerOutcome(text, side);
  tally?.add(outcome, performance.now() - t0);
  return outcome;
}

function trackerOutcome(text: string, side: TrackerSide): string {
  const { parse, schema } = parsers[side];
  let parsed: ClientMessage | ServerMessage;
  try {
    parsed = parse(text);
  } catch (e) {
    const code = expectedRejection(e, TRACKER_CODES, `parse ${side} message ${JSON.stringify(text.slice(0, 200))}`);
    if (code === 'TRACKER_MSG_INVALID' && e instanceof Error && !INVALID_MESSAGE.test(e.message)) {
      throw new AssertionError({ message: `unreadable error message: ${e.message.slice(0, 300)}` });
    }
    return code;
  }
  if (!v.safeParse(schema, parsed).success) {
    throw new AssertionError({ message: `parsed ${side} message fails its schema: ${text.slice(0, 200)}` });
  }
  // Serializing can legitimately grow the text past the limit (escaped lone surrogates, a
  // defaulted uploadKbps), so a too-large re-parse is the one allowed failure.
  // Compared as text: JSON has no -0, which the schemas let through ("uploadKbps": -0).
  const text1 = serializeMessage(parsed);
  let again: ClientMessage | ServerMessage;
  try {
    again = parse(text1);
  } catch (e) {
    if (e instanceof ProtocolError && e.code === 'TRACKER_MSG_TOO_LARGE') return 'accepted';
    throw new AssertionError({ message: `re-parse of a parsed ${side} message failed: ${describeError(e)}` });
  }
  if (serializeMessage(again) !== text1) throw new AssertionError({ message: `${side} message changes on a round trip: ${text1.slice(0, 200)}` });
  return 'accepted';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Replaced in the serialized text by a deeply nested array (JSON.stringify itself would overflow). */
const DEEP = '\u0000deep-nesting\u0000';

export type TrackerMutation =
  | { readonly kind: 'delete'; readonly key: number; readonly nested: boolean }
  | { readonly kind: 'add'; readonly name: string; readonly value: Json; readonly nested: boolean }
  | { readonly kind: 'retype'; readonly key: number; readonly value: Json; readonly nested: boolean }
  | { readonly kind: 'text'; readonly pos: number; readonly op: 'truncate' | 'delete' | 'insert'; readonly char: string };

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];

const keyNameArb = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS, 'extra', '', 'type ', 'TYPE', 'Type', 'swarm\u0000', 'data', 'kind', 'sdp', 'uploadKbps', 'type'),
  fc.string({ maxLength: 12 }),
);

/** Wrong-typed and out-of-range values, huge strings and deep nesting. */
const badValueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 2 ** 32, -0, 1e308, '', 'x', [], {}, [1], { a: 1 }, 'join', 'ping', 'offer', 'description', 256),
  fc.constantFrom(65, 512, 513, 1024, 1025, 32 * 1024, 32 * 1024 + 1, 60_000, 70_000).map((n) => 'x'.repeat(n)),
  fc.constantFrom(DEEP),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

export const trackerMutationArb: fc.Arbitrary<TrackerMutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete'), key: fc.nat(), nested: fc.boolean() }),
  fc.record({ kind: fc.constant('add'), name: keyNameArb, value: badValueArb, nested: fc.boolean() }),
  fc.record({ kind: fc.constant('retype'), key: fc.nat(), value: badValueArb, nested: fc.boolean() }),
  fc.record({
    kind: fc.constant('text'),
    pos: fc.nat(),
    op: fc.constantFrom('truncate' as const, 'delete' as const, 'insert' as const),
    char: fc.oneof(fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', ' ', '0', '-', 'e', 'n', '\u2028', '\ud800'), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })),
  }),
);

/** Sets an own property, even for '__proto__' (plain assignment would set the prototype). */
function setOwn(o: JsonObject, key: string, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function applyObjectMutation(root: JsonObject, m: Exclude<TrackerMutation, { kind: 'text' }>): void {
  // A copy: badValueArb hands out shared objects ({}, [1]...). Set as is, one could become `data` and
  // then receive itself (a circular message JSON.stringify throws on), and later runs saw the
  // constants mutated.
  if (m.kind !== 'delete') m = { ...m, value: structuredClone(m.value) };
  const inner = root.data;
  const target = m.nested && inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? inner : root;
  const keys = Object.keys(target);
  switch (m.kind) {
    case 'delete': {
      const k = keys[m.key % Math.max(keys.length, 1)];
      if (k !== undefined) Reflect.deleteProperty(target, k);
      return;
    }
    case 'add':
      setOwn(target, m.name, m.value);
      return;
    case 'retype': {
      const k = keys[m.key % Math.max(keys.length, 1)];
      if (k !== undefined) setOwn(target, k, m.value);
      return;
    }
  }
}

function serializeMutated(root: JsonObject, depth: number): string {
  const text = JSON.stringify(root);
  return text.split(JSON.stringify(DEEP)).join('['.repeat(depth) + ']'.repeat(depth));
}

/** A valid client or server message (as text) with one to four mutations. */
export const mutatedTrackerTextArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(clientMessageArb, serverMessageArb),
    fc.array(trackerMutationArb, { minLength: 1, maxLength: 4 }),
    fc.constantFrom(2, 100, 5_000, 30_000),
  )
  .map(([msg, mutations, depth]) => {
    const root = JSON.parse(JSON.stringify(msg)) as JsonObject;
    for (const m of mutations) if (m.kind !== 'text') applyObjectMutation(root, m);
    let text = serializeMutated(root, depth);
    for (const m of mutations) {
      if (m.kind !== 'text') continue;
      const i = m.pos % (text.length + 1);
      if (m.op === 'truncate') text = text.slice(0, i);
      else if (m.op === 'delete') text = text.slice(0, i) + text.slice(i + 1);
      else text = text.slice(0, i) + m.char + text.slice(i);
    }
    return text;
  });

/** Strings of every sort: random text, random JSON, near the size limit in ASCII and multibyte. */
export const anyTrackerTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 4, arbitrary: fc.json() },
  { weight: 2, arbitrary: fc.json({ maxDepth: 6 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(LIMITS.maxTrackerMessageBytes - 1, LIMITS.maxTrackerMessageBytes, LIMITS.maxTrackerMessageBytes + 1, 30_000),
        fc.constantFrom('a', 'é', '€', '😀', '\ud800'),
      )
      .map(([bytes, unit]) => nearLimitSignal(bytes, unit)),
  },
);

/** UTF-8 bytes of one `unit` as sent on a WebSocket (a lone surrogate becomes U+FFFD). */
function unitBytes(unit: string): number {
  return unit === '\ud800' ? 3 : new TextEncoder().encode(unit).length;
}

/**
 * A client signal message of exactly `bytes` UTF-8 bytes (when reachable): an SDP made of `unit`
 * as long as the schema allows, padded with JSON whitespace.
 */
export function nearLimitSignal(bytes: number, unit: string): string {
  const head = '{"type":"signal","swarm":"s","to":"p","data":{"kind":"description","sdpType":"offer","sdp":"';
  const tail = '"}}';
  const count = Math.max(0, Math.min(Math.floor((bytes - head.length - tail.length) / unitBytes(unit)), Math.floor(LIMITS.maxSdpLength / unit.length)));
  const text = head + unit.repeat(count) + tail;
  return text + ' '.repeat(Math.max(0, bytes - head.length - tail.length - count * unitBytes(unit)));
}

export function trackerProperties(tallies: Record<TrackerSide, Tally>): NamedProperty[] {
  const both = (text: string): void => {
    checkTrackerText(text, 'client', tallies.client);
    checkTrackerText(text, 'server', tallies.server);
  };
  return [
    named('tracker: any string', fc.property(anyTrackerTextArb, both)),
    named('tracker: mutated valid messages', fc.property(mutatedTrackerTextArb, both)),
    named(
      'tracker: valid messages',
      fc.property(fc.oneof(clientMessageArb.map((m) => ['client', m] as const), serverMessageArb.map((m) => ['server', m] as const)), ([side, m]) => {
        const outcome = checkTrackerText(serializeMessage(m), side, tallies[side]);
        if (outcome !== 'accepted') throw new AssertionError({ message: `valid ${side} message rejected: ${outcome}` });
      }),
    ),
  ];
}
