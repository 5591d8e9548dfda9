import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { LIMITS, ProtocolError, parseServerMessage } from '@swarmcast/protocol';
import type { SegmentRecord } from '@swarmcast/protocol';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { TrackerConfig } from './config.js';
import { rawDataToText } from './ws-peer-server.js';
import { CLOSE_CODES } from './errors.js';
import type { TrackerRejectCode } from './errors.js';

/** The WebSocket path sidecars publish records on. */
export const AUTHORITY_PATH = '/authority';

/** Most sidecars connected at once; they are few (one per stream group) and authenticated. */
const MAX_PUBLISHERS = 16;

export interface AuthorityEndpointHooks {
  /** Checked records from a publisher; returns how many were refused for their signature. */
  records(swarm: string, records: readonly SegmentRecord[]): number;
  reject(code: TrackerRejectCode): void;
  /** A bug while handling a publisher's message (logged as an error by the tracker). */
  internalError?(error: unknown): void;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * The /authority endpoint: authenticates sidecars by `Authorization: Bearer <authoritySecret>`
 * before the WebSocket handshake and takes their `records` messages, validated by the protocol schema.
 */
export class AuthorityEndpoint {
  readonly #expected: Buffer | undefined;
  readonly #hooks: AuthorityEndpointHooks;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxTrackerMessageBytes, perMessageDeflate: false });

  constructor(config: Pick<TrackerConfig, 'authoritySecret'>, hooks: AuthorityEndpointHooks) {
    // Compared as digests: equal lengths for timingSafeEqual, and no early exit on a prefix.
    this.#expected = config.authoritySecret === undefined ? undefined : digest(`Bearer ${config.authoritySecret}`);
    this.#hooks = hooks;
    this.#wss.on('connection', (socket) => {
      this.#accept(socket);
    });
  }

  get publisherCount(): number {
    return this.#wss.clients.size;
  }

  /** Takes over an upgrade request for AUTHORITY_PATH: refuses it with 403/401/503 or completes the handshake. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#expected === undefined) {
      this.#hooks.reject('AUTHORITY_DISABLED');
      refuse(socket, 403, 'Forbidden');
      return;
    }
    const given = req.headers.authorization;
    if (given === undefined || !timingSafeEqual(digest(given), this.#expected)) {
      this.#hooks.reject('AUTHORITY_UNAUTHORIZED');
      refuse(socket, 401, 'Unauthorized', 'WWW-Authenticate: Bearer\r\n');
      return;
    }
    if (this.#wss.clients.size >= MAX_PUBLISHERS) {
      this.#hooks.reject('TRACKER_FULL');
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#wss.emit('connection', ws, req);
    });
  }

  /** Closes every publisher; resolves once they are closed. Idempotent. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#wss.close(() => {
        resolve();
      });
      for (const socket of this.#wss.clients) socket.terminate();
    });
  }

  #accept(socket: WebSocket): void {
    socket.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      this.#hooks.reject(code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'TRACKER_MSG_TOO_LARGE' : 'WS_PROTOCOL_ERROR');
    });
    socket.on('message', (data, isBinary) => {
      const problem = isBinary ? 'BINARY_FRAME' : this.#onText(rawDataToText(data));
      if (problem !== undefined) {
        this.#hooks.reject(problem);
        socket.close(CLOSE_CODES.policyViolation, problem);
      }
    });
  }

  /** Handles one text frame; returns the code to close with when it is refused. */
  #onText(text: string): TrackerRejectCode | undefined {
    try {
      const msg = parseServerMessage(text);
      if (msg.type !== 'records') return 'AUTHORITY_MSG_INVALID';
      const refused = this.#hooks.records(msg.swarm, msg.records);
      for (let i = 0; i < refused; i++) this.#hooks.reject('RECORD_BAD_SIGNATURE');
      return undefined;
    } catch (error) {
      if (error instanceof ProtocolError) return error.code;
      // Nothing may escape into ws's listener.
      this.#hooks.internalError?.(error);
      return 'INTERNAL_ERROR';
    }
  }
}

/** Answers an upgrade request with a plain HTTP status and drops the socket. */
function refuse(socket: Duplex, status: number, reason: string, extraHeaders = ''): void {
  socket.on('error', () => undefined);
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${extraHeaders}Content-Length: 0\r\n\r\n`);
}
