/**
 * The WebTorrent WebSocket tracker protocol (bittorrent-tracker's lib/server/parse-websocket.js and
 * server.js) as the load worker speaks it. Join: announce event 'started' without offers. Exchange:
 * announce with numwant 1 and one offer {offer, offer_id}; the tracker relays it to a random swarm
 * member (and replies to the announcer); that member sends an announce with `answer`, `to_peer_id`
 * and `offer_id`, which the tracker relays back (no reply to it). Announce: announce without offers.
 * Ids are 20 ASCII characters, so the tracker's binary-string/hex conversions round-trip them.
 */
import { fakeSdp, stampIn, stringField, nowMs } from './bench-peer.js';
import type { BenchPeer, PeerEvents, PeerProtocol } from './bench-peer.js';

/** A 20-character id: the tag, then the number zero-padded. */
export function webtorrentId(tag: string, n: number): string {
  return `${tag}${String(n).padStart(20 - tag.length, '0')}`;
}

export class WebtorrentProtocol implements PeerProtocol {
  readonly #events: PeerEvents;
  readonly #padding: string;

  constructor(events: PeerEvents, padding: string) {
    this.#events = events;
    this.#padding = padding;
  }

  opened(peer: BenchPeer): void {
    peer.pendingAnnounces.push('join');
    peer.socket.send(`{"action":"announce","info_hash":"${peer.swarm}","peer_id":"${peer.id}","numwant":0,"event":"started"}`);
  }

  received(peer: BenchPeer, text: string): void {
    if (text.includes('"offer":{')) {
      this.#events.relayed(nowMs() - stampIn(text), false);
      const from = stringField(text, '"peer_id":"');
      const offerId = stringField(text, '"offer_id":"');
      peer.socket.send(
        `{"action":"announce","info_hash":"${peer.swarm}","peer_id":"${peer.id}","to_peer_id":"${from}",` +
          `"answer":{"type":"answer","sdp":"${fakeSdp(this.#padding)}"},"offer_id":"${offerId}"}`,
      );
      return;
    }
    if (text.includes('"answer":{')) {
      this.#events.relayed(nowMs() - stampIn(text), false);
      if (peer.inFlight !== 0 && stringField(text, '"offer_id":"') === offerIdOf(peer)) this.#events.answered(peer);
      return;
    }
    if (text.includes('"failure reason"')) {
      this.#events.error('tracker:failure');
      return;
    }
    // An announce reply: replies come in the order of the announces.
    const kind = peer.pendingAnnounces.shift();
    if (kind === 'join') this.#events.ready(peer);
    else if (kind === 'announce') this.#events.announced();
  }

  offer(peer: BenchPeer): boolean {
    peer.pendingAnnounces.push('offer');
    peer.socket.send(
      `{"action":"announce","info_hash":"${peer.swarm}","peer_id":"${peer.id}","numwant":1,` +
        `"offers":[{"offer":{"type":"offer","sdp":"${fakeSdp(this.#padding)}"},"offer_id":"${offerIdOf(peer)}"}]}`,
    );
    return true;
  }

  announce(peer: BenchPeer): void {
    peer.pendingAnnounces.push('announce');
    peer.socket.send(`{"action":"announce","info_hash":"${peer.swarm}","peer_id":"${peer.id}","numwant":0}`);
  }

  ping(peer: BenchPeer): void {
    this.announce(peer);
  }

  lost(): void {
    // The tracker picks the partner: nothing to forget.
  }
}

function offerIdOf(peer: BenchPeer): string {
  return webtorrentId('o', peer.exchangeSeq);
}
