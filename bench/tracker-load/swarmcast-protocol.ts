/**
 * Swarmcast's tracker protocol (docs/protocol.md) as the load worker speaks it: welcome -> join ->
 * joined; an exchange is `signal` offer to a partner from the last peer list, relayed, then `signal`
 * answer back, relayed; the announce is `peers` (which also serves as the heartbeat).
 * Relayed signals are read with indexOf, not JSON.parse, so the load generator stays cheap.
 */
import { fakeSdp, nodeIn, stampIn, stringField, nowMs } from './bench-peer.js';
import type { BenchPeer, PeerEvents, PeerProtocol } from './bench-peer.js';

export class SwarmcastProtocol implements PeerProtocol {
  readonly #events: PeerEvents;
  readonly #padding: string;

  constructor(events: PeerEvents, padding: string) {
    this.#events = events;
    this.#padding = padding;
  }

  opened(): void {
    // The tracker speaks first (welcome).
  }

  received(peer: BenchPeer, text: string): void {
    if (text.startsWith('{"type":"signal"')) {
      this.#events.relayed(nowMs() - stampIn(text), nodeIn(text) !== peer.node);
      const from = stringField(text, '"from":"');
      if (text.includes('"sdpType":"offer"')) this.#signal(peer, from, 'answer');
      else if (peer.inFlight !== 0 && from === peer.partner) this.#events.answered(peer);
      return;
    }
    const msg = JSON.parse(text) as { type: string; peerId?: string; peers?: string[]; code?: string };
    switch (msg.type) {
      case 'welcome':
        peer.id = msg.peerId ?? '';
        peer.socket.send(`{"type":"join","protocol":1,"swarm":"${peer.swarm}"}`);
        return;
      case 'joined':
        peer.known = msg.peers ?? [];
        if (!peer.ready) this.#events.ready(peer);
        return;
      case 'peers':
        peer.known = msg.peers ?? [];
        this.#events.announced();
        return;
      case 'pong':
        this.#events.announced();
        return;
      case 'error':
        this.#events.error(`tracker:${msg.code ?? '?'}`);
        return;
      default:
    }
  }

  offer(peer: BenchPeer): boolean {
    const known = peer.known;
    if (known.length === 0) return false;
    peer.partner = known[Math.floor(Math.random() * known.length)] ?? '';
    this.#signal(peer, peer.partner, 'offer');
    return true;
  }

  announce(peer: BenchPeer): void {
    peer.socket.send(`{"type":"peers","swarm":"${peer.swarm}"}`);
  }

  ping(peer: BenchPeer): void {
    peer.socket.send('{"type":"ping"}');
  }

  lost(peer: BenchPeer): void {
    peer.known = peer.known.filter((id) => id !== peer.partner);
  }

  #signal(peer: BenchPeer, to: string, sdpType: 'offer' | 'answer'): void {
    peer.socket.send(
      `{"type":"signal","swarm":"${peer.swarm}","to":"${to}","data":{"kind":"description","sdpType":"${sdpType}","sdp":"${fakeSdp(this.#padding, peer.node)}"}}`,
    );
  }
}
