/** One simulated peer of a load worker, and what its protocol adapter needs from the worker. */
import type { RawWsClient } from './raw-ws-client.js';

export class BenchPeer {
  /** This peer's own id: the server-made one (Swarmcast) or a 20-character client id (WebTorrent). */
  id = '';
  /** Swarmcast: peer ids from the last joined/peers reply, the partners offers go to. */
  known: readonly string[] = [];
  /** Partner of the exchange in flight (Swarmcast; WebTorrent's tracker picks the partner). */
  partner = '';
  /** Sequence number of the exchange in flight, 0 when none; also the WebTorrent offer id's suffix. */
  inFlight = 0;
  exchangeSeq = 0;
  exchangeStartMs = 0;
  /** Joined its swarm (joined reply / first announce reply). */
  ready = false;
  /** Closed by churn or the end of the run: queued work for it is skipped. */
  gone = false;
  /** WebTorrent: what each announce still unanswered was (replies come back in order). */
  readonly pendingAnnounces: ('join' | 'announce' | 'offer')[] = [];

  constructor(
    readonly slot: number,
    readonly swarm: string,
    readonly socket: RawWsClient,
    /** Index of the tracker node this peer is connected to (0 with a single tracker). */
    readonly node = 0,
  ) {}
}

/** What a protocol adapter reports back to the worker's driver. */
export interface PeerEvents {
  /** The peer joined its swarm. */
  ready(peer: BenchPeer): void;
  /** An offer or an answer arrived at its addressee, latencyMs after its sender stamped it; crossNode when the sender was on another tracker node. */
  relayed(latencyMs: number, crossNode: boolean): void;
  /** The answer to this peer's offer in flight arrived. */
  answered(peer: BenchPeer): void;
  /** An announce (peers request) or a ping was answered. */
  announced(): void;
  error(kind: string): void;
}

/** One tracker protocol, as the load worker speaks it. */
export interface PeerProtocol {
  /** The socket opened. */
  opened(peer: BenchPeer): void;
  /** A text frame arrived. */
  received(peer: BenchPeer, text: string): void;
  /** Sends an offer stamped now; false when the peer knows no partner yet. */
  offer(peer: BenchPeer): boolean;
  announce(peer: BenchPeer): void;
  /** The heartbeat: Swarmcast's `ping` (answered by `pong`); WebTorrent has none, so an announce. */
  ping(peer: BenchPeer): void;
  /** The exchange in flight timed out: forget its partner (it probably left). */
  lost(peer: BenchPeer): void;
}

/** Wall-clock milliseconds with sub-ms precision, comparable across processes of one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The fake SDP of an offer or answer: the send time (for relay latency) and the sender's tracker node, padded to sdpBytes. */
export function fakeSdp(padding: string, node = 0): string {
  return `v=0 t=${nowMs().toFixed(3)} n=${node} ${padding}`;
}

/** The sender's tracker node in an SDP made by fakeSdp, found in a raw message; -1 when absent. */
export function nodeIn(text: string): number {
  const at = text.indexOf(' n=', text.indexOf('v=0 t='));
  return at < 0 ? -1 : Number.parseInt(text.slice(at + 3, at + 8), 10);
}

/** The send time in an SDP made by fakeSdp, found in a raw message; NaN when absent. */
export function stampIn(text: string): number {
  const at = text.indexOf('v=0 t=');
  return at < 0 ? Number.NaN : Number.parseFloat(text.slice(at + 6, at + 26));
}

/** The value of the first `"key":"value"` with this marker (`"key":"`) in raw JSON; '' when absent. */
export function stringField(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) return '';
  const start = at + marker.length;
  const end = text.indexOf('"', start);
  return end < 0 ? '' : text.slice(start, end);
}

/** Padding that makes fakeSdp about sdpBytes long (characters safe in JSON and in an SDP line). */
export function sdpPadding(sdpBytes: number): string {
  return 'a'.repeat(Math.max(0, sdpBytes - 36));
}
