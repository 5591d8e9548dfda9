/**
 * The hostile page's membership of a swarm: one tracker connection (the browser's WebSocket, the
 * real tracker protocol), one identity. welcome -> join -> joined; relays signaling; pings.
 * A new session is a new tracker id: peers that banned the old one do not know the new one.
 */
import { browserTrackerSocket } from '@swarmcast/browser';
import type { TrackerSocket } from '@swarmcast/core';
import {
  TRACKER_PROTOCOL_VERSION,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type SignalData,
} from '@swarmcast/protocol';

export interface TrackerSessionEvents {
  /** Joined as `selfId`; `peers` are members to connect to. */
  joined(selfId: string, peers: readonly string[]): void;
  signal(from: string, data: SignalData): void;
  /** The tracker connection ended (not after close()). */
  closed(reason: string): void;
}

export class TrackerSession {
  peerId: string | undefined;
  private readonly socket: TrackerSocket;
  private open = false;
  private closed = false;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    url: string,
    private readonly swarm: string,
    /** Upload estimate sent in join, kbit/s. */
    private readonly uploadKbps: number,
    private readonly events: TrackerSessionEvents,
  ) {
    this.socket = browserTrackerSocket(url, {
      open: () => {
        this.open = true;
      },
      message: (text) => { this.onMessage(text); },
      close: (reason) => {
        if (this.closed) return;
        this.stop();
        events.closed(reason);
      },
    });
  }

  sendSignal(to: string, data: SignalData): void {
    this.send({ type: 'signal', swarm: this.swarm, to, data });
  }

  /** Leaves the swarm and closes the connection; idempotent. */
  close(): void {
    if (this.closed) return;
    this.send({ type: 'leave', swarm: this.swarm });
    this.stop();
    this.socket.close();
  }

  private stop(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
  }

  private send(msg: ClientMessage): void {
    if (this.open && !this.closed) this.socket.send(serializeMessage(msg));
  }

  private onMessage(text: string): void {
    const msg = parseServerMessage(text);
    switch (msg.type) {
      case 'welcome':
        this.peerId = msg.peerId;
        this.heartbeat = setInterval(() => { this.send({ type: 'ping' }); }, Math.max(1000, msg.heartbeatMs * 0.8));
        this.send({ type: 'join', protocol: TRACKER_PROTOCOL_VERSION, swarm: this.swarm, uploadKbps: this.uploadKbps });
        return;
      case 'joined':
        if (msg.swarm === this.swarm && this.peerId !== undefined) this.events.joined(this.peerId, msg.peers);
        return;
      case 'signal':
        if (msg.swarm === this.swarm) this.events.signal(msg.from, msg.data);
        return;
      default:
        // peers, records, pong, error: nothing the attacks need.
        return;
    }
  }
}
