import { ProtocolError, parseClientMessage, serializeMessage } from '@swarmcast/protocol';
import type { ClientMessage, ServerMessage } from '@swarmcast/protocol';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import type { TrackerConfig } from './config.js';
import { CLOSE_CODES, TrackerError } from './errors.js';
import type { TrackerRejectCode } from './errors.js';
import { TokenBucket } from './rate-limiter.js';
import type { SwarmMember } from './swarm-registry.js';

export type ConnectionConfig = Pick<TrackerConfig, 'rateLimitMessagesPerSec' | 'rateLimitBurst'>;

/** How a connection reaches the rest of the tracker. */
export interface ConnectionHooks {
  /** A parsed, rate-checked message. Throw TrackerError to refuse it. */
  message(conn: Connection, msg: ClientMessage): void;
  /** Any frame arrived, valid or not. */
  frame(): void;
  /** conn: the connection refused, when there is one (for the log). */
  reject(code: TrackerRejectCode, conn?: Connection): void;
  /** Internal failure (a tracker bug), reported once per occurrence. */
  internalError(conn: Connection, error: unknown): void;
  /** The connection started closing, for any reason; called exactly once, before closed(). */
  closing(conn: Connection): void;
  /** The socket is closed; called exactly once. */
  closed(conn: Connection): void;
  /** Monotonic milliseconds. */
  now(): number;
}

/**
 * Most bytes queued to a client that does not read: beyond it the connection is cut, so a peer that
 * stops reading cannot make the tracker buffer every signal sent to it.
 */
export const MAX_SEND_BUFFER_BYTES = 1024 * 1024; // 1 MiB, 16 largest messages

/** Where a socket finds its Connection, so its listeners can be shared functions instead of closures. */
const CONNECTION = Symbol('connection');
type TaggedSocket = WebSocket & { [CONNECTION]?: Connection };

/** ServerMessageSchema caps error messages at 1024 characters. */
const MAX_ERROR_MESSAGE_LENGTH = 1024;

/** One client socket: its server-made id, its swarms, its rate limit and when it last spoke. */
export class Connection implements SwarmMember {
  readonly peerId: string;
  /** Remote address, for the per-IP connection limit. */
  readonly ip: string;
  /** Swarms joined, mirroring the registry, so closing can leave each one. */
  readonly swarms = new Set<string>();
  readonly #socket: WebSocket;
  readonly #config: ConnectionConfig;
  readonly #hooks: ConnectionHooks;
  readonly #bucket: TokenBucket;
  #lastSeenMs: number;
  /** Set once we decided to close: later frames are ignored. */
  #closing = false;

  constructor(socket: WebSocket, peerId: string, ip: string, config: ConnectionConfig, hooks: ConnectionHooks) {
    this.#socket = socket;
    this.peerId = peerId;
    this.ip = ip;
    this.#config = config;
    this.#hooks = hooks;
    this.#lastSeenMs = hooks.now();
    this.#bucket = new TokenBucket({ refillPerSec: config.rateLimitMessagesPerSec, capacity: config.rateLimitBurst }, this.#lastSeenMs);
    // Listeners shared by every connection (no closures per socket: memory per idle peer counts).
    (socket as TaggedSocket)[CONNECTION] = this;
    socket.on('message', Connection.#onMessage);
    socket.on('error', Connection.#onError);
    // ws emits 'close' once; on() avoids the wrapper once() would allocate.
    socket.on('close', Connection.#onClose);
  }

  static #onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const conn = (this as TaggedSocket)[CONNECTION];
    if (conn === undefined) return;
    try {
      conn.#onFrame(data, isBinary);
    } catch (error) {
      conn.#internalFailure(error);
    }
  }

  static #onError(this: WebSocket, error: Error): void {
    const conn = (this as TaggedSocket)[CONNECTION];
    if (conn === undefined) return;
    try {
      conn.#onSocketError(error);
    } catch (failure) {
      conn.#internalFailure(failure);
    }
  }

  static #onClose(this: WebSocket): void {
    const conn = (this as TaggedSocket)[CONNECTION];
    if (conn === undefined) return;
    try {
      conn.#markClosing();
      conn.#hooks.closed(conn);
    } catch (error) {
      conn.#internalFailure(error);
    }
  }

  /** When the last valid message arrived, on the hooks' clock. */
  get lastSeenMs(): number {
    return this.#lastSeenMs;
  }

  /** Queues msg; false if the socket is not open or was just dropped for not reading. */
  send(msg: ServerMessage): boolean {
    return this.sendSerialized(serializeMessage(msg));
  }

  /** Queues a message already serialized (one broadcast, serialized once for all members); as send(). */
  sendSerialized(text: string): boolean {
    if (this.#socket.readyState !== WebSocket.OPEN) return false;
    if (this.#socket.bufferedAmount > MAX_SEND_BUFFER_BYTES) {
      // A close frame would only queue behind the backlog: drop the socket.
      this.#hooks.reject('SEND_BUFFER_FULL', this);
      this.#markClosing();
      this.#socket.terminate();
      return false;
    }
    this.#socket.send(text);
    return true;
  }

  /** Reports code to the client, counts it, and closes with closeCode and the code as reason. */
  fail(code: TrackerRejectCode, message: string, closeCode: number = CLOSE_CODES.policyViolation): void {
    if (this.#closing) return;
    this.#hooks.reject(code, this);
    this.send({ type: 'error', code, message: message.slice(0, MAX_ERROR_MESSAGE_LENGTH) });
    this.close(closeCode, code);
  }

  /** Starts the closing handshake; idempotent. */
  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#markClosing();
    this.#socket.close(code, reason);
  }

  /** A closing peer leaves its swarms at once, not after a handshake that a dead client never finishes. */
  #markClosing(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#hooks.closing(this);
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    if (this.#closing) return;
    this.#hooks.frame();
    const nowMs = this.#hooks.now();
    if (!this.#bucket.take(nowMs)) {
      this.fail(
        'RATE_LIMITED',
        `too many messages: at most ${this.#config.rateLimitBurst} in a burst and ${this.#config.rateLimitMessagesPerSec}/s sustained`,
      );
      return;
    }
    if (isBinary) {
      this.fail('BINARY_FRAME', 'binary frames are not accepted: send JSON text frames');
      return;
    }
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(rawDataToText(data));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.fail(error.code, error.message);
      return;
    }
    this.#lastSeenMs = nowMs;
    try {
      this.#hooks.message(this, msg);
    } catch (error) {
      if (!(error instanceof TrackerError)) throw error;
      if (error.fatal) this.fail(error.code, error.message);
      else this.#hooks.reject(error.code, this);
    }
  }

  #onSocketError(error: Error): void {
    // ws has already started closing with the matching code (1009 for an oversized frame).
    this.#markClosing();
    const wsCode = (error as { code?: unknown }).code;
    this.#hooks.reject(wsCode === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'TRACKER_MSG_TOO_LARGE' : 'WS_PROTOCOL_ERROR', this);
  }

  /** One client's input must never throw out of a socket listener: a failure is reported and the connection closed. */
  #internalFailure(error: unknown): void {
    try {
      this.#hooks.internalError(this, error);
      this.fail('INTERNAL_ERROR', 'internal tracker error', CLOSE_CODES.internalError);
    } catch {
      // Last resort: drop the socket rather than let anything escape into ws.
      this.#socket.terminate();
    }
  }
}

/** A text frame's payload as a string, whatever form ws delivered it in. */
export function rawDataToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
