/**
 * The tracker parsers' fuzz properties: any string, mutated valid messages and valid messages must
 * meet the contract of fuzz-contract.ts, on the client and the server side.
 */
import { AssertionError } from 'node:assert/strict';
import fc from 'fast-check';
import * as v from 'valibot';
import {
  ClientMessageSchema,
  LIMITS,
  ProtocolError,
  ServerMessageSchema,
  parseClientMessage,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type ServerMessage,
} from '../src/index.ts';
import { clientMessageArb, serverMessageArb } from './arbitraries.ts';
import { TRACKER_CODES, describeError, expectedRejection, named, type NamedProperty, type Tally } from './fuzz-contract.ts';

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
