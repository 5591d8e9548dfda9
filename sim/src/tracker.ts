/**
 * An in-process tracker speaking the real tracker protocol (client frames parsed with
 * parseClientMessage, replies written with serializeMessage) and behaving like packages/tracker for
 * one swarm: welcome with a server-made id, join/peers answered with a bounded random sample of the
 * members (O(sample) per answer, like its SwarmRegistry), signal relay (dropped silently for an
 * unknown target), ping/pong, and members that go silent (crashed) dropped after the heartbeat timeout.
 */
import {
  ProtocolError,
  TRACKER_PROTOCOL_VERSION,
  parseClientMessage,
  serializeMessage,
  type ClientMessage,
  type ServerMessage,
} from '@swarmcast/protocol';
import { sampleOthers } from '@swarmcast/tracker/random-sample';
import type { RandomPort, TrackerSocket, TrackerSocketEvents, TrackerSocketFactory } from '@swarmcast/core';
import type { Host } from './host.ts';
import type { Scheduler } from './scheduler.ts';

export interface TrackerOptions {
  readonly scheduler: Scheduler;
  readonly random: RandomPort;
  readonly swarmId: string;
  /** Peer ids in a joined / peers list. */
  readonly maxPeersInList: number;
  /** @default 10000 (the tracker's default) */
  readonly heartbeatMs?: number;
  /** @default 30000 (the tracker's default) */
  readonly heartbeatTimeoutMs?: number;
}

interface Conn {
  peerId: string;
  readonly host: Host;
  readonly events: TrackerSocketEvents;
  readonly latencyMs: number;
  clientOpen: boolean;
  serverOpen: boolean;
  member: boolean;
}

export class SimTracker {
  messagesIn = 0;
  messagesOut = 0;
  signalsRelayed = 0;
  /** Frames rejected as invalid (should stay 0: every client is a real engine). */
  rejected = 0;
  private readonly members: string[] = [];
  private readonly memberIndex = new Map<string, number>();
  private readonly conns = new Map<string, Conn>();
  private readonly byHost = new Map<Host, Conn>();
  private nextId = 1;
  private readonly heartbeatMs: number;
  private readonly heartbeatTimeoutMs: number;

  constructor(private readonly options: TrackerOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 30_000;
  }

  get memberCount(): number {
    return this.members.length;
  }

  /** The socket factory for the engine on `host`, `latencyMs` one way from the tracker. */
  socketFactoryFor(host: Host, latencyMs: number): TrackerSocketFactory {
    return (_url, events) => this.accept(host, latencyMs, events);
  }

  /** A crashed host stops pinging: the tracker drops it after the heartbeat timeout. */
  crashed(host: Host): void {
    const conn = this.byHost.get(host);
    if (conn) this.options.scheduler.setTimeout(() => this.release(conn), this.heartbeatTimeoutMs);
  }

  private accept(host: Host, latencyMs: number, events: TrackerSocketEvents): TrackerSocket {
    const { scheduler } = this.options;
    const conn: Conn = { peerId: '', host, events, latencyMs, clientOpen: false, serverOpen: false, member: false };
    scheduler.setTimeout(() => {
      if (host.crashed) return;
      conn.peerId = `p${(this.nextId++).toString(36)}`;
      conn.serverOpen = true;
      conn.clientOpen = true;
      this.conns.set(conn.peerId, conn);
      this.byHost.set(host, conn);
      events.open();
      this.send(conn, { type: 'welcome', protocol: TRACKER_PROTOCOL_VERSION, peerId: conn.peerId, heartbeatMs: this.heartbeatMs });
    }, latencyMs);
    return {
      send: (text) => {
        if (!conn.clientOpen) throw new Error('SimTracker socket: send() while not open');
        if (host.crashed) return;
        scheduler.setTimeout(() => this.receive(conn, text), latencyMs);
      },
      close: () => {
        if (!conn.clientOpen) return;
        conn.clientOpen = false;
        if (!host.crashed) scheduler.setTimeout(() => this.release(conn), latencyMs);
      },
    };
  }

  private receive(conn: Conn, text: string): void {
    if (!conn.serverOpen) return;
    this.messagesIn += 1;
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(text);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.rejected += 1;
      this.send(conn, { type: 'error', code: error.code, message: error.message });
      this.release(conn);
      return;
    }
    const swarm = this.options.swarmId;
    if ('swarm' in msg && msg.swarm !== swarm) return;
    switch (msg.type) {
      case 'join':
        this.join(conn);
        this.send(conn, { type: 'joined', swarm, peers: this.sample(conn.peerId) });
        return;
      case 'peers':
        if (conn.member) this.send(conn, { type: 'peers', swarm, peers: this.sample(conn.peerId) });
        return;
      case 'signal': {
        const target = msg.to === conn.peerId ? undefined : this.conns.get(msg.to);
        if (!conn.member || !target?.member) return;
        this.signalsRelayed += 1;
        this.send(target, { type: 'signal', swarm, from: conn.peerId, data: msg.data });
        return;
      }
      case 'leave':
        this.leave(conn);
        return;
      case 'ping':
        this.send(conn, { type: 'pong' });
        return;
      case 'get-records':
        return; // integrity is off in simulation: no records to give
    }
  }

  private send(conn: Conn, msg: ServerMessage): void {
    if (!conn.serverOpen) return;
    const text = serializeMessage(msg);
    this.messagesOut += 1;
    this.options.scheduler.setTimeout(() => {
      if (conn.clientOpen && !conn.host.crashed) conn.events.message(text);
    }, conn.latencyMs);
  }

  private join(conn: Conn): void {
    if (conn.member) return;
    conn.member = true;
    this.memberIndex.set(conn.peerId, this.members.length);
    this.members.push(conn.peerId);
  }

  private leave(conn: Conn): void {
    if (!conn.member) return;
    conn.member = false;
    const i = this.memberIndex.get(conn.peerId);
    const last = this.members.pop();
    this.memberIndex.delete(conn.peerId);
    if (i !== undefined && last !== undefined && last !== conn.peerId) {
      this.members[i] = last;
      this.memberIndex.set(last, i);
    }
  }

  private release(conn: Conn): void {
    if (!conn.serverOpen) return;
    conn.serverOpen = false;
    this.leave(conn);
    this.conns.delete(conn.peerId);
    if (this.byHost.get(conn.host) === conn) this.byHost.delete(conn.host);
  }

  /** Up to maxPeersInList distinct random members other than `self`, in random order (the real tracker's sampling). */
  private sample(self: string): string[] {
    const { random, maxPeersInList } = this.options;
    return sampleOthers(this.members, self, this.memberIndex.has(self), maxPeersInList, () => random.random());
  }
}
