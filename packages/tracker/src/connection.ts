import { ProtocolError, parseClientMessage, serializeMessage } from '@swarmcast/protocol';
import type { ClientMessage, ServerMessage } from '@swarmcast/protocol';
import type { TrackerConfig } from './config.js';
import { CLOSE_CODES, TrackerError } from './errors.js';
import type { TrackerRejectCode } from './errors.js';
import { TokenBucket } from './rate-limiter.js';
import type { SwarmMember } from './swarm-registry.js';
import { PEER_SOCKET_OPEN } from './peer-socket.js';
import type { PeerSocket, PeerSocketOwner } from './peer-socket.js';

export type ConnectionConfig = Pick<TrackerConfig, 'rateLimitMessagesPerSec' | 'rateLimitBurst'>;

/** How a connection reaches the rest of the tracker. */
export interface ConnectionHooks {
  /** A parsed, rate-checked message and the text it was parsed from. Throw TrackerError to refuse it. */
  message(conn: Connection, msg: ClientMessage, text: string): void;
  /** Any frame arrived, valid or not, at nowMs (the hooks' clock). */
  frame(nowMs: number): void;
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

/** ServerMessageSchema caps error messages at 1024 characters. */
const MAX_ERROR_MESSAGE_LENGTH = 1024;

/** One client socket: its server-made id, its swarms, its rate limit and when it last spoke. */
export class Connection implements SwarmMember, PeerSocketOwner {
  readonly peerId: string;
  /** Remote address, for the per-IP connection limit. */
  readonly ip: string;
  /** Swarms joined, mirroring the registry, so closing can leave each one. */
  readonly swarms = new Set<string>();
  readonly #socket: PeerSocket;
  readonly #config: ConnectionConfig;
  readonly #hooks: ConnectionHooks;
  readonly #bucket: TokenBucket;
  #lastSeenMs: number;
  /** Set once we decided to close: later frames are ignored. */
  #closing = false;

  constructor(socket: PeerSocket, peerId: string, ip: string, config: ConnectionConfig, hooks: ConnectionHooks) {
    this.#socket = socket;
    this.peerId = peerId;
    this.ip = ip;
    this.#config = config;
    this.#hooks = hooks;
    this.#lastSeenMs = hooks.now();
    this.#bucket = new TokenBucket({ refillPerSec: config.rateLimitMessagesPerSec, capacity: config.rateLimitBurst }, this.#lastSeenMs);
  }

  onText(text: string): void {
    try {
      this.#onMessage(text);
    } catch (error) {
      this.#internalFailure(error);
    }
  }

  onBinary(): void {
    try {
      this.#onMessage(undefined);
    } catch (error) {
      this.#internalFailure(error);
    }
  }

  onProtocolError(closeCode: number): void {
    try {
      // The layer has already started closing with closeCode (1009 for an oversized message).
      this.#markClosing();
      this.#hooks.reject(closeCode === 1009 ? 'TRACKER_MSG_TOO_LARGE' : 'WS_PROTOCOL_ERROR', this);
    } catch (error) {
      this.#internalFailure(error);
    }
  }

  onClosed(): void {
    try {
      this.#markClosing();
      this.#hooks.closed(this);
    } catch (error) {
      this.#internalFailure(error);
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
    if (this.#socket.readyState !== PEER_SOCKET_OPEN) return false;
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

  /** text undefined: a binary message. */
  #onMessage(text: string | undefined): void {
    if (this.#closing) return;
    const nowMs = this.#hooks.now();
    this.#hooks.frame(nowMs);
    if (!this.#bucket.take(nowMs)) {
      this.fail(
        'RATE_LIMITED',
        `too many messages: at most ${this.#config.rateLimitBurst} in a burst and ${this.#config.rateLimitMessagesPerSec}/s sustained`,
      );
      return;
    }
    if (text === undefined) {
      this.fail('BINARY_FRAME', 'binary frames are not accepted: send JSON text frames');
      return;
    }
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(text);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.fail(error.code, error.message);
      return;
    }
    this.#lastSeenMs = nowMs;
    try {
      this.#hooks.message(this, msg, text);
    } catch (error) {
      if (!(error instanceof TrackerError)) throw error;
      if (error.fatal) this.fail(error.code, error.message);
      else this.#hooks.reject(error.code, this);
    }
  }

  /** One client's input must never throw out of a socket listener: a failure is reported and the connection closed. */
  #internalFailure(error: unknown): void {
    try {
      this.#hooks.internalError(this, error);
      this.fail('INTERNAL_ERROR', 'internal tracker error', CLOSE_CODES.internalError);
    } catch {
      // Last resort: drop the socket rather than let anything escape into the socket layer.
      this.#socket.terminate();
    }
  }
}
