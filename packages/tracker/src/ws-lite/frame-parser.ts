import { isUtf8 } from 'node:buffer';

/** RFC 6455 opcodes. */
export const OPCODES = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Close codes the layer itself sends for bad frames (RFC 6455 section 7.4.1). */
export const WS_CLOSE = { normal: 1000, protocolError: 1002, invalidPayload: 1007, messageTooBig: 1009 } as const;

/** RFC 6455: control frames carry at most 125 bytes. */
const MAX_CONTROL_PAYLOAD_BYTES = 125;
/**
 * Most frames one fragmented message may be split into: browsers and ws send small messages whole,
 * and a bound keeps a peer from piling up one tiny Buffer per frame.
 */
export const MAX_FRAGMENTS = 128;
/** Before a frame's header is known: 2 bytes tell how long the header is. */
const MIN_HEADER_BYTES = 2;

/**
 * Incremental parser of client-to-server frames (masked, no extensions). Input is untrusted: every
 * rule breach ends parsing with onProtocolError(code, reason), and what is buffered stays within one
 * message of maxPayloadBytes (checked on the header, before the payload is buffered), one header and
 * the rest of one read.
 *
 * Subclasses get the results through the abstract hooks; the state is a few fields on the object
 * itself, so a connection costs one object, not a parser plus closures.
 */
export abstract class FrameParser {
  /** Bytes received but not yet parsed: whole chunks, concatenated only once `#needBytes` are here. */
  #pending: Buffer[] | undefined;
  #pendingBytes = 0;
  /** Bytes the next step needs (header, then header + payload): a frame in many chunks is copied at most 3 times. */
  #needBytes = MIN_HEADER_BYTES;
  /** Data frames of a fragmented message so far (its first frame's opcode in `#fragmentOpcode`). */
  #fragments: Buffer[] | undefined;
  #fragmentBytes = 0;
  #fragmentOpcode = 0;
  /** Set after a close frame or an error: later input is ignored. */
  #stopped = false;
  /** The bytes being parsed are borrowed (a shared read buffer): whatever is kept past push() is copied. */
  #borrowed = false;

  protected abstract get maxPayloadBytes(): number;
  /** A whole text message, valid UTF-8. */
  protected abstract onText(text: string): void;
  /** A whole binary message (its bytes are not kept). */
  protected abstract onBinary(payloadBytes: number): void;
  protected abstract onPing(payload: Buffer): void;
  /** A valid close frame; code undefined when the frame carried none. Parsing has stopped. */
  protected abstract onCloseFrame(code: number | undefined, reason: string): void;
  /** A rule was broken: the connection must be closed with code. Parsing has stopped. */
  protected abstract onProtocolError(code: number, reason: string): void;

  /** Whether parsing stopped (close frame or error). */
  protected get parserStopped(): boolean {
    return this.#stopped;
  }

  /** Bytes held between calls (fragments of a message, an incomplete frame): at most one message, one header and one read. */
  protected get bufferedBytes(): number {
    return this.#pendingBytes + this.#fragmentBytes;
  }

  /** Stops parsing: later input is dropped, buffered input released. */
  protected stopParsing(): void {
    this.#stopped = true;
    this.#pending = undefined;
    this.#pendingBytes = 0;
    this.#fragments = undefined;
  }

  /**
   * Feeds received bytes; the buffer may be unmasked in place. borrowed: the bytes are only valid
   * during this call (a read buffer shared by all sockets), so any part kept for later is copied.
   */
  push(chunk: Buffer, borrowed = false): void {
    if (this.#stopped || chunk.length === 0) return;
    let data = chunk;
    if (this.#pending !== undefined) {
      this.#pendingBytes += chunk.length;
      if (this.#pendingBytes < this.#needBytes) {
        this.#pending.push(borrowed ? Buffer.from(chunk) : chunk);
        return;
      }
      this.#pending.push(chunk);
      // A fresh buffer of our own.
      data = Buffer.concat(this.#pending, this.#pendingBytes);
      borrowed = false;
      this.#pending = undefined;
      this.#pendingBytes = 0;
    } else if (chunk.length < this.#needBytes) {
      this.#keep(chunk, borrowed);
      return;
    }
    this.#borrowed = borrowed;
    let offset = 0;
    for (;;) {
      const used = this.#parseFrame(data, offset);
      if (used < 0) return;
      if (used === 0) {
        if (offset < data.length) this.#keep(data.subarray(offset), borrowed);
        return;
      }
      offset += used;
      this.#needBytes = MIN_HEADER_BYTES;
      if (offset === data.length) return;
    }
  }

  #keep(rest: Buffer, borrowed: boolean): void {
    this.#pending = [borrowed ? Buffer.from(rest) : rest];
    this.#pendingBytes = rest.length;
  }

  /** Parses one frame at offset: its length, 0 when more bytes are needed (`#needBytes` then says how many), -1 after a failure. */
  #parseFrame(data: Buffer, offset: number): number {
    const available = data.length - offset;
    if (available < MIN_HEADER_BYTES) {
      this.#needBytes = MIN_HEADER_BYTES;
      return 0;
    }
    const b0 = data[offset] ?? 0;
    const b1 = data[offset + 1] ?? 0;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) return this.#fail(WS_CLOSE.protocolError, 'reserved bits set (no extension was negotiated)');
    if ((b1 & 0x80) === 0) return this.#fail(WS_CLOSE.protocolError, 'client frames must be masked');
    const isControl = (opcode & 0x08) !== 0;
    if (!isKnownOpcode(opcode)) return this.#fail(WS_CLOSE.protocolError, `reserved opcode ${opcode}`);
    const len7 = b1 & 0x7f;
    const headerBytes = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + 4;
    if (isControl && (!fin || len7 > MAX_CONTROL_PAYLOAD_BYTES)) {
      return this.#fail(WS_CLOSE.protocolError, 'control frames must be whole and at most 125 bytes');
    }
    if (available < headerBytes) {
      this.#needBytes = headerBytes;
      return 0;
    }
    let payloadBytes = len7;
    if (len7 === 126) payloadBytes = data.readUInt16BE(offset + 2);
    else if (len7 === 127) {
      // Anything past 32 bits is far beyond any limit here.
      if (data.readUInt32BE(offset + 2) !== 0) return this.#fail(WS_CLOSE.messageTooBig, 'frame too large');
      payloadBytes = data.readUInt32BE(offset + 6);
    }
    const problem = this.#checkSequence(opcode, fin, payloadBytes);
    if (problem !== 0) return problem;
    if (available < headerBytes + payloadBytes) {
      this.#needBytes = headerBytes + payloadBytes;
      return 0;
    }
    const payload = data.subarray(offset + headerBytes, offset + headerBytes + payloadBytes);
    unmask(payload, data, offset + headerBytes - 4);
    this.#frame(opcode, fin, payload);
    // The hooks may have stopped parsing (a close frame, or the owner closed the socket).
    return this.#stopped ? -1 : headerBytes + payloadBytes;
  }

  /** Order and size rules checked on the header, before the payload is buffered; non-zero: the failure's result. */
  #checkSequence(opcode: number, fin: boolean, payloadBytes: number): number {
    if (opcode === OPCODES.continuation) {
      if (this.#fragments === undefined) return this.#fail(WS_CLOSE.protocolError, 'continuation frame without a message to continue');
      if (this.#fragmentBytes + payloadBytes > this.maxPayloadBytes) return this.#fail(WS_CLOSE.messageTooBig, 'message too large');
      if (!fin && this.#fragments.length + 1 >= MAX_FRAGMENTS) return this.#fail(WS_CLOSE.messageTooBig, 'message split into too many frames');
    } else if (opcode === OPCODES.text || opcode === OPCODES.binary) {
      if (this.#fragments !== undefined) return this.#fail(WS_CLOSE.protocolError, 'new message before the fragmented one ended');
      if (payloadBytes > this.maxPayloadBytes) return this.#fail(WS_CLOSE.messageTooBig, 'message too large');
    }
    return 0;
  }

  #frame(opcode: number, fin: boolean, payload: Buffer): void {
    switch (opcode) {
      case OPCODES.text:
      case OPCODES.binary:
        if (fin) this.#message(opcode, payload);
        else {
          this.#fragments = [this.#borrowed ? Buffer.from(payload) : payload];
          this.#fragmentBytes = payload.length;
          this.#fragmentOpcode = opcode;
        }
        return;
      case OPCODES.continuation: {
        const fragments = this.#fragments ?? [];
        if (payload.length > 0) fragments.push(this.#borrowed ? Buffer.from(payload) : payload);
        this.#fragmentBytes += payload.length;
        if (!fin) return;
        this.#fragments = undefined;
        this.#message(this.#fragmentOpcode, Buffer.concat(fragments, this.#fragmentBytes));
        this.#fragmentBytes = 0;
        return;
      }
      case OPCODES.ping:
        this.onPing(payload);
        return;
      case OPCODES.close:
        this.#close(payload);
        return;
      default:
      // Pong: nothing to do.
    }
  }

  #message(opcode: number, payload: Buffer): void {
    if (opcode === OPCODES.binary) {
      this.onBinary(payload.length);
      return;
    }
    if (!isUtf8(payload)) {
      this.#fail(WS_CLOSE.invalidPayload, 'text message is not valid UTF-8');
      return;
    }
    this.onText(payload.toString('utf8'));
  }

  #close(payload: Buffer): void {
    if (payload.length === 1) {
      this.#fail(WS_CLOSE.protocolError, 'close frame with a 1-byte payload');
      return;
    }
    let code: number | undefined;
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code)) {
        this.#fail(WS_CLOSE.protocolError, `invalid close code ${code}`);
        return;
      }
    }
    const reasonBytes = payload.subarray(2);
    if (!isUtf8(reasonBytes)) {
      this.#fail(WS_CLOSE.invalidPayload, 'close reason is not valid UTF-8');
      return;
    }
    this.stopParsing();
    this.onCloseFrame(code, reasonBytes.toString('utf8'));
  }

  /** Stops parsing and reports; returns -1 so parse steps can `return this.#fail(...)`. */
  #fail(code: number, reason: string): number {
    this.stopParsing();
    this.onProtocolError(code, reason);
    return -1;
  }
}

function isKnownOpcode(opcode: number): boolean {
  return opcode <= OPCODES.binary || (opcode >= OPCODES.close && opcode <= OPCODES.pong);
}

/** Codes a peer may send (RFC 6455 7.4 and the IANA registry): not 1004-1006 or 1015, which never go on the wire. */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** XORs payload in place with the 4-byte key at keyOffset of keySource. */
function unmask(payload: Buffer, keySource: Buffer, keyOffset: number): void {
  const k0 = keySource[keyOffset] ?? 0;
  const k1 = keySource[keyOffset + 1] ?? 0;
  const k2 = keySource[keyOffset + 2] ?? 0;
  const k3 = keySource[keyOffset + 3] ?? 0;
  if ((k0 | k1 | k2 | k3) === 0) return;
  const n = payload.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    payload[i] = (payload[i] ?? 0) ^ k0;
    payload[i + 1] = (payload[i + 1] ?? 0) ^ k1;
    payload[i + 2] = (payload[i + 2] ?? 0) ^ k2;
    payload[i + 3] = (payload[i + 3] ?? 0) ^ k3;
  }
  for (; i < n; i++) payload[i] = (payload[i] ?? 0) ^ (keySource[keyOffset + (i & 3)] ?? 0);
}
