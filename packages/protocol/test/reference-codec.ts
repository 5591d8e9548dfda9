/**
 * The peer codec as it was before its fast paths (a DataView over a fresh buffer per message,
 * TextEncoder / TextDecoder on every id): the oracle the fast paths must match byte for byte. It
 * checks nothing (the codec tests do): feed it valid messages only.
 */
import { DATA_CONTINUED_CODE, PeerMessageCode, type PeerMessage } from '../src/index.ts';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class ReferenceWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(v: number): this {
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }
  u16(v: number): this {
    this.view.setUint16(this.pos, v);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    this.view.setUint32(this.pos, v);
    this.pos += 4;
    return this;
  }
  id(value: string): this {
    const encoded = utf8Encoder.encode(value);
    this.u8(encoded.length);
    return this.raw(encoded);
  }
  raw(b: Uint8Array): this {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
}

const idSize = (value: string): number => 1 + utf8Encoder.encode(value).length;

/** encodePeerMessage before the fast paths. */
export function referenceEncode(msg: PeerMessage): Uint8Array {
  const code = PeerMessageCode[msg.type];
  switch (msg.type) {
    case 'hello':
      return new ReferenceWriter(2 + idSize(msg.peerId) + 4).u8(code).u8(msg.version).id(msg.peerId).u32(msg.uploadKbps).bytes;
    case 'haveMap': {
      const size = 3 + msg.entries.reduce((n, e) => n + idSize(e.rendition) + 5, 0);
      const w = new ReferenceWriter(size).u8(code).u16(msg.entries.length);
      for (const e of msg.entries) w.id(e.rendition).u32(e.sn).u8(e.state === 'have' ? 0 : 1);
      return w.bytes;
    }
    case 'have':
      return new ReferenceWriter(1 + idSize(msg.rendition) + 8).u8(code).id(msg.rendition).u32(msg.sn).u32(msg.sizeBytes).bytes;
    case 'receiving':
    case 'lost':
    case 'want':
      return new ReferenceWriter(1 + idSize(msg.rendition) + 4).u8(code).id(msg.rendition).u32(msg.sn).bytes;
    case 'request':
      return new ReferenceWriter(5 + idSize(msg.rendition) + 12).u8(code).u32(msg.requestId).id(msg.rendition).u32(msg.sn).u32(msg.offsetBytes).u32(msg.withinMs).bytes;
    case 'cancel':
    case 'absent':
    case 'busy':
    case 'queued':
      return new ReferenceWriter(5).u8(code).u32(msg.requestId).bytes;
    case 'uplink':
      return new ReferenceWriter(5).u8(code).u32(msg.uploadKbps).bytes;
    case 'receipt':
      return new ReferenceWriter(13).u8(code).u32(msg.requestId).u32(msg.offsetBytes).u32(msg.atMs).bytes;
    case 'data':
      if (msg.totalBytes === undefined) return new ReferenceWriter(9 + msg.payload.length).u8(DATA_CONTINUED_CODE).u32(msg.requestId).u32(msg.offsetBytes).raw(msg.payload).bytes;
      return new ReferenceWriter(13 + msg.payload.length).u8(code).u32(msg.requestId).u32(msg.offsetBytes).u32(msg.totalBytes).raw(msg.payload).bytes;
  }
}

/** The reads of the decoder before the fast paths: big-endian integers through a DataView, ids through TextDecoder. */
export class ReferenceReader {
  private readonly view: DataView;
  pos = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(): number {
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  /** The text of `length` bytes, or undefined when they are not UTF-8. */
  text(length: number): string | undefined {
    try {
      return utf8Decoder.decode(this.bytes.subarray(this.pos, this.pos + length));
    } catch {
      return undefined;
    } finally {
      this.pos += length;
    }
  }
}
