/**
 * The peer decoder's fuzz properties: any byte string, mutated valid encodings and valid encodings
 * must meet the contract of fuzz-contract.ts.
 */
import { AssertionError } from 'node:assert/strict';
import fc from 'fast-check';
import { LIMITS, decodePeerMessage, encodePeerMessage, type PeerMessage } from '../src/index.ts';
import { bytesEqual, concatBytes, peerMessageArb, seededBytes, U32_MAX } from './arbitraries.ts';
import { PEER_CODES, describeError, expectedRejection, hex, named, type NamedProperty, type Tally } from './fuzz-contract.ts';

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
