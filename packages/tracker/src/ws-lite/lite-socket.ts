import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PeerSocket, PeerSocketOwner } from '../peer-socket.js';
import { FrameParser, OPCODES } from './frame-parser.js';
import { closeFrame, controlFrame, textFrame, textFrameHeader } from './frame-writer.js';
import { directHandle, readIntoSharedBuffer, writeLatin1ToHandle, writeToHandle } from './handle-io.js';
import type { StreamHandle, WriteSink } from './handle-io.js';

/** Settings shared by every socket of one server (one object, not copies per connection). */
export interface LiteSocketShared {
  /** Largest message accepted, in bytes (larger: close 1009). */
  readonly maxPayloadBytes: number;
  /** Beyond this many bytes queued to a client that does not read, pongs are not queued: the socket is dropped. */
  readonly maxSendBufferBytes: number;
  /** How long a closing socket may wait for the peer to finish before it is destroyed. */
  readonly closeTimeoutMs: number;
  /** The socket closed (for the server's set of sockets). */
  closed(socket: LiteSocket): void;
}

/** Text sent as a Latin-1 string stays within a 16-bit frame length (and the native side's stack copy). */
const MAX_LATIN1_FRAME_TEXT = 0xffff;

const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Where a net socket finds its LiteSocket, so its listeners are functions shared by all sockets. */
const LITE = Symbol('liteSocket');
type Tagged = Duplex & { [LITE]?: LiteSocket };

/**
 * One server-side WebSocket on a raw socket: frames parsed in place (FrameParser), frames written
 * in one write each, no per-connection stream, closure or timer while open. On a plain TCP socket,
 * reads and writes go to its libuv handle directly (handle-io.ts); otherwise through the socket.
 */
export class LiteSocket extends FrameParser implements PeerSocket, WriteSink {
  /** Receives the input; undefined for a refused socket, whose input is dropped. */
  owner: PeerSocketOwner | undefined;
  readonly #socket: Duplex;
  readonly #shared: LiteSocketShared;
  /**
   * Where frames are written directly; undefined: through the socket. Set only when the socket's own
   * queue was empty at the start: it then stays empty while open (only close() writes to it), so
   * direct frames can never pass bytes waiting there.
   */
  readonly #handle: StreamHandle | undefined;
  /** Bytes of direct writes libuv has queued and not yet sent (the socket's own count misses them). */
  #queuedBytes = 0;
  #state = OPEN;
  #closeTimer: NodeJS.Timeout | undefined;

  constructor(socket: Duplex, shared: LiteSocketShared) {
    super();
    this.#socket = socket;
    this.#shared = shared;
    (socket as Tagged)[LITE] = this;
    const tcp = socket as Partial<Socket>;
    // Small messages go out at once; no idle timeout from the HTTP server.
    tcp.setNoDelay?.(true);
    tcp.setTimeout?.(0);
    const handle = directHandle(socket);
    this.#handle = handle !== undefined && socket.writableLength === 0 ? handle : undefined;
    if (handle === undefined || !readIntoSharedBuffer(socket, handle, onSharedRead)) socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
  }

  get readyState(): number {
    return this.#state;
  }

  get bufferedAmount(): number {
    // Direct and open: the socket's own queue is empty (see #handle), and not read for each send.
    if (this.#handle !== undefined && this.#state === OPEN) return this.#queuedBytes;
    return this.#socket.writableLength + this.#queuedBytes;
  }

  protected get maxPayloadBytes(): number {
    return this.#shared.maxPayloadBytes;
  }

  send(text: string): void {
    if (this.#state !== OPEN) return;
    const handle = this.#handle;
    if (handle !== undefined && text.length <= MAX_LATIN1_FRAME_TEXT && Buffer.byteLength(text) === text.length) {
      // ASCII (its UTF-8 bytes are its characters): header and text go out as one string, no Buffer made.
      this.#settle(writeLatin1ToHandle(handle, textFrameHeader(text.length) + text, this));
      return;
    }
    this.#write(textFrame(text));
  }

  queuedWriteDone(bytes: number, status: number): void {
    this.#queuedBytes -= bytes;
    // A failed write (reset, or cancelled by a destroy) leaves nothing to say on this socket.
    if (status < 0) this.terminate();
  }

  /** Writes a frame directly when the socket allows it (see #handle), else through the socket. */
  #write(frame: Buffer): void {
    const handle = this.#handle;
    if (handle === undefined) {
      this.#socket.write(frame);
      return;
    }
    this.#settle(writeToHandle(handle, frame, this));
  }

  /** After a direct write: its bytes queued in libuv are counted; a failed one (a destroyed socket's closed handle: EBADF) ends the socket. */
  #settle(result: number): void {
    if (result > 0) this.#queuedBytes += result;
    else if (result < 0) this.terminate();
  }

  /** Sends a close frame, ends our side and waits (closeTimeoutMs at most) for the peer to end its side. */
  close(code: number | undefined, reason = ''): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.stopParsing();
    this.#socket.end(closeFrame(code, reason));
    this.#closeTimer = setTimeout(destroyLate, this.#shared.closeTimeoutMs, this.#socket);
    this.#closeTimer.unref();
  }

  terminate(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.stopParsing();
    this.#socket.destroy();
  }

  protected onText(text: string): void {
    if (this.#state === OPEN) this.owner?.onText(text);
  }

  protected onBinary(): void {
    if (this.#state === OPEN) this.owner?.onBinary();
  }

  protected onPing(payload: Buffer): void {
    if (this.#state !== OPEN) return;
    // A client that pings without reading must not make us queue pongs without bound.
    if (this.bufferedAmount > this.#shared.maxSendBufferBytes) this.terminate();
    else this.#write(controlFrame(OPCODES.pong, payload));
  }

  protected onCloseFrame(code: number | undefined): void {
    // The closing handshake: echo the peer's code, then end.
    this.close(code);
  }

  /** Closed with the code alone, as ws does: the reason is for this side's tests and logs. */
  protected onProtocolError(code: number): void {
    this.close(code);
    this.owner?.onProtocolError(code);
  }

  /** The peer ended its side without a close frame: nothing more can be exchanged. */
  peerEnded(): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.stopParsing();
  }

  /** The net socket closed. */
  socketClosed(): void {
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#state = CLOSED;
    this.stopParsing();
    this.#shared.closed(this);
    this.owner?.onClosed();
  }
}

function onData(this: Tagged, chunk: Buffer): void {
  const lite = this[LITE];
  try {
    lite?.push(chunk);
  } catch {
    // Owners catch their own failures; anything else is a layer bug: drop this socket, never the process.
    lite?.terminate();
  }
}

/** A read into the shared buffer: the bytes are valid during this call only. */
function onSharedRead(this: Tagged, bytes: number, buffer: Buffer): void {
  const lite = this[LITE];
  try {
    lite?.push(buffer.subarray(0, bytes), true);
  } catch {
    lite?.terminate();
  }
}

/** The peer ended its side: with allowHalfOpen (the HTTP server's setting) ours must be ended too. */
function onEnd(this: Tagged): void {
  this[LITE]?.peerEnded();
  this.end();
}

/** Socket errors (resets, EPIPE) are followed by 'close', which is all the owner needs. */
function onError(this: Tagged): void {
  // Nothing to report.
}

function onClose(this: Tagged): void {
  this[LITE]?.socketClosed();
}

function destroyLate(socket: Duplex): void {
  socket.destroy();
}
