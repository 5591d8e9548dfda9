/**
 * The ports through which the core touches the world. The core itself has no clock, no network,
 * no crypto and no DOM of its own: the browser, the Node peer and the simulator each inject theirs.
 */
import type { ConnectionSignal, IceServer } from '@swarmcast/protocol';

/** Monotonic time and timers. */
export interface Clock {
  /** Milliseconds on a monotonic clock (performance.now() in a browser). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export type TimerHandle = unknown;

/** A byte range, end exclusive. */
export interface ByteRange {
  readonly startBytes: number;
  readonly endBytes?: number;
}

export interface HttpRequest {
  readonly url: string;
  readonly range?: ByteRange;
  /** Called as bytes arrive, with the count so far. */
  readonly onProgress?: (loadedBytes: number) => void;
}

export interface HttpResponse {
  readonly bytes: Uint8Array;
  /** Whole resource size when the server said it (Content-Range / Content-Length). */
  readonly totalBytes?: number;
}

/** Fetches segment bytes over HTTP (the CDN path). */
export interface HttpPort {
  /** Resolves with the body; rejects on network error, non-2xx, or abort. */
  fetch(request: HttpRequest, signal: AbortSignal): Promise<HttpResponse>;
}

/** One open DataChannel to a remote peer, as the core sees it. */
export interface PeerLink {
  /**
   * Sends one binary message. Only called while open. A broadcast hands the same bytes to every
   * link: a link may keep them (the simulator queues them) but must never write into them.
   */
  send(bytes: Uint8Array): void;
  /** Bytes queued but not yet sent (DataChannel.bufferedAmount). */
  readonly bufferedAmountBytes: number;
  /** Closes the connection; idempotent. No events fire after close(). */
  close(): void;
  /**
   * Where drain fires: when bufferedAmount falls from above `bytes` to it (a DataChannel's
   * bufferedAmountLowThreshold). The core sets it to half its high-water mark each time it stops on
   * back-pressure. Optional: a link without it keeps its own mark, and the core looks again every 50 ms.
   */
  setLowWaterBytes?(bytes: number): void;
  /**
   * Bytes the connection's transport received so far, everything counted (the remote stack's
   * acknowledgements of what we sent too), or undefined when unknown. Tells a peer that stays silent
   * on a working path (its transport still acknowledges our request) from a dead path. Optional.
   */
  receivedBytes?(): Promise<number | undefined>;
}

export interface PeerLinkEvents {
  open(): void;
  message(bytes: Uint8Array): void;
  /** bufferedAmount fell below the low-water mark: send more. */
  drain(): void;
  close(reason: string): void;
  /** A signaling payload to relay to the remote peer through the tracker. */
  signal(data: ConnectionSignal): void;
  /**
   * The open connection's path broke (ICE 'disconnected' or 'failed'): the engine sends the peer no
   * new request, and re-requests elsewhere what was in flight, until resumed() or close(). Optional
   * for connectors: one that never reports it leaves the link in use until it closes.
   */
  interrupted?(): void;
  /** The path is back after interrupted(); `restarted` when it took an ICE restart. */
  resumed?(restarted: boolean): void;
}

/** A connection in the making: the core feeds it the remote's signaling payloads. */
export interface PendingPeerLink extends PeerLink {
  /** Applies a signaling payload received from the remote peer. */
  signal(data: ConnectionSignal): void;
  /**
   * Whether an offer from this link's remote renegotiates this very connection (an ICE restart)
   * rather than starting a new one. Optional: without it every offer from a connected peer is a new
   * connection that replaces this one.
   */
  renegotiates?(offer: ConnectionSignal & { kind: 'description' }): boolean;
}

/** What the engine knows, beyond the remote's id, when it opens a connection. */
export interface ConnectOptions {
  /**
   * STUN/TURN servers the tracker announced in its latest welcome, TURN credentials minted for this
   * peer; empty when it announced none. How they combine with the connector's own is the connector's rule.
   */
  readonly trackerIceServers: readonly IceServer[];
}

/** Creates WebRTC connections (RTCPeerConnection + one DataChannel in a browser). */
export interface PeerConnector {
  /**
   * Starts a connection to `remotePeerId`. The initiator creates the offer. Events arrive through
   * `events`; `open` means the DataChannel is ready for send().
   */
  connect(remotePeerId: string, initiator: boolean, events: PeerLinkEvents, options: ConnectOptions): PendingPeerLink;
  /**
   * Why no connection could be made with `options`, or undefined when connections can be made: a
   * relay-only connector (privacy mode) that knows no TURN server says why. Asked at each tracker
   * welcome, before joining; a reason keeps the engine out of the swarm (HTTP only, `P2P_REFUSED`).
   * Optional: a connector without it can always connect.
   */
  refusal?(options: ConnectOptions): string | undefined;
}

/** A text-frame socket to the tracker (the W3C WebSocket in a browser, ws in Node). */
export interface TrackerSocket {
  send(text: string): void;
  close(): void;
}

export interface TrackerSocketEvents {
  open(): void;
  message(text: string): void;
  close(reason: string): void;
}

export type TrackerSocketFactory = (url: string, events: TrackerSocketEvents) => TrackerSocket;

/** A public key as the CryptoPort imported it (a CryptoKey with WebCrypto); opaque to the core. */
export type PublicKeyHandle = object;

/** Hashing and signature checks (WebCrypto in browsers and Node). */
export interface CryptoPort {
  sha256(bytes: Uint8Array): Promise<Uint8Array>;
  /** Imports a raw 32-byte Ed25519 public key; rejects if the platform or the key is unusable. */
  importEd25519(publicKeyRaw: Uint8Array): Promise<PublicKeyHandle>;
  verifyEd25519(key: PublicKeyHandle, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** Randomness, injectable so the simulator is reproducible. */
export interface RandomPort {
  /** A float in [0, 1). */
  random(): number;
}

/** Everything the engine needs from its host. */
export interface EnginePorts {
  readonly clock: Clock;
  readonly http: HttpPort;
  readonly connector: PeerConnector;
  readonly trackerSocket: TrackerSocketFactory;
  readonly random: RandomPort;
  readonly crypto: CryptoPort;
}
