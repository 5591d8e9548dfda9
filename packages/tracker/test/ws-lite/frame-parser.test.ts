import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { FrameParser, MAX_FRAGMENTS, OPCODES, WS_CLOSE } from '../../src/ws-lite/frame-parser.js';
import { clientFrame, closePayload } from './client-frames.js';

type Event = { text: string } | { binary: number } | { ping: string } | { close: number | undefined; reason: string } | { error: number };

/** A parser that records what it reports. */
class Recorder extends FrameParser {
  readonly events: Event[] = [];
  constructor(readonly max = 1024) {
    super();
  }
  protected get maxPayloadBytes(): number {
    return this.max;
  }
  get held(): number {
    return this.bufferedBytes;
  }
  protected onText(text: string): void {
    this.events.push({ text });
  }
  protected onBinary(payloadBytes: number): void {
    this.events.push({ binary: payloadBytes });
  }
  protected onPing(payload: Buffer): void {
    this.events.push({ ping: payload.toString('hex') });
  }
  protected onCloseFrame(code: number | undefined, reason: string): void {
    this.events.push({ close: code, reason });
  }
  protected onProtocolError(code: number): void {
    this.events.push({ error: code });
  }
}

function parse(bytes: Buffer, max?: number): Event[] {
  const p = new Recorder(max);
  p.push(Buffer.from(bytes));
  return p.events;
}

const T = OPCODES.text;

void describe('ws-lite frame parser', () => {
  void test('text messages with 7-, 16- and 64-bit lengths, several per chunk', () => {
    const long = 'é'.repeat(200);
    const bytes = Buffer.concat([
      clientFrame({ opcode: T, payload: 'hi' }),
      clientFrame({ opcode: T, payload: long }),
      clientFrame({ opcode: T, payload: 'x', lengthField: 64 }),
      clientFrame({ opcode: T, payload: 'y', lengthField: 16 }),
      clientFrame({ opcode: T, payload: '' }),
    ]);
    assert.deepEqual(parse(bytes), [{ text: 'hi' }, { text: long }, { text: 'x' }, { text: 'y' }, { text: '' }]);
  });

  void test('the same stream split at every byte boundary, and fed byte by byte, gives the same messages', () => {
    const bytes = Buffer.concat([
      clientFrame({ opcode: T, payload: 'first', fin: false }),
      clientFrame({ opcode: OPCODES.ping, payload: 'p' }),
      clientFrame({ opcode: OPCODES.continuation, payload: ' second' }),
      clientFrame({ opcode: T, payload: 'z'.repeat(300) }),
      clientFrame({ opcode: OPCODES.binary, payload: randomBytes(500), lengthField: 64 }),
      clientFrame({ opcode: OPCODES.close, payload: closePayload(1000, 'bye') }),
    ]);
    const expected: Event[] = [{ ping: '70' }, { text: 'first second' }, { text: 'z'.repeat(300) }, { binary: 500 }, { close: 1000, reason: 'bye' }];
    const max = 1_000;
    assert.deepEqual(parse(bytes, max), expected);
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new Recorder(max);
      p.push(Buffer.from(bytes.subarray(0, cut)));
      p.push(Buffer.from(bytes.subarray(cut)));
      assert.deepEqual(p.events, expected, `split at ${cut}`);
    }
    const p = new Recorder(max);
    for (const byte of bytes) p.push(Buffer.from([byte]));
    assert.deepEqual(p.events, expected);
  });

  void test('borrowed input (one read buffer for every socket): what is kept past push() is a copy', () => {
    const bytes = Buffer.concat([
      clientFrame({ opcode: T, payload: 'first', fin: false }),
      clientFrame({ opcode: OPCODES.continuation, payload: ' second' }),
      clientFrame({ opcode: T, payload: 'z'.repeat(300) }),
      clientFrame({ opcode: OPCODES.close, payload: closePayload(1000, 'bye') }),
    ]);
    const expected: Event[] = [{ text: 'first second' }, { text: 'z'.repeat(300) }, { close: 1000, reason: 'bye' }];
    const shared = Buffer.alloc(bytes.length);
    const feed = (p: Recorder, part: Buffer): void => {
      part.copy(shared);
      p.push(shared.subarray(0, part.length), true);
      // The next read overwrites the buffer.
      shared.fill(0xa5);
    };
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new Recorder();
      feed(p, bytes.subarray(0, cut));
      feed(p, bytes.subarray(cut));
      assert.deepEqual(p.events, expected, `split at ${cut}`);
    }
    const p = new Recorder();
    for (let i = 0; i < bytes.length; i++) feed(p, bytes.subarray(i, i + 1));
    assert.deepEqual(p.events, expected);
  });

  void test('unmasked client frames: 1002', () => {
    assert.deepEqual(parse(clientFrame({ opcode: T, payload: 'x', masked: false })), [{ error: WS_CLOSE.protocolError }]);
  });

  void test('reserved bits and reserved opcodes: 1002', () => {
    for (const rsv of [1, 2, 4]) assert.deepEqual(parse(clientFrame({ opcode: T, payload: 'x', rsv })), [{ error: 1002 }], `rsv ${rsv}`);
    for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
      assert.deepEqual(parse(clientFrame({ opcode, payload: 'x' })), [{ error: 1002 }], `opcode ${opcode}`);
    }
  });

  void test('a message over the limit is refused on its header, before its payload arrives: 1009', () => {
    for (const field of [16, 64] as const) {
      const header = clientFrame({ opcode: T, declaredBytes: 2_000, lengthField: field });
      assert.deepEqual(parse(header, 1_000), [{ error: WS_CLOSE.messageTooBig }], `${field}-bit length`);
    }
    // 2^32 and up: refused without overflow.
    assert.deepEqual(parse(clientFrame({ opcode: T, declaredBytes: 2 ** 40 }), 1_000), [{ error: 1009 }]);
    assert.deepEqual(parse(clientFrame({ opcode: T, payload: 'x'.repeat(1_000) }), 1_000), [{ text: 'x'.repeat(1_000) }]);
  });

  void test('fragmented messages: total bounded, continuation rules, control frames in between', () => {
    const part = (payload: string, fin: boolean, first = false): Buffer => clientFrame({ opcode: first ? T : OPCODES.continuation, payload, fin });
    assert.deepEqual(parse(Buffer.concat([part('a'.repeat(600), false, true), part('b'.repeat(600), true)]), 1_000), [{ error: 1009 }]);
    assert.deepEqual(parse(part('orphan', true)), [{ error: 1002 }], 'continuation without a start');
    assert.deepEqual(parse(Buffer.concat([part('a', false, true), clientFrame({ opcode: T, payload: 'b' })])), [{ error: 1002 }], 'new message mid-way');
    const many = [part('a', false, true)];
    for (let i = 0; i < MAX_FRAGMENTS; i++) many.push(part('a', false));
    assert.deepEqual(parse(Buffer.concat(many)), [{ error: 1009 }], 'too many fragments');
    const binary = Buffer.concat([clientFrame({ opcode: OPCODES.binary, payload: 'ab', fin: false }), part('cd', true)]);
    assert.deepEqual(parse(binary), [{ binary: 4 }]);
  });

  void test('control frames: at most 125 bytes and never fragmented (1002); ping reported with its payload', () => {
    assert.deepEqual(parse(clientFrame({ opcode: OPCODES.ping, payload: 'x'.repeat(126) })), [{ error: 1002 }]);
    assert.deepEqual(parse(clientFrame({ opcode: OPCODES.ping, payload: 'x', fin: false })), [{ error: 1002 }]);
    assert.deepEqual(parse(clientFrame({ opcode: OPCODES.ping, payload: 'x'.repeat(125) })), [{ ping: '78'.repeat(125) }]);
    assert.deepEqual(parse(clientFrame({ opcode: OPCODES.pong, payload: 'x' })), []);
  });

  void test('text must be valid UTF-8 (1007), also when a character spans two fragments', () => {
    assert.deepEqual(parse(clientFrame({ opcode: T, payload: Buffer.from([0xc3, 0x28]) })), [{ error: WS_CLOSE.invalidPayload }]);
    assert.deepEqual(parse(clientFrame({ opcode: T, payload: Buffer.from([0xed, 0xa0, 0x80]) })), [{ error: 1007 }], 'a surrogate');
    const e = Buffer.from('é', 'utf8');
    const split = Buffer.concat([
      clientFrame({ opcode: T, payload: e.subarray(0, 1), fin: false }),
      clientFrame({ opcode: OPCODES.continuation, payload: e.subarray(1) }),
    ]);
    assert.deepEqual(parse(split), [{ text: 'é' }]);
  });

  void test('close frames: code and reason checked; parsing stops after them', () => {
    const close = (payload: Buffer): Buffer => clientFrame({ opcode: OPCODES.close, payload });
    assert.deepEqual(parse(close(Buffer.alloc(0))), [{ close: undefined, reason: '' }]);
    assert.deepEqual(parse(close(Buffer.from([0x03]))), [{ error: 1002 }], '1-byte payload');
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 2999, 5000]) assert.deepEqual(parse(close(closePayload(code))), [{ error: 1002 }], `code ${code}`);
    for (const code of [1000, 1001, 1011, 3000, 4999]) assert.deepEqual(parse(close(closePayload(code))), [{ close: code, reason: '' }]);
    assert.deepEqual(parse(close(Buffer.concat([closePayload(1000), Buffer.from([0xff])]))), [{ error: 1007 }]);
    assert.deepEqual(parse(Buffer.concat([close(closePayload(1000)), clientFrame({ opcode: T, payload: 'late' })])), [{ close: 1000, reason: '' }]);
  });

  void test('nothing is parsed after an error', () => {
    const bytes = Buffer.concat([clientFrame({ opcode: T, payload: 'x', masked: false }), clientFrame({ opcode: T, payload: 'y' })]);
    const p = new Recorder();
    p.push(bytes);
    p.push(clientFrame({ opcode: T, payload: 'z' }));
    assert.deepEqual(p.events, [{ error: 1002 }]);
  });

  void test('fuzz: random bytes and mutated frames never throw, hang or report more than one ending', () => {
    const valid = Buffer.concat([
      clientFrame({ opcode: T, payload: '{"type":"ping"}' }),
      clientFrame({ opcode: T, payload: 'a'.repeat(200), fin: false }),
      clientFrame({ opcode: OPCODES.continuation, payload: 'b' }),
    ]);
    for (let round = 0; round < 3_000; round++) {
      let bytes: Buffer;
      if (round % 2 === 0) bytes = randomBytes(1 + (round % 300));
      else {
        bytes = Buffer.from(valid);
        for (let flips = 0; flips < 1 + (round % 4); flips++) {
          const at = randomBytes(2).readUInt16BE() % bytes.length;
          bytes[at] = randomBytes(1)[0] ?? 0;
        }
      }
      const p = new Recorder(4_096);
      let offset = 0;
      while (offset < bytes.length) {
        const size = 1 + ((randomBytes(1)[0] ?? 0) % 64);
        p.push(bytes.subarray(offset, offset + size));
        offset += size;
        // At most one message, the largest header (14 bytes) and the last chunk, whatever arrives.
        assert.ok(p.held <= 4_096 + 14 + 64, `round ${round}: ${p.held} bytes held`);
      }
      const endings = p.events.filter((e) => 'error' in e || 'close' in e);
      assert.ok(endings.length <= 1, `round ${round}: ${JSON.stringify(p.events)}`);
      for (const e of p.events) if ('text' in e) assert.ok(e.text.length <= 4_096);
    }
  });

  void test('buffered bytes stay bounded by one message: a slow frame is kept as chunks, concatenated once', () => {
    const p = new Recorder(64 * 1024);
    const frame = clientFrame({ opcode: T, payload: 'q'.repeat(64 * 1024) });
    // 1-byte chunks of a 64 KiB message: linear work (this finishes quickly), one message out.
    for (const byte of frame) p.push(Buffer.from([byte]));
    assert.deepEqual(p.events.length, 1);
  });
});
