import { ProtocolError } from './errors.js';
import { decodeIdText, encodeCachedId, encodeId } from './id-bytes.js';
import { ID_PATTERN, LIMITS } from './limits.js';
import { DATA_CONTINUED_CODE, PeerMessageCode, type AvailabilityState, type HaveMapEntry, type PeerMessage } from './peer-messages.js';

const U32_MAX = 0xffff_ffff;

const codeToType = new Map<number, PeerMessage['type']>(
  Object.entries(PeerMessageCode).map(([type, code]) => [code, type as PeerMessage['type']]),
);

function badField(message: string): never {
  throw new ProtocolError('PEER_MSG_BAD_FIELD', message);
}

/** UTF-8 bytes of a valid id; renditions (named by most messages) come from a cache. */
function checkId(value: string, what: 'peerId' | 'rendition'): Uint8Array {
  const bytes = what === 'rendition' ? encodeCachedId(value) : encodeId(value);
  if (bytes === undefined) badField(`${what} must match ${String(ID_PATTERN)}`);
  return bytes;
}

function checkU32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > U32_MAX) badField(`${what} must be a u32, got ${value}`);
  return value;
}

/**
 * Sequential big-endian writer over a buffer of the exact size computed beforehand: one allocation
 * per message, the bytes written by index. No DataView: it needs `bytes.buffer`, which moves a small
 * typed array's storage off the JS heap (a costly allocation per message). Callers pass values in
 * range (u8 0..255, u16 0..65535, u32 checked by checkU32): a Uint8Array store keeps the low 8 bits.
 */
class Writer {
  readonly bytes: Uint8Array;
  private pos = 0;

  constructor(size: number) {
    if (size > LIMITS.maxPeerMessageBytes) {
      throw new ProtocolError('PEER_MSG_TOO_LARGE', `message would be ${size} bytes, limit ${LIMITS.maxPeerMessageBytes}`);
    }
    this.bytes = new Uint8Array(size);
  }
  u8(v: number): this {
    this.bytes[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    const b = this.bytes;
    const p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
    return this;
  }
  u32(v: number): this {
    const b = this.bytes;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
    return this;
  }
  str(encoded: Uint8Array): this {
    this.u8(encoded.length);
    return this.raw(encoded);
  }
  raw(b: Uint8Array): this {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
}

/**
 * Bounds-checked sequential big-endian reader; every overrun is a ProtocolError, never a RangeError.
 * Reads by index rather than through a DataView, for the reason given at Writer.
 */
class Reader {
  pos = 0;

  constructor(private readonly bytes: Uint8Array) {}
  private need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) {
      throw new ProtocolError('PEER_MSG_TRUNCATED', `message ends inside ${what}`);
    }
  }
  // `?? 0` never applies: need() checked the bounds (it satisfies noUncheckedIndexedAccess).
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++] ?? 0;
  }
  u16(what: string): number {
    this.need(2, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 2;
    return ((b[p] ?? 0) << 8) | (b[p + 1] ?? 0);
  }
  u32(what: string): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    // The top byte times 2^24 rather than << 24, which would give a negative int32.
    return (b[p] ?? 0) * 0x100_0000 + (((b[p + 1] ?? 0) << 16) | ((b[p + 2] ?? 0) << 8) | (b[p + 3] ?? 0));
  }
  id(what: string): string {
    const len = this.u8(`${what} length`);
    if (len === 0 || len > LIMITS.maxIdBytes) badField(`${what} length ${len} out of range`);
    this.need(len, what);
    let value: string;
    try {
      value = decodeIdText(this.bytes, this.pos, this.pos + len);
    } catch (cause) {
      throw new ProtocolError('PEER_MSG_BAD_FIELD', `${what} is not UTF-8`, { cause });
    }
    this.pos += len;
    if (!ID_PATTERN.test(value)) badField(`${what} has characters outside ${String(ID_PATTERN)}`);
    return value;
  }
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.pos);
    this.pos = this.bytes.length;
    return out;
  }
  end(): void {
    if (this.pos !== this.bytes.length) {
      throw new ProtocolError('PEER_MSG_TRAILING_BYTES', `${this.bytes.length - this.pos} bytes after the message`);
    }
  }
}

function stateCode(state: AvailabilityState): number {
  return state === 'have' ? 0 : 1;
}

/** Encodes a peer message. Throws ProtocolError if a field is out of its bounds. */
export function encodePeerMessage(msg: PeerMessage): Uint8Array {
  const code = PeerMessageCode[msg.type];
  switch (msg.type) {
    case 'hello': {
      const id = checkId(msg.peerId, 'peerId');
      if (!Number.isInteger(msg.version) || msg.version < 0 || msg.version > 255) badField('version must be a u8');
      return new Writer(1 + 1 + 1 + id.length + 4)
        .u8(code)
        .u8(msg.version)
        .str(id)
        .u32(checkU32(msg.uploadKbps, 'uploadKbps')).bytes;
    }
    case 'haveMap': {
      if (msg.entries.length > LIMITS.maxHaveMapEntries) badField(`haveMap has more than ${LIMITS.maxHaveMapEntries} entries`);
      const encoded = msg.entries.map((e) => ({ r: checkId(e.rendition, 'rendition'), sn: checkU32(e.sn, 'sn'), s: stateCode(e.state) }));
      const size = 1 + 2 + encoded.reduce((n, e) => n + 1 + e.r.length + 4 + 1, 0);
      const w = new Writer(size).u8(code).u16(encoded.length);
      for (const e of encoded) w.str(e.r).u32(e.sn).u8(e.s);
      return w.bytes;
    }
    case 'have':
    case 'receiving':
    case 'lost':
    case 'want': {
      const r = checkId(msg.rendition, 'rendition');
      const extra = msg.type === 'have' ? 4 : 0;
      const w = new Writer(1 + 1 + r.length + 4 + extra).u8(code).str(r).u32(checkU32(msg.sn, 'sn'));
      if (msg.type === 'have') w.u32(checkSegmentSize(msg.sizeBytes));
      return w.bytes;
    }
    case 'request': {
      const r = checkId(msg.rendition, 'rendition');
      return new Writer(1 + 4 + 1 + r.length + 4 + 4 + 4)
        .u8(code)
        .u32(checkU32(msg.requestId, 'requestId'))
        .str(r)
        .u32(checkU32(msg.sn, 'sn'))
        .u32(checkU32(msg.offsetBytes, 'offsetBytes'))
        .u32(checkU32(msg.withinMs, 'withinMs')).bytes;
    }
    case 'cancel':
    case 'absent':
    case 'busy':
    case 'queued':
      return new Writer(5).u8(code).u32(checkU32(msg.requestId, 'requestId')).bytes;
    case 'uplink':
      return new Writer(5).u8(code).u32(checkU32(msg.uploadKbps, 'uploadKbps')).bytes;
    case 'receipt':
      return new Writer(13)
        .u8(code)
        .u32(checkU32(msg.requestId, 'requestId'))
        .u32(checkU32(msg.offsetBytes, 'offsetBytes'))
        .u32(checkU32(msg.atMs, 'atMs')).bytes;
    case 'data': {
      if (msg.totalBytes === undefined) {
        checkDataBounds(msg.offsetBytes, msg.payload.length, undefined);
        return new Writer(1 + 8 + msg.payload.length)
          .u8(DATA_CONTINUED_CODE)
          .u32(checkU32(msg.requestId, 'requestId'))
          .u32(msg.offsetBytes)
          .raw(msg.payload).bytes;
      }
      checkDataBounds(msg.offsetBytes, msg.payload.length, msg.totalBytes);
      return new Writer(1 + 12 + msg.payload.length)
        .u8(code)
        .u32(checkU32(msg.requestId, 'requestId'))
        .u32(msg.offsetBytes)
        .u32(msg.totalBytes)
        .raw(msg.payload).bytes;
    }
  }
}

/** sizeBytes of HAVE: a u32 in 1..maxSegmentBytes, on both sides. */
function checkSegmentSize(size: number): number {
  checkU32(size, 'sizeBytes');
  if (size === 0 || size > LIMITS.maxSegmentBytes) badField(`sizeBytes ${size} out of range`);
  return size;
}

/** A chunk within its segment: within totalBytes when given, within the largest segment otherwise. */
function checkDataBounds(offset: number, length: number, total: number | undefined): void {
  if (length > LIMITS.maxChunkBytes) badField(`data payload of ${length} bytes above ${LIMITS.maxChunkBytes}`);
  checkU32(offset, 'offsetBytes');
  if (total !== undefined) {
    checkU32(total, 'totalBytes');
    if (total === 0 || total > LIMITS.maxSegmentBytes) badField(`totalBytes ${total} out of range`);
  }
  if (offset + length > (total ?? LIMITS.maxSegmentBytes)) badField(total === undefined ? 'data chunk extends past the largest segment' : 'data chunk extends past totalBytes');
  if (length === 0) badField('empty data chunk');
}

/**
 * Decodes one peer message. Any byte string either yields a valid message or throws a
 * ProtocolError. A DATA payload is a view into `bytes`: copy it to keep it.
 */
export function decodePeerMessage(bytes: Uint8Array): PeerMessage {
  if (bytes.length === 0) throw new ProtocolError('PEER_MSG_EMPTY', 'empty message');
  if (bytes.length > LIMITS.maxPeerMessageBytes) {
    throw new ProtocolError('PEER_MSG_TOO_LARGE', `${bytes.length} bytes, limit ${LIMITS.maxPeerMessageBytes}`);
  }
  const r = new Reader(bytes);
  const code = r.u8('type');
  const type = code === DATA_CONTINUED_CODE ? 'data' : codeToType.get(code);
  if (type === undefined) throw new ProtocolError('PEER_MSG_UNKNOWN_TYPE', `unknown message type ${code}`);
  let msg: PeerMessage;
  switch (type) {
    case 'hello':
      msg = { type, version: r.u8('version'), peerId: r.id('peerId'), uploadKbps: r.u32('uploadKbps') };
      break;
    case 'haveMap': {
      const count = r.u16('entry count');
      if (count > LIMITS.maxHaveMapEntries) badField(`haveMap count ${count} above ${LIMITS.maxHaveMapEntries}`);
      const entries: HaveMapEntry[] = [];
      for (let i = 0; i < count; i++) {
        const rendition = r.id('rendition');
        const sn = r.u32('sn');
        const s = r.u8('state');
        if (s > 1) badField(`unknown availability state ${s}`);
        entries.push({ rendition, sn, state: s === 0 ? 'have' : 'receiving' });
      }
      msg = { type, entries };
      break;
    }
    case 'have': {
      const rendition = r.id('rendition');
      const sn = r.u32('sn');
      const sizeBytes = checkSegmentSize(r.u32('sizeBytes'));
      msg = { type, rendition, sn, sizeBytes };
      break;
    }
    case 'receiving':
    case 'lost':
    case 'want':
      msg = { type, rendition: r.id('rendition'), sn: r.u32('sn') };
      break;
    case 'request':
      msg = { type, requestId: r.u32('requestId'), rendition: r.id('rendition'), sn: r.u32('sn'), offsetBytes: r.u32('offsetBytes'), withinMs: r.u32('withinMs') };
      break;
    case 'cancel':
    case 'absent':
    case 'busy':
    case 'queued':
      msg = { type, requestId: r.u32('requestId') };
      break;
    case 'receipt':
      msg = { type, requestId: r.u32('requestId'), offsetBytes: r.u32('offsetBytes'), atMs: r.u32('atMs') };
      break;
    case 'uplink':
      msg = { type, uploadKbps: r.u32('uploadKbps') };
      break;
    case 'data': {
      const requestId = r.u32('requestId');
      const offsetBytes = r.u32('offsetBytes');
      const totalBytes = code === DATA_CONTINUED_CODE ? undefined : r.u32('totalBytes');
      const payload = r.rest();
      checkDataBounds(offsetBytes, payload.length, totalBytes);
      msg = totalBytes === undefined ? { type, requestId, offsetBytes, payload } : { type, requestId, offsetBytes, totalBytes, payload };
      break;
    }
  }
  r.end();
  return msg;
}
