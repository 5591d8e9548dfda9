import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** readyState of an open socket (the WebSocket API's OPEN). */
export const PEER_SOCKET_OPEN = 1;

/** What the tracker needs of a peer's WebSocket, whichever layer speaks the protocol. */
export interface PeerSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** Queues one text message. */
  send(text: string): void;
  /** Starts the closing handshake. */
  close(code: number, reason: string): void;
  /** Destroys the socket at once. */
  terminate(): void;
}

/** Who receives a socket's input; one object per connection, called by functions shared by all sockets. */
export interface PeerSocketOwner {
  /** A whole text message, valid UTF-8. */
  onText(text: string): void;
  /** A whole binary message. */
  onBinary(): void;
  /** The layer refused a frame and is closing with closeCode (1009 too large, 1002/1007 malformed). */
  onProtocolError(closeCode: number): void;
  /** The socket is closed; called once. */
  onClosed(): void;
}

/**
 * Called with each new socket; returns its owner, or undefined after closing a socket it refuses
 * (that socket's input is then ignored).
 */
export type PeerSocketOpen = (socket: PeerSocket, req: IncomingMessage) => PeerSocketOwner | undefined;

/** A WebSocket server layer on the tracker's HTTP server (upgrade requests are handed to it). */
export interface PeerServer {
  /** Completes or refuses (with an HTTP error) the handshake of an upgrade request. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, open: PeerSocketOpen): void;
  /** Every socket not yet closed, refused ones included. */
  sockets(): Iterable<PeerSocket>;
  /** Resolves once every socket has closed (it does not close them). */
  allClosed(): Promise<void>;
}
