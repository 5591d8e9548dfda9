/**
 * The codec's fast paths (ids checked and encoded once, bytes written and read by index, ASCII ids
 * read without TextDecoder) give the very bytes and values of the plain implementation in
 * reference-codec.ts, and hand out buffers no later message touches.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MAX_CACHED_IDS, cachedIdCount, decodeIdText } from '../src/id-bytes.ts';
import { ProtocolError, decodePeerMessage, encodePeerMessage, type PeerMessage } from '../src/index.ts';
import { bytesEqual, peerMessageArb } from './arbitraries.ts';
import { ReferenceReader, referenceEncode } from './reference-codec.ts';

/** Bytes that are mostly id characters, sometimes anything (non-ASCII, broken UTF-8). */
const idishBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 70 }),
  fc.array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 70 }).map((a) => Uint8Array.from(a)),
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => new TextEncoder().encode(s)),
);

function referenceText(bytes: Uint8Array): string | undefined {
  return new ReferenceReader(bytes).text(bytes.length);
}

function fastText(bytes: Uint8Array): string | undefined {
  try {
    return decodeIdText(bytes, 0, bytes.length);
  } catch {
    return undefined;
  }
}

void describe('peer codec fast paths', () => {
  void test('every message encodes to the bytes of the reference encoder, in a buffer of its own', () => {
    fc.assert(
      fc.property(peerMessageArb, (msg: PeerMessage) => {
        const first = encodePeerMessage(msg);
        const again = encodePeerMessage(msg);
        assert.ok(bytesEqual(first, referenceEncode(msg)), `${msg.type}: differs from the reference`);
        assert.ok(bytesEqual(again, first), `${msg.type}: a second encoding differs`);
        assert.notEqual(again.buffer, first.buffer, 'two messages share a buffer');
        assert.equal(first.byteOffset, 0);
        assert.equal(first.buffer.byteLength, first.length, 'the buffer is sized exactly');
      }),
      { numRuns: 1000 },
    );
  });

  void test('writing into an encoded message changes no later encoding (cached id bytes are copied)', () => {
    const msg: PeerMessage = { type: 'have', rendition: 'r1abc.p3', sn: 5, sizeBytes: 1000 };
    const expected = referenceEncode(msg);
    for (let i = 0; i < 3; i++) {
      const bytes = encodePeerMessage(msg);
      assert.ok(bytesEqual(bytes, expected));
      bytes.fill(0xee);
    }
    const request = encodePeerMessage({ type: 'request', requestId: 1, rendition: 'r1abc.p3', sn: 5, offsetBytes: 0, withinMs: 0 });
    assert.equal(new TextDecoder().decode(request.subarray(6, 14)), 'r1abc.p3');
  });

  void test('ASCII and non-ASCII id bytes decode to the reference text, or fail where it fails', () => {
    fc.assert(
      fc.property(idishBytesArb, (bytes) => {
        assert.equal(fastText(bytes), referenceText(bytes));
      }),
      { numRuns: 3000 },
    );
    // A BOM stays in the text (where ID_PATTERN then rejects it), as with the reference decoder.
    assert.equal(fastText(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)), '\ufeffA');
    assert.equal(fastText(Uint8Array.of(0x41, 0xc0, 0x80)), undefined);
  });

  void test('integers read by index equal DataView reads, at any byte offset of the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.nat({ max: 7 }), (fields, offset) => {
        const data = new Uint8Array(offset + 13 + 1);
        data.set([8, ...fields, 0x5a], offset);
        const wire = data.subarray(offset);
        const ref = new ReferenceReader(wire.subarray(1));
        const [requestId, offsetBytes, totalBytes] = [ref.u32(), ref.u32(), ref.u32()];
        try {
          const msg = decodePeerMessage(wire);
          assert.deepStrictEqual(msg, { type: 'data', requestId, offsetBytes, totalBytes, payload: Uint8Array.of(0x5a) });
        } catch (error) {
          // Out-of-range sizes: rejected, as they must be.
          assert.ok(error instanceof ProtocolError && error.code === 'PEER_MSG_BAD_FIELD', String(error));
          assert.ok(totalBytes === 0 || totalBytes > 64 * 1024 * 1024 || offsetBytes + 1 > totalBytes);
        }
      }),
      { numRuns: 1000 },
    );
    const haveMap = Uint8Array.of(2, 0xab, 0xcd);
    assert.equal(new ReferenceReader(haveMap.subarray(1)).u16(), 0xabcd);
    assert.throws(() => decodePeerMessage(haveMap), (e: unknown) => e instanceof ProtocolError && e.code === 'PEER_MSG_BAD_FIELD' && e.message.includes('43981'));
  });

  void test('the rendition cache stays bounded, holds only valid ids, and leaves peer ids out', () => {
    for (let i = 0; i < MAX_CACHED_IDS + 100; i++) {
      const rendition = `r${i.toString(36)}`;
      const msg: PeerMessage = { type: 'lost', rendition, sn: i };
      assert.ok(bytesEqual(encodePeerMessage(msg), referenceEncode(msg)));
      assert.ok(cachedIdCount() <= MAX_CACHED_IDS, `${cachedIdCount()} ids cached`);
    }
    const before = cachedIdCount();
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => encodePeerMessage({ type: 'receiving', rendition: 'bad id', sn: 1 }),
        (e: unknown) => e instanceof ProtocolError && e.code === 'PEER_MSG_BAD_FIELD',
      );
    }
    encodePeerMessage({ type: 'hello', version: 1, peerId: 'a-peer-id-never-cached', uploadKbps: 0 });
    assert.equal(cachedIdCount(), before);
  });
});
