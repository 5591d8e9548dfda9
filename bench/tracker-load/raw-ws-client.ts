/**
 * A minimal WebSocket client for the load workers: text frames only, masked with an all-zero key
 * (valid per RFC 6455 5.3, so the payload goes out as is), no extensions, no fragmentation. It skips
 * ws's stream machinery so one worker core can drive more tracker load. Not for anything else: it
 * trusts the server it talks to (the handshake's accept key is not checked).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { directHandle, readIntoSharedBuffer, writeLatin1ToHandle, writeToHandle } from '../../packages/tracker/src/ws-lite/handle-io.js';
import type { StreamHandle, WriteSink } from '../../packages/tracker/src/ws-lite/handle-io.js';

export interface RawWsHandlers {
  open(): void;
  message(text: string): void;
  /** Called once: the socket closed (code from the server's close frame, 1006 without one). */
  close(code: number): void;
  error(error: Error & { code?: string }): void;
}

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
/** Longest frame accepted from the tracker; beyond it the bench is talking to something else. */
const MAX_FRAME_BYTES = 1024 * 1024;
/** Masked-frame headers (all-zero key) of text frames of 0-125 bytes, as byte-valued strings. */
const SHORT_HEADERS = Array.from({ length: 126 }, (_, n) => String.fromCharCode(0x80 | OPCODE_TEXT, 0x80 | n, 0, 0, 0, 0));
/** Where a net socket finds its client, so the shared-buffer reader is one function for all. */
const CLIENT = Symbol('rawWsClient');

/** The masked header of a text frame of `length` bytes (below 65,536) as a byte-valued string. */
function textHeader(length: number): string {
  return SHORT_HEADERS[length] ?? String.fromCharCode(0x80 | OPCODE_TEXT, 0x80 | 126, length >> 8, length & 0xff, 0, 0, 0, 0);
}

/**
 * Once open, frames are written to the socket's libuv handle and read into one buffer shared by all
 * sockets (the tracker's own handle-io.ts), skipping Node's stream machinery as the tracker does: the
 * load workers' core saturates before the tracker's otherwise.
 */
export class RawWsClient implements WriteSink {
  readonly #socket: Socket;
  readonly #handlers: RawWsHandlers;
  #open = false;
  #closed = false;
  #pending: Buffer | undefined;
  /** Set once open when the socket allows direct I/O. */
  #handle: StreamHandle | undefined;

  constructor(port: number, localAddress: string, handlers: RawWsHandlers) {
    this.#handlers = handlers;
    this.#socket = connect({ port, host: '127.0.0.1', localAddress, noDelay: true });
    this.#socket.on('connect', () => {
      this.#socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: c3dhcm1jYXN0LWJlbmNoIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    this.#socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    this.#socket.on('error', (error) => {
      this.#handlers.error(error);
    });
    this.#socket.on('close', () => {
      this.#finish(1006);
    });
  }

  /** Reads and writes go to the socket's handle directly (set once open, when the socket allows). */
  get direct(): boolean {
    return this.#handle !== undefined;
  }

  /** Sends one text frame; a no-op once closed. */
  send(text: string): void {
    if (!this.#open || this.#closed) return;
    const handle = this.#handle;
    if (handle !== undefined && text.length < 65_536 && Buffer.byteLength(text) === text.length) {
      if (writeLatin1ToHandle(handle, textHeader(text.length) + text, this) < 0) this.#socket.destroy();
      return;
    }
    const length = Buffer.byteLength(text);
    const header = length < 126 ? 6 : length < 65_536 ? 8 : 14;
    const frame = Buffer.allocUnsafe(header + length);
    frame[0] = 0x80 | OPCODE_TEXT;
    if (length < 126) {
      frame[1] = 0x80 | length;
    } else if (length < 65_536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeUInt32BE(0, 2);
      frame.writeUInt32BE(length, 6);
    }
    frame.writeUInt32BE(0, header - 4);
    frame.write(text, header);
    this.#write(frame);
  }

  queuedWriteDone(_bytes: number, status: number): void {
    if (status < 0) this.#socket.destroy();
  }

  #write(frame: Buffer): void {
    if (this.#handle === undefined) this.#socket.write(frame);
    else if (writeToHandle(this.#handle, frame, this) < 0) this.#socket.destroy();
  }

  /** After the handshake: direct writes, and reads into the shared buffer, when the socket allows. */
  #goDirect(): void {
    const handle = directHandle(this.#socket);
    if (handle === undefined || this.#socket.writableLength !== 0) return;
    (this.#socket as Socket & { [CLIENT]?: RawWsClient })[CLIENT] = this;
    if (!readIntoSharedBuffer(this.#socket, handle, onSharedRead)) return;
    this.#socket.removeAllListeners('data');
    this.#handle = handle;
  }

  /** A read into the shared buffer: what is kept past this call is copied. */
  sharedRead(bytes: Buffer): void {
    this.#onData(bytes, true);
  }

  /** Ends the connection without a closing handshake (the bench never needs one). */
  close(): void {
    this.#socket.destroy();
  }

  #finish(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.close(code);
  }

  #onData(chunk: Buffer, borrowed = false): void {
    let buf = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    // Concatenated: a copy already; borrowed alone: copied if anything is kept.
    const shared = borrowed && this.#pending === undefined;
    this.#pending = undefined;
    if (!this.#open) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        this.#pending = buf;
        return;
      }
      if (!buf.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) {
        this.#handlers.error(new Error(`handshake refused: ${buf.toString('latin1', 0, Math.min(end, 80))}`));
        this.#socket.destroy();
        return;
      }
      this.#open = true;
      buf = buf.subarray(end + 4);
      this.#goDirect();
      this.#handlers.open();
    }
    let at = 0;
    while (buf.length - at >= 2) {
      const opcode = (buf[at] ?? 0) & 0x0f;
      let length = (buf[at + 1] ?? 0) & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buf.length - at < 4) break;
        length = buf.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (buf.length - at < 10) break;
        length = buf.readUInt32BE(at + 6);
        header = 10;
      }
      if (length > MAX_FRAME_BYTES) {
        this.#handlers.error(new Error(`frame of ${length} bytes from the tracker`));
        this.#socket.destroy();
        return;
      }
      if (buf.length - at < header + length) break;
      const start = at + header;
      at = start + length;
      if (opcode === OPCODE_TEXT) {
        this.#handlers.message(buf.toString('utf8', start, at));
      } else if (opcode === OPCODE_CLOSE) {
        this.#finish(length >= 2 ? buf.readUInt16BE(start) : 1005);
        this.#socket.destroy();
        return;
      } else if (opcode === OPCODE_PING) {
        // Pong with the same (short) payload, masked with zeros.
        const pong = Buffer.alloc(6 + length);
        pong[0] = 0x8a;
        pong[1] = 0x80 | length;
        buf.copy(pong, 6, start, at);
        this.#write(pong);
      }
      if (this.#closed) return;
    }
    if (at < buf.length) this.#pending = shared ? Buffer.from(buf.subarray(at)) : buf.subarray(at);
  }
}

function onSharedRead(this: Duplex, bytes: number, buffer: Buffer): void {
  (this as Duplex & { [CLIENT]?: RawWsClient })[CLIENT]?.sharedRead(buffer.subarray(0, bytes));
}
