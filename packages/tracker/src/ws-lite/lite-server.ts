import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PeerServer, PeerSocket, PeerSocketOpen } from '../peer-socket.js';
import { checkUpgrade, refusal, switchingProtocols } from './handshake.js';
import { LiteSocket } from './lite-socket.js';
import type { LiteSocketShared } from './lite-socket.js';

export type LiteServerOptions = Pick<LiteSocketShared, 'maxPayloadBytes' | 'maxSendBufferBytes' | 'closeTimeoutMs'>;

/** The tracker's own RFC 6455 server layer: handshakes on the HTTP server's upgrade event, LiteSockets after. */
export class LiteServer implements PeerServer {
  readonly #sockets = new Set<LiteSocket>();
  readonly #shared: LiteSocketShared;
  #whenEmpty: (() => void) | undefined;

  constructor(options: LiteServerOptions) {
    this.#shared = {
      ...options,
      closed: (socket) => {
        this.#sockets.delete(socket);
        if (this.#sockets.size === 0) this.#whenEmpty?.();
      },
    };
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, open: PeerSocketOpen): void {
    const checked = checkUpgrade(req);
    if ('status' in checked) {
      refuseUpgrade(socket, checked.status, checked.message);
      return;
    }
    if (!socket.readable || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.write(switchingProtocols(checked.key));
    const lite = new LiteSocket(socket, this.#shared);
    this.#sockets.add(lite);
    lite.owner = open(lite, req);
    // Frames that came with the request: parsed once the owner is known.
    if (head.length > 0) lite.push(head);
  }

  sockets(): Iterable<PeerSocket> {
    return this.#sockets;
  }

  allClosed(): Promise<void> {
    if (this.#sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#whenEmpty;
      this.#whenEmpty = () => {
        previous?.();
        resolve();
      };
    });
  }
}

/** Answers a refused handshake with an HTTP error and closes the connection once it is written. */
export function refuseUpgrade(socket: Duplex, status: 400 | 405 | 426 | 503, message: string): void {
  socket.on('error', ignore);
  socket.once('finish', destroyThis);
  socket.end(refusal(status, message));
}

function destroyThis(this: Duplex): void {
  this.destroy();
}

function ignore(): void {
  // The connection is being refused: its errors are of no interest.
}
