import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DATA_CONTINUED_CODE,
  LIMITS,
  PEER_PROTOCOL_VERSION,
  PeerMessageCode,
  ProtocolError,
  decodePeerMessage,
  encodePeerMessage,
  type PeerMessage,
  type ProtocolErrorCode,
} from '../src/index.ts';
import { U32_MAX, bytesEqual, haveMapBytes, peerArbs, peerMessageArb, seededBytes, seededHaveMap, seededId } from './arbitraries.ts';

/** Asserts that `fn` throws a ProtocolError with `code` (and a message naming it). */
function assertProtocolError(fn: () => unknown, code: ProtocolErrorCode, messagePart?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `expected a ProtocolError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.name, 'ProtocolError');
    assert.ok(e.message.startsWith(`${code}: `), e.message);
    if (messagePart !== undefined) assert.ok(e.message.includes(messagePart), `"${e.message}" should mention "${messagePart}"`);
    return true;
  });
}

function roundTrip(msg: PeerMessage): void {
  const bytes = encodePeerMessage(msg);
  assert.ok(bytes.length <= LIMITS.maxPeerMessageBytes, `${msg.type} encodes to ${bytes.length} bytes`);
  assert.equal(bytes[0], msg.type === 'data' && msg.totalBytes === undefined ? DATA_CONTINUED_CODE : PeerMessageCode[msg.type]);
  const decoded = decodePeerMessage(bytes);
  assert.deepStrictEqual(decoded, msg);
  assert.ok(bytesEqual(encodePeerMessage(decoded), bytes), 'decode then encode gives back the same bytes');
  if (msg.type === 'data' && decoded.type === 'data') {
    assert.ok(bytesEqual(decoded.payload, msg.payload), 'DATA payload bytes survive');
  }
}

void describe('peer codec: round trip', () => {
  for (const [type, arb] of Object.entries(peerArbs)) {
    void test(`${type}: decode(encode(m)) deep-equals m, encode(decode(b)) gives back b`, () => {
      fc.assert(fc.property(arb, roundTrip), { numRuns: type === 'haveMap' || type === 'data' ? 300 : 500 });
    });
  }

  void test('any message type, mixed', () => {
    fc.assert(fc.property(peerMessageArb, roundTrip), { numRuns: 1000 });
  });

  void test('fixed wire layout (big-endian, u8 length-prefixed ids)', () => {
    const cases: [PeerMessage, number[]][] = [
      [
        { type: 'hello', version: PEER_PROTOCOL_VERSION, peerId: 'ab', uploadKbps: 0x01020304 },
        [1, PEER_PROTOCOL_VERSION, 2, 0x61, 0x62, 1, 2, 3, 4],
      ],
      [{ type: 'haveMap', entries: [] }, [2, 0, 0]],
      [
        { type: 'haveMap', entries: [{ rendition: 'r', sn: 258, state: 'receiving' }] },
        [2, 0, 1, 1, 0x72, 0, 0, 1, 2, 1],
      ],
      [{ type: 'have', rendition: 'r', sn: 7, sizeBytes: 1000 }, [3, 1, 0x72, 0, 0, 0, 7, 0, 0, 3, 0xe8]],
      [{ type: 'receiving', rendition: 'r', sn: U32_MAX }, [4, 1, 0x72, 255, 255, 255, 255]],
      [{ type: 'lost', rendition: 'r', sn: 0 }, [5, 1, 0x72, 0, 0, 0, 0]],
      [{ type: 'request', requestId: 9, rendition: 'r', sn: 1, offsetBytes: 2, withinMs: 1500 }, [6, 0, 0, 0, 9, 1, 0x72, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0x05, 0xdc]],
      [{ type: 'cancel', requestId: 0x80000000 }, [7, 0x80, 0, 0, 0]],
      [
        { type: 'data', requestId: 1, offsetBytes: 2, totalBytes: 5, payload: Uint8Array.of(0xaa, 0xbb, 0xcc) },
        [8, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0xaa, 0xbb, 0xcc],
      ],
      [{ type: 'absent', requestId: 3 }, [9, 0, 0, 0, 3]],
      [{ type: 'busy', requestId: 4 }, [10, 0, 0, 0, 4]],
      [{ type: 'queued', requestId: 5 }, [11, 0, 0, 0, 5]],
      [{ type: 'receipt', requestId: 6, offsetBytes: 0x1000, atMs: 0x01020304 }, [12, 0, 0, 0, 6, 0, 0, 0x10, 0, 1, 2, 3, 4]],
      [{ type: 'want', rendition: 'r', sn: 258 }, [13, 1, 0x72, 0, 0, 1, 2]],
      [{ type: 'uplink', uploadKbps: 600 }, [15, 0, 0, 0x02, 0x58]],
    ];
    for (const [msg, wire] of cases) {
      assert.deepStrictEqual(Array.from(encodePeerMessage(msg)), wire, msg.type);
      roundTrip(msg);
    }
  });

  void test('boundary values: 64-char ids, u32 max, maxSegmentBytes, a maxChunkBytes payload', () => {
    const id = seededId(64, 1);
    roundTrip({ type: 'hello', version: 255, peerId: id, uploadKbps: U32_MAX });
    roundTrip({ type: 'hello', version: 0, peerId: 'a', uploadKbps: 0 });
    roundTrip({ type: 'have', rendition: id, sn: U32_MAX, sizeBytes: LIMITS.maxSegmentBytes });
    roundTrip({ type: 'have', rendition: 'a', sn: 0, sizeBytes: 1 });
    roundTrip({ type: 'request', requestId: U32_MAX, rendition: id, sn: U32_MAX, offsetBytes: U32_MAX, withinMs: U32_MAX });
    const payload = seededBytes(LIMITS.maxChunkBytes, 7);
    roundTrip({ type: 'data', requestId: U32_MAX, offsetBytes: 0, totalBytes: LIMITS.maxChunkBytes, payload });
    roundTrip({
      type: 'data',
      requestId: 0,
      offsetBytes: LIMITS.maxSegmentBytes - LIMITS.maxChunkBytes,
      totalBytes: LIMITS.maxSegmentBytes,
      payload,
    });
    roundTrip({ type: 'data', requestId: 0, offsetBytes: LIMITS.maxSegmentBytes - 1, totalBytes: LIMITS.maxSegmentBytes, payload: Uint8Array.of(1) });
  });

  void test('a HAVE-MAP of maxHaveMapEntries entries round-trips', () => {
    const msg = seededHaveMap(LIMITS.maxHaveMapEntries, 42, 16);
    assert.equal(msg.entries.length, LIMITS.maxHaveMapEntries);
    roundTrip(msg);
  });

  void test('a HAVE-MAP of exactly maxPeerMessageBytes round-trips, one byte more does not encode', () => {
    // 4093 entries of 64 bytes (58-char ids) + 3 of 63 bytes (57-char ids) + 3 header bytes = 262144.
    const entries = Array.from({ length: LIMITS.maxHaveMapEntries }, (_, i) => ({
      rendition: seededId(i < 4093 ? 58 : 57, i),
      sn: i,
      state: i % 2 === 0 ? ('have' as const) : ('receiving' as const),
    }));
    assert.equal(haveMapBytes(entries), LIMITS.maxPeerMessageBytes);
    roundTrip({ type: 'haveMap', entries });
    const last = entries.at(-1);
    assert.ok(last !== undefined);
    const tooBig = [...entries.slice(0, -1), { ...last, rendition: `${last.rendition}x` }];
    assertProtocolError(() => encodePeerMessage({ type: 'haveMap', entries: tooBig }), 'PEER_MSG_TOO_LARGE');
  });

  void test('DATA without totalBytes: 9 header bytes, code DATA_CONTINUED_CODE, bounded by the largest segment', () => {
    const msg: PeerMessage = { type: 'data', requestId: 9, offsetBytes: 4096, payload: Uint8Array.of(5, 6, 7) };
    const bytes = encodePeerMessage(msg);
    assert.equal(bytes.length, 9 + 3);
    assert.equal(bytes[0], DATA_CONTINUED_CODE);
    const decoded = decodePeerMessage(bytes);
    assert.deepStrictEqual(decoded, msg);
    assert.ok(!('totalBytes' in decoded), 'no totalBytes key, not one set to undefined');
    roundTrip({ type: 'data', requestId: U32_MAX, offsetBytes: LIMITS.maxSegmentBytes - 1, payload: Uint8Array.of(1) });
    assertProtocolError(() => encodePeerMessage({ type: 'data', requestId: 1, offsetBytes: LIMITS.maxSegmentBytes, payload: Uint8Array.of(1) }), 'PEER_MSG_BAD_FIELD', 'largest segment');
    const past = Uint8Array.of(DATA_CONTINUED_CODE, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 1);
    assertProtocolError(() => decodePeerMessage(past), 'PEER_MSG_BAD_FIELD', 'largest segment');
    assertProtocolError(() => decodePeerMessage(Uint8Array.of(DATA_CONTINUED_CODE, 0, 0, 0, 1, 0, 0, 0, 0)), 'PEER_MSG_BAD_FIELD', 'empty data chunk');
  });

  void test('a decoded DATA payload is a view of the input: its bytes, not a copy', () => {
    const bytes = encodePeerMessage({ type: 'data', requestId: 1, offsetBytes: 0, totalBytes: 4, payload: Uint8Array.of(1, 2, 3, 4) });
    const decoded = decodePeerMessage(bytes);
    assert.equal(decoded.type, 'data');
    assert.deepStrictEqual(Array.from(decoded.payload), [1, 2, 3, 4]);
    assert.equal(decoded.payload.buffer, bytes.buffer);
  });

  void test('decodes from a subarray with a non-zero byteOffset', () => {
    const msg: PeerMessage = { type: 'request', requestId: 5, rendition: '1080p', sn: 12, offsetBytes: 1024, withinMs: 3000 };
    const inner = encodePeerMessage(msg);
    const backing = new Uint8Array(inner.length + 7).fill(0xee);
    backing.set(inner, 3);
    assert.deepStrictEqual(decodePeerMessage(backing.subarray(3, 3 + inner.length)), msg);
  });
});

void describe('peer codec: encoding out-of-bounds fields throws PEER_MSG_BAD_FIELD', () => {
  const badIds = ['', 'x'.repeat(65), 'a b', 'é', 'ä'.repeat(40), 'a/b', 'a\n', '\u0000', 'a:b', '😀', '\ufeffa'];
  const badU32s = [-1, -0.5, 1.5, 2 ** 32, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

  void test('ids not matching ID_PATTERN (peerId, rendition)', () => {
    for (const id of badIds) {
      assertProtocolError(() => encodePeerMessage({ type: 'hello', version: 1, peerId: id, uploadKbps: 0 }), 'PEER_MSG_BAD_FIELD', 'peerId');
      assertProtocolError(() => encodePeerMessage({ type: 'have', rendition: id, sn: 0, sizeBytes: 1 }), 'PEER_MSG_BAD_FIELD', 'rendition');
      assertProtocolError(() => encodePeerMessage({ type: 'receiving', rendition: id, sn: 0 }), 'PEER_MSG_BAD_FIELD', 'rendition');
      assertProtocolError(() => encodePeerMessage({ type: 'lost', rendition: id, sn: 0 }), 'PEER_MSG_BAD_FIELD', 'rendition');
      assertProtocolError(
        () => encodePeerMessage({ type: 'request', requestId: 0, rendition: id, sn: 0, offsetBytes: 0, withinMs: 0 }),
        'PEER_MSG_BAD_FIELD',
        'rendition',
      );
      assertProtocolError(
        () => encodePeerMessage({ type: 'haveMap', entries: [{ rendition: 'ok', sn: 0, state: 'have' }, { rendition: id, sn: 0, state: 'have' }] }),
        'PEER_MSG_BAD_FIELD',
        'rendition',
      );
    }
  });

  void test('negative, non-integer, non-finite and > u32 numbers in every u32 field', () => {
    for (const n of badU32s) {
      const cases: [PeerMessage, string][] = [
        [{ type: 'hello', version: 1, peerId: 'p', uploadKbps: n }, 'uploadKbps'],
        [{ type: 'haveMap', entries: [{ rendition: 'r', sn: n, state: 'have' }] }, 'sn'],
        [{ type: 'have', rendition: 'r', sn: n, sizeBytes: 1 }, 'sn'],
        [{ type: 'have', rendition: 'r', sn: 0, sizeBytes: n }, 'sizeBytes'],
        [{ type: 'receiving', rendition: 'r', sn: n }, 'sn'],
        [{ type: 'lost', rendition: 'r', sn: n }, 'sn'],
        [{ type: 'request', requestId: n, rendition: 'r', sn: 0, offsetBytes: 0, withinMs: 0 }, 'requestId'],
        [{ type: 'request', requestId: 0, rendition: 'r', sn: n, offsetBytes: 0, withinMs: 0 }, 'sn'],
        [{ type: 'request', requestId: 0, rendition: 'r', sn: 0, offsetBytes: n, withinMs: 0 }, 'offsetBytes'],
        [{ type: 'request', requestId: 0, rendition: 'r', sn: 0, offsetBytes: 0, withinMs: n }, 'withinMs'],
        [{ type: 'cancel', requestId: n }, 'requestId'],
        [{ type: 'absent', requestId: n }, 'requestId'],
        [{ type: 'busy', requestId: n }, 'requestId'],
        [{ type: 'queued', requestId: n }, 'requestId'],
        [{ type: 'receipt', requestId: n, offsetBytes: 0, atMs: 0 }, 'requestId'],
        [{ type: 'receipt', requestId: 0, offsetBytes: n, atMs: 0 }, 'offsetBytes'],
        [{ type: 'receipt', requestId: 0, offsetBytes: 0, atMs: n }, 'atMs'],
        [{ type: 'data', requestId: n, offsetBytes: 0, totalBytes: 1, payload: Uint8Array.of(1) }, 'requestId'],
        [{ type: 'data', requestId: 0, offsetBytes: n, totalBytes: 10, payload: Uint8Array.of(1) }, 'offsetBytes'],
        [{ type: 'data', requestId: 0, offsetBytes: 0, totalBytes: n, payload: Uint8Array.of(1) }, 'totalBytes'],
      ];
      for (const [msg, field] of cases) assertProtocolError(() => encodePeerMessage(msg), 'PEER_MSG_BAD_FIELD', field);
    }
  });

  void test('hello version must be a u8', () => {
    for (const version of [-1, 256, 1.5, Number.NaN]) {
      assertProtocolError(() => encodePeerMessage({ type: 'hello', version, peerId: 'p', uploadKbps: 0 }), 'PEER_MSG_BAD_FIELD', 'version');
    }
  });

  void test('have sizeBytes must be in 1..maxSegmentBytes (0 used to encode, then fail to decode)', () => {
    for (const sizeBytes of [0, LIMITS.maxSegmentBytes + 1, U32_MAX]) {
      assertProtocolError(() => encodePeerMessage({ type: 'have', rendition: 'r', sn: 0, sizeBytes }), 'PEER_MSG_BAD_FIELD', 'sizeBytes');
    }
  });

  void test('DATA: payload too big, empty, past totalBytes; totalBytes 0 or above maxSegmentBytes', () => {
    const data = (offsetBytes: number, totalBytes: number, payload: Uint8Array): PeerMessage => ({ type: 'data', requestId: 1, offsetBytes, totalBytes, payload });
    const max = LIMITS.maxSegmentBytes;
    assertProtocolError(() => encodePeerMessage(data(0, max, new Uint8Array(LIMITS.maxChunkBytes + 1))), 'PEER_MSG_BAD_FIELD', 'payload');
    assertProtocolError(() => encodePeerMessage(data(0, max, new Uint8Array(LIMITS.maxPeerMessageBytes))), 'PEER_MSG_BAD_FIELD', 'payload');
    assertProtocolError(() => encodePeerMessage(data(0, 10, new Uint8Array(0))), 'PEER_MSG_BAD_FIELD', 'empty');
    assertProtocolError(() => encodePeerMessage(data(8, 10, new Uint8Array(3))), 'PEER_MSG_BAD_FIELD', 'past totalBytes');
    assertProtocolError(() => encodePeerMessage(data(10, 10, new Uint8Array(1))), 'PEER_MSG_BAD_FIELD', 'past totalBytes');
    assertProtocolError(() => encodePeerMessage(data(U32_MAX, max, new Uint8Array(1))), 'PEER_MSG_BAD_FIELD', 'past totalBytes');
    assertProtocolError(() => encodePeerMessage(data(0, 0, new Uint8Array(1))), 'PEER_MSG_BAD_FIELD', 'totalBytes');
    assertProtocolError(() => encodePeerMessage(data(0, max + 1, new Uint8Array(1))), 'PEER_MSG_BAD_FIELD', 'totalBytes');
  });

  void test('HAVE-MAP with more than maxHaveMapEntries entries', () => {
    const entries = Array.from({ length: LIMITS.maxHaveMapEntries + 1 }, (_, i) => ({ rendition: 'r', sn: i, state: 'have' as const }));
    assertProtocolError(() => encodePeerMessage({ type: 'haveMap', entries }), 'PEER_MSG_BAD_FIELD', 'entries');
  });

  void test('property: a valid message with one field made invalid never encodes', () => {
    const badNumber = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: -1 }),
      fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ noInteger: true }),
      fc.constantFrom(Number.NaN, Infinity, -Infinity),
    );
    const badId = fc.oneof(
      fc.constantFrom(...badIds),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }).filter((s) => !/^[A-Za-z0-9._~-]{1,64}$/.test(s)),
    );
    fc.assert(
      fc.property(peerMessageArb, badNumber, badId, fc.nat(), (msg, n, id, pick) => {
        const fields = Object.keys(msg).filter((k) => k !== 'type' && k !== 'payload' && k !== 'entries' && k !== 'version');
        let broken: PeerMessage;
        if (msg.type === 'haveMap') {
          if (msg.entries.length === 0) return;
          const i = pick % msg.entries.length;
          const entry = msg.entries[i];
          assert.ok(entry !== undefined);
          const replaced = pick % 2 === 0 ? { ...entry, rendition: id } : { ...entry, sn: n };
          broken = { type: 'haveMap', entries: msg.entries.map((e, j) => (j === i ? replaced : e)) };
        } else {
          const field = fields[pick % fields.length];
          assert.ok(field !== undefined);
          const value = field === 'peerId' || field === 'rendition' ? id : n;
          broken = { ...msg, [field]: value };
        }
        assertProtocolError(() => encodePeerMessage(broken), 'PEER_MSG_BAD_FIELD');
      }),
      { numRuns: 1000 },
    );
  });
});
