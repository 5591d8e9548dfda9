import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { PeerServer, PeerSocket, PeerSocketOpen, PeerSocketOwner } from './peer-socket.js';

/** Where a ws socket finds its owner, so its listeners can be shared functions instead of closures. */
const OWNER = Symbol('owner');
type TaggedSocket = WebSocket & { [OWNER]?: PeerSocketOwner };

/** The `ws` library as the peer layer (webSocketLayer 'ws'). */
export class WsPeerServer implements PeerServer {
  readonly #wss: WebSocketServer;

  constructor(maxPayloadBytes: number) {
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes, perMessageDeflate: false, clientTracking: true });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, open: PeerSocketOpen): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const owner = open(ws, req);
      if (owner === undefined) {
        // Refused sockets: errors while they close are of no interest.
        ws.on('error', ignore);
        return;
      }
      (ws as TaggedSocket)[OWNER] = owner;
      ws.on('message', onMessage);
      ws.on('error', onError);
      // ws emits 'close' once; on() avoids the wrapper once() would allocate.
      ws.on('close', onClose);
    });
  }

  sockets(): Iterable<PeerSocket> {
    return this.#wss.clients;
  }

  allClosed(): Promise<void> {
    return new Promise((resolve) => {
      this.#wss.close(() => {
        resolve();
      });
    });
  }
}

function onMessage(this: TaggedSocket, data: RawData, isBinary: boolean): void {
  const owner = this[OWNER];
  if (isBinary) owner?.onBinary();
  else owner?.onText(rawDataToText(data));
}

function onError(this: TaggedSocket, error: Error): void {
  // ws has already started closing with the matching code.
  const wsCode = (error as { code?: unknown }).code;
  this[OWNER]?.onProtocolError(wsCode === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 1009 : 1002);
}

function onClose(this: TaggedSocket): void {
  this[OWNER]?.onClosed();
}

function ignore(): void {
  // Nothing to report.
}

/** A text frame's payload as a string, whatever form ws delivered it in. */
export function rawDataToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
