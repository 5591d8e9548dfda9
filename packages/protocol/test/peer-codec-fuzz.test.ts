/**
 * decodePeerMessage on hostile input: any byte string either decodes to a message that re-encodes
 * to the very same bytes, or throws a ProtocolError with a documented code. Never another
 * exception, never a hang. The long run of the same properties is packages/protocol/scripts/fuzz.ts.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DATA_CONTINUED_CODE, LIMITS, PeerMessageCode, encodePeerMessage, type PeerMessage } from '../src/index.ts';
import { concatBytes, seededBytes, seededHaveMap, seededId } from './arbitraries.ts';
import { Tally } from './fuzz-contract.ts';
import { checkPeerBytes, peerProperties } from './peer-fuzz.ts';

const tally = new Tally();
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** One message of every type, each with fields that make its encoding long-ish. */
const samples: PeerMessage[] = [
  { type: 'hello', version: 1, peerId: seededId(64, 1), uploadKbps: 123456 },
  seededHaveMap(3, 5, 12),
  { type: 'have', rendition: '720p', sn: 99, sizeBytes: 1_000_000 },
  { type: 'receiving', rendition: 'audio-en', sn: 4 },
  { type: 'lost', rendition: 'x', sn: 0xffff_ffff },
  { type: 'request', requestId: 77, rendition: '1080p', sn: 12, offsetBytes: 4096, withinMs: 2500 },
  { type: 'cancel', requestId: 77 },
  { type: 'data', requestId: 77, offsetBytes: 4096, totalBytes: 10_000, payload: seededBytes(40, 3) },
  { type: 'data', requestId: 77, offsetBytes: 4136, payload: seededBytes(40, 4) },
  { type: 'absent', requestId: 78 },
  { type: 'busy', requestId: 79 },
  { type: 'queued', requestId: 80 },
  { type: 'receipt', requestId: 81, offsetBytes: 8192, atMs: 0xffff_fff0 },
  { type: 'uplink', uploadKbps: 600 },
];

/** Byte offset of the id length field of each type that has one. */
const idLengthOffset: Partial<Record<PeerMessage['type'], number>> = { hello: 2, haveMap: 3, have: 1, receiving: 1, lost: 1, request: 5 };

function expect(bytes: Uint8Array, outcome: string, what: string): void {
  assert.equal(checkPeerBytes(bytes, tally), outcome, what);
}

after(() => {
  // Context for whoever reads the test log: how the fuzz inputs were spread over the outcomes.
  console.log(`peer decoder fuzz: ${tally.total} inputs, slowest ${tally.maxMs.toFixed(1)} ms\n  ${tally.lines().join('\n  ')}`);
});

void describe('decodePeerMessage fuzz properties', () => {
  // ≥ 20,000 generated and mutated inputs in all (counted by the last test).
  const runs: Record<string, number> = {
    'peer: any byte string': 10_000,
    'peer: mutated valid encodings': 10_000,
    'peer: valid encodings': 1_000,
  };
  for (const p of peerProperties(tally)) {
    void test(p.name, { timeout: 20_000 }, () => {
      p.run({ numRuns: runs[p.name] ?? 1_000 });
    });
  }

  void test('at least 20,000 inputs were checked, none slower than 1 s', () => {
    assert.ok(tally.total >= 20_000, `only ${tally.total} inputs`);
    assert.ok(tally.maxMs < 1_000, `slowest input took ${tally.maxMs} ms`);
  });
});

void describe('decodePeerMessage edge cases', () => {
  void test('empty input', () => {
    expect(new Uint8Array(0), 'PEER_MSG_EMPTY', 'empty');
  });

  void test('only a type byte, for all 256 values', () => {
    const known = new Set<number>([...Object.values(PeerMessageCode), DATA_CONTINUED_CODE]);
    for (let t = 0; t < 256; t++) {
      expect(Uint8Array.of(t), known.has(t) ? 'PEER_MSG_TRUNCATED' : 'PEER_MSG_UNKNOWN_TYPE', `type byte ${t}`);
    }
  });

  void test('unknown type bytes, whatever follows', () => {
    for (const t of [0, 16, 17, 0x7f, 0x80, 0xff]) {
      expect(concatBytes(Uint8Array.of(t), encodePeerMessage(samples[0] as PeerMessage).subarray(1)), 'PEER_MSG_UNKNOWN_TYPE', `type ${t}`);
    }
  });

  void test('every type truncated at every byte position', () => {
    for (const msg of samples) {
      const full = encodePeerMessage(msg);
      expect(full, 'accepted', `${msg.type} untruncated`);
      for (let n = 0; n < full.length; n++) {
        const prefix = full.subarray(0, n);
        let outcome = n === 0 ? 'PEER_MSG_EMPTY' : 'PEER_MSG_TRUNCATED';
        // DATA's payload runs to the end of the message: a shorter one is still a valid chunk.
        const header = msg.type === 'data' && msg.totalBytes === undefined ? 9 : 13;
        if (msg.type === 'data' && n >= header) outcome = n === header ? 'PEER_MSG_BAD_FIELD' : 'accepted';
        expect(prefix, outcome, `${msg.type} cut to ${n} of ${full.length} bytes`);
      }
    }
  });

  void test('bytes appended to a fixed-size message are trailing bytes', () => {
    for (const msg of samples) {
      if (msg.type === 'data') continue;
      for (const extra of [Uint8Array.of(0), Uint8Array.of(1, 2, 3), new Uint8Array(1000)]) {
        expect(concatBytes(encodePeerMessage(msg), extra), 'PEER_MSG_TRAILING_BYTES', `${msg.type} + ${extra.length}`);
      }
    }
  });

  void test('id length byte 0, 65 and 255 are bad fields; 64 needs 64 bytes', () => {
    for (const msg of samples) {
      const at = idLengthOffset[msg.type];
      if (at === undefined) continue;
      const full = encodePeerMessage(msg);
      for (const len of [0, LIMITS.maxIdBytes + 1, 128, 255]) {
        const b = full.slice();
        b[at] = len;
        expect(b, 'PEER_MSG_BAD_FIELD', `${msg.type} id length ${len}`);
        // Even with enough bytes after it for the claimed length.
        expect(concatBytes(b, new Uint8Array(300).fill(0x61)), 'PEER_MSG_BAD_FIELD', `${msg.type} id length ${len}, long tail`);
      }
      // Claiming 64 bytes with fewer left: truncated, not a read past the end.
      const b = full.slice(0, at + 1 + 10);
      b[at] = 64;
      expect(b, 'PEER_MSG_TRUNCATED', `${msg.type} id length 64 with 10 bytes`);
    }
  });

  void test('ids that are not UTF-8, or UTF-8 outside ID_PATTERN, are bad fields', () => {
    const badIds: [string, Uint8Array][] = [
      ['lone continuation byte', Uint8Array.of(0x80)],
      ['0xff', Uint8Array.of(0x61, 0xff)],
      ['overlong NUL', Uint8Array.of(0xc0, 0x80)],
      ['overlong slash', Uint8Array.of(0xe0, 0x80, 0xaf)],
      ['UTF-16 surrogate', Uint8Array.of(0xed, 0xa0, 0x80)],
      ['cut 3-byte sequence', Uint8Array.of(0x61, 0xe2, 0x82)],
      ['above U+10FFFF', Uint8Array.of(0xf4, 0x90, 0x80, 0x80)],
      // A BOM used to be stripped by TextDecoder, so "\ufeffA" decoded to "A" and re-encoded to other bytes.
      ['BOM then A', Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)],
      ['BOM alone', Uint8Array.of(0xef, 0xbb, 0xbf)],
      ['é', enc('é')],
      ['space', enc('a b')],
      ['NUL', Uint8Array.of(0x61, 0)],
      ['newline', enc('a\n')],
      ['emoji', enc('😀')],
      ['64 bytes of 2-byte chars', enc('é'.repeat(32))],
    ];
    for (const [what, id] of badIds) {
      const variants: [string, Uint8Array][] = [
        ['hello', concatBytes(Uint8Array.of(PeerMessageCode.hello, 1, id.length), id, new Uint8Array(4))],
        ['have', concatBytes(Uint8Array.of(PeerMessageCode.have, id.length), id, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1))],
        ['lost', concatBytes(Uint8Array.of(PeerMessageCode.lost, id.length), id, new Uint8Array(4))],
        ['request', concatBytes(Uint8Array.of(PeerMessageCode.request, 0, 0, 0, 1, id.length), id, new Uint8Array(12))],
        ['haveMap', concatBytes(Uint8Array.of(PeerMessageCode.haveMap, 0, 1, id.length), id, new Uint8Array(5))],
      ];
      for (const [type, bytes] of variants) expect(bytes, 'PEER_MSG_BAD_FIELD', `${type} with ${what}`);
    }
  });

  void test('messages over 256 KiB are rejected before anything else, at exactly 256 KiB they are decoded', () => {
    const header = encodePeerMessage({ type: 'data', requestId: 1, offsetBytes: 0, totalBytes: LIMITS.maxSegmentBytes, payload: Uint8Array.of(1) }).subarray(0, 13);
    const sized = (n: number): Uint8Array => concatBytes(header, seededBytes(n - header.length, n));
    expect(sized(LIMITS.maxPeerMessageBytes + 1), 'PEER_MSG_TOO_LARGE', '256 KiB + 1');
    expect(sized(300 * 1024), 'PEER_MSG_TOO_LARGE', '300 KiB');
    expect(new Uint8Array(LIMITS.maxPeerMessageBytes + 1), 'PEER_MSG_TOO_LARGE', '256 KiB + 1 of zeros (unknown type)');
    expect(new Uint8Array(4 * 1024 * 1024).fill(PeerMessageCode.hello), 'PEER_MSG_TOO_LARGE', '4 MiB');
    // Exactly the limit is not too large; its payload is then above maxChunkBytes (this used to be
    // accepted, and the decoded message could not be re-encoded).
    expect(sized(LIMITS.maxPeerMessageBytes), 'PEER_MSG_BAD_FIELD', '256 KiB DATA');
    expect(sized(13 + LIMITS.maxChunkBytes + 1), 'PEER_MSG_BAD_FIELD', 'DATA with maxChunkBytes + 1');
    expect(sized(13 + LIMITS.maxChunkBytes), 'accepted', 'DATA with maxChunkBytes');
  });

  void test('HAVE-MAP count field: 0, limit, above limit, claims more entries than present', () => {
    expect(Uint8Array.of(PeerMessageCode.haveMap, 0, 0), 'accepted', 'count 0');
    expect(Uint8Array.of(PeerMessageCode.haveMap, 0x10, 0x01), 'PEER_MSG_BAD_FIELD', 'count 4097');
    expect(Uint8Array.of(PeerMessageCode.haveMap, 0xff, 0xff), 'PEER_MSG_BAD_FIELD', 'count 65535');
    expect(Uint8Array.of(PeerMessageCode.haveMap, 0x10, 0x00), 'PEER_MSG_TRUNCATED', 'count 4096, no entries');
    const two = encodePeerMessage(seededHaveMap(2, 9, 4));
    const claimsThree = two.slice();
    claimsThree[2] = 3;
    expect(claimsThree, 'PEER_MSG_TRUNCATED', 'count 3, 2 entries');
    const claimsOne = two.slice();
    claimsOne[2] = 1;
    expect(claimsOne, 'PEER_MSG_TRAILING_BYTES', 'count 1, 2 entries');
    const max = encodePeerMessage(seededHaveMap(LIMITS.maxHaveMapEntries, 3, 20));
    expect(max, 'accepted', '4096 entries');
    // Availability state must be 0 or 1.
    for (const state of [2, 0x80, 0xff]) {
      const b = two.slice();
      b[b.length - 1] = state;
      expect(b, 'PEER_MSG_BAD_FIELD', `state ${state}`);
    }
  });

  void test('HAVE sizeBytes and DATA bounds from the wire', () => {
    const have = (size: number): Uint8Array => {
      const b = encodePeerMessage({ type: 'have', rendition: 'r', sn: 1, sizeBytes: 1 });
      new DataView(b.buffer).setUint32(b.length - 4, size);
      return b;
    };
    expect(have(0), 'PEER_MSG_BAD_FIELD', 'sizeBytes 0');
    expect(have(LIMITS.maxSegmentBytes), 'accepted', 'sizeBytes max');
    expect(have(LIMITS.maxSegmentBytes + 1), 'PEER_MSG_BAD_FIELD', 'sizeBytes max + 1');
    const data = (offset: number, total: number, len: number): Uint8Array => {
      const b = new Uint8Array(13 + len);
      const dv = new DataView(b.buffer);
      b[0] = PeerMessageCode.data;
      dv.setUint32(5, offset);
      dv.setUint32(9, total);
      return b;
    };
    expect(data(0, 1, 1), 'accepted', 'one-byte segment');
    expect(data(0, 0, 1), 'PEER_MSG_BAD_FIELD', 'totalBytes 0');
    expect(data(0, LIMITS.maxSegmentBytes + 1, 1), 'PEER_MSG_BAD_FIELD', 'totalBytes > max');
    expect(data(9, 10, 2), 'PEER_MSG_BAD_FIELD', 'chunk past the end');
    expect(data(0xffff_ffff, LIMITS.maxSegmentBytes, 1), 'PEER_MSG_BAD_FIELD', 'offset u32 max');
    expect(data(5, 10, 0), 'PEER_MSG_BAD_FIELD', 'empty chunk');
  });
});
