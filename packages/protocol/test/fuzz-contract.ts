/**
 * The contract the decoder fuzz properties check (peer-fuzz.ts, tracker-fuzz.ts), shared by
 * peer-codec-fuzz.test.ts, tracker-messages.test.ts and packages/protocol/scripts/fuzz.ts (which
 * runs them with a larger count).
 *
 * Contract checked on every input: the decoder either returns a message that is valid again
 * (peer: re-encodes to the very same bytes; tracker: passes the schema and survives a
 * serialize/parse round trip) or throws a ProtocolError with one of its documented codes.
 * Any other exception, or a non-canonical accept, fails the property.
 */
import { AssertionError } from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError, type ProtocolErrorCode } from '../src/index.ts';

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

export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}` : `non-Error thrown: ${String(e)}`;
}

/** Characters an error message must not carry raw: it ends up in logs. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Returns the code of an expected rejection; throws an AssertionError for anything else. */
export function expectedRejection(e: unknown, codes: ReadonlySet<ProtocolErrorCode>, what: string): ProtocolErrorCode {
  if (!(e instanceof ProtocolError)) {
    throw new AssertionError({ message: `${what} threw something other than a ProtocolError: ${describeError(e)}` });
  }
  if (!codes.has(e.code)) throw new AssertionError({ message: `${what} threw ProtocolError with unexpected code ${e.code}` });
  if (!e.message.startsWith(`${e.code}: `) || e.message.length > MAX_ERROR_MESSAGE_CHARS || CONTROL_CHARS.test(e.message)) {
    throw new AssertionError({ message: `${what} threw a malformed ProtocolError: ${e.message.slice(0, 300)}` });
  }
  return e.code;
}

export function hex(bytes: Uint8Array, max = 48): string {
  const head = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${head} … (${bytes.length} bytes)` : head;
}

/** A property with its name, run by fc.assert with the given count (and seed, to reproduce a run). */
export interface NamedProperty {
  readonly name: string;
  run(params: { numRuns: number; seed?: number }): void;
}

export function named<Ts extends [unknown]>(name: string, property: fc.IProperty<Ts>): NamedProperty {
  return { name, run: (params) => fc.assert(property, params) };
}
