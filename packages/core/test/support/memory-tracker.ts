/**
 * An in-memory tracker behind a TrackerSocketFactory. It speaks the real tracker protocol (frames are
 * parsed with parseClientMessage and written with serializeMessage) and behaves like the Node tracker:
 * a welcome with a server-made id on connect; join answered by joined with a sample of the other
 * members; peers; signal relayed within a swarm (silently dropped for an unknown target, which is not
 * fatal); ping answered by pong; invalid frames answered by an error and a close. With
 * `requiredJoinToken` set, a join without that exact token is refused like the Node tracker refuses a
 * bad one (TOKEN_REQUIRED or TOKEN_INVALID, then a close); it does not parse JWTs.
 */
import {
  LIMITS,
  ProtocolError,
  TRACKER_PROTOCOL_VERSION,
  parseClientMessage,
  serializeMessage,
  type ClientMessage,
  type IceServer,
  type IntegrityKey,
  type SegmentRecord,
  type ServerMessage,
} from '@swarmcast/protocol';
import type { Clock, RandomPort, TrackerSocket, TrackerSocketEvents, TrackerSocketFactory } from '../../src/ports.ts';

export interface MemoryTrackerOptions {
  readonly clock: Clock;
  /** One-way latency between clients and the tracker, ms. @default 10 */
  readonly latencyMs?: number;
  /** Heartbeat interval announced in welcome. @default 10000 */
  readonly heartbeatMs?: number;
  /** Most ids in a joined / peers list. @default LIMITS.maxPeersInList */
  readonly maxPeersInList?: number;
  /** Shuffles peer samples when given; otherwise members are listed in join order. */
  readonly random?: RandomPort;
  /** After a client's own close(), when its socket reports `close` (the closing handshake). @default 2 x latency */
  readonly closeHandshakeMs?: number;
}

type ConnState = 'connecting' | 'open' | 'closed';

/** The tracker's view of one client socket. */
class TrackerConnection {
  peerId = '';
  /** Server side: closed once the tracker closed it or saw the client's close. */
  serverState: ConnState = 'connecting';
  /** Client side: closed once the client called close() or got its close event. */
  clientState: ConnState = 'connecting';
  readonly swarms = new Set<string>();

  constructor(
    readonly url: string,
    readonly events: TrackerSocketEvents,
  ) {}
}

export class MemoryTracker {
  /** Hand this to the engine as its `trackerSocket` port. */
  readonly socketFactory: TrackerSocketFactory;
  /** When true, new sockets fail to connect (close with 'connection refused'). */
  refuseConnections = false;
  /** When set, every join must carry exactly this token. */
  requiredJoinToken: string | undefined;
  messagesIn = 0;
  messagesOut = 0;
  signalsRelayed = 0;
  /** Client messages received, by type. */
  readonly messageCounts = new Map<string, number>();
  /** Error codes sent to clients, in order. */
  readonly rejects: string[] = [];
  /** Keys announced in welcome (the integrity authority's). */
  integrityKeys: IntegrityKey[] | undefined;
  /** ICE servers announced in welcome (a tracker with a TURN server). */
  iceServers: IceServer[] | undefined;
  /** Signed records by swarm, answered to get-records like the Node tracker's authority. */
  private readonly records = new Map<string, Map<string, SegmentRecord>>();
  private readonly clock: Clock;
  private readonly latencyMs: number;
  private readonly heartbeatMs: number;
  private readonly maxPeersInList: number;
  private readonly random: RandomPort | undefined;
  private readonly closeHandshakeMs: number;
  private readonly connections = new Map<string, TrackerConnection>();
  private readonly swarms = new Map<string, Map<string, TrackerConnection>>();
  /** Peer ids that joined as seeders (listed first, named in `seeders`, as the Node tracker does). */
  private readonly seederIds = new Set<string>();
  private nextId = 1;

  constructor(options: MemoryTrackerOptions) {
    this.clock = options.clock;
    this.latencyMs = options.latencyMs ?? 10;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.maxPeersInList = options.maxPeersInList ?? LIMITS.maxPeersInList;
    this.random = options.random;
    this.closeHandshakeMs = options.closeHandshakeMs ?? 2 * this.latencyMs;
    this.socketFactory = (url, events) => this.accept(url, events);
  }

  /** Member ids of a swarm, in join order. */
  members(swarm: string): string[] {
    return [...(this.swarms.get(swarm)?.keys() ?? [])];
  }

  /** Connections open on the tracker's side. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** The tracker closes a client's connection (as on a restart or a kick). */
  kick(peerId: string, reason = 'kicked'): void {
    const conn = this.connections.get(peerId);
    if (conn) this.closeFromServer(conn, reason);
  }

  /** Holds signed records of a swarm; with `push`, sends them to its members as the real tracker does. */
  addRecords(swarm: string, records: readonly SegmentRecord[], push: boolean): void {
    let book = this.records.get(swarm);
    if (!book) this.records.set(swarm, (book = new Map<string, SegmentRecord>()));
    for (const r of records) book.set(`${r.rendition}/${r.sn}`, r);
    if (!push) return;
    for (const conn of this.swarms.get(swarm)?.values() ?? []) this.send(conn, { type: 'records', swarm, records: [...records] });
  }

  /** Sends a raw text frame to a client, for tests of the client's input checks. */
  sendRaw(peerId: string, text: string): void {
    const conn = this.connections.get(peerId);
    if (conn) this.deliverToClient(conn, text);
  }

  private accept(url: string, events: TrackerSocketEvents): TrackerSocket {
    const conn = new TrackerConnection(url, events);
    this.clock.setTimeout(() => {
      if (conn.clientState === 'closed') return;
      if (this.refuseConnections) {
        conn.clientState = 'closed';
        conn.serverState = 'closed';
        events.close('connection refused');
        return;
      }
      conn.peerId = `p${this.nextId++}`;
      conn.serverState = 'open';
      conn.clientState = 'open';
      this.connections.set(conn.peerId, conn);
      events.open();
      this.send(conn, {
        type: 'welcome',
        protocol: TRACKER_PROTOCOL_VERSION,
        peerId: conn.peerId,
        heartbeatMs: this.heartbeatMs,
        ...(this.integrityKeys ? { integrityKeys: this.integrityKeys } : {}),
        ...(this.iceServers ? { iceServers: this.iceServers } : {}),
      });
    }, this.latencyMs);
    return {
      send: (text) => {
        if (conn.clientState === 'connecting') throw new Error('MemoryTracker socket: send() before open');
        if (conn.clientState === 'closed') return;
        this.clock.setTimeout(() => this.receive(conn, text), this.latencyMs);
      },
      close: () => {
        if (conn.clientState === 'closed') return;
        conn.clientState = 'closed';
        this.clock.setTimeout(() => this.release(conn), this.latencyMs);
        this.clock.setTimeout(() => events.close('closed by client'), this.closeHandshakeMs);
      },
    };
  }

  private receive(conn: TrackerConnection, text: string): void {
    if (conn.serverState !== 'open') return;
    this.messagesIn += 1;
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(text);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.fail(conn, error.code, error.message);
      return;
    }
    this.messageCounts.set(msg.type, (this.messageCounts.get(msg.type) ?? 0) + 1);
    switch (msg.type) {
      case 'join': {
        if (this.requiredJoinToken !== undefined && msg.token !== this.requiredJoinToken) {
          if (msg.token === undefined) return this.fail(conn, 'TOKEN_REQUIRED', 'this stream requires a join token');
          return this.fail(conn, 'TOKEN_INVALID', 'join token signature does not verify');
        }
        let swarm = this.swarms.get(msg.swarm);
        if (!swarm) this.swarms.set(msg.swarm, (swarm = new Map<string, TrackerConnection>()));
        swarm.set(conn.peerId, conn);
        conn.swarms.add(msg.swarm);
        if (msg.seeder === true) this.seederIds.add(conn.peerId);
        this.send(conn, { type: 'joined', swarm: msg.swarm, ...this.listFor(msg.swarm, conn.peerId) });
        return;
      }
      case 'leave':
        this.leave(conn, msg.swarm);
        return;
      case 'peers':
        if (!conn.swarms.has(msg.swarm)) return this.fail(conn, 'NOT_IN_SWARM', 'peers for a swarm not joined');
        this.send(conn, { type: 'peers', swarm: msg.swarm, ...this.listFor(msg.swarm, conn.peerId) });
        return;
      case 'signal': {
        if (!conn.swarms.has(msg.swarm)) return this.fail(conn, 'NOT_IN_SWARM', 'signal for a swarm not joined');
        const target = msg.to === conn.peerId ? undefined : this.swarms.get(msg.swarm)?.get(msg.to);
        // Like the Node tracker: an unknown target (it may just have left) is not fatal and gets no reply.
        if (!target) return;
        this.signalsRelayed += 1;
        this.send(target, { type: 'signal', swarm: msg.swarm, from: conn.peerId, data: msg.data });
        return;
      }
      case 'ping':
        this.send(conn, { type: 'pong' });
        return;
      case 'get-records': {
        if (!conn.swarms.has(msg.swarm)) return this.fail(conn, 'NOT_IN_SWARM', 'get-records for a swarm not joined');
        const book = this.records.get(msg.swarm);
        const found = msg.sns.map((sn) => book?.get(`${msg.rendition}/${sn}`)).filter((r) => r !== undefined);
        this.send(conn, { type: 'records', swarm: msg.swarm, records: found });
        return;
      }
    }
  }

  /** A random sample with the swarm's seeders first; `seeders` names them, absent when none. */
  private listFor(swarmId: string, self: string): { peers: string[]; seeders?: string[] } {
    const sample = this.sample(swarmId, self);
    const seeders = this.members(swarmId).filter((id) => id !== self && this.seederIds.has(id));
    if (seeders.length === 0) return { peers: sample };
    const peers = [...seeders, ...sample.filter((id) => !seeders.includes(id))].slice(0, this.maxPeersInList);
    return { peers, seeders };
  }

  private sample(swarmId: string, self: string): string[] {
    const ids = this.members(swarmId).filter((id) => id !== self);
    if (this.random) {
      for (let i = ids.length - 1; i > 0; i--) {
        const j = Math.floor(this.random.random() * (i + 1));
        const a = ids[i];
        const b = ids[j];
        if (a !== undefined && b !== undefined) {
          ids[i] = b;
          ids[j] = a;
        }
      }
    }
    return ids.slice(0, this.maxPeersInList);
  }

  private send(conn: TrackerConnection, msg: ServerMessage): void {
    if (conn.serverState !== 'open') return;
    this.deliverToClient(conn, serializeMessage(msg));
  }

  private deliverToClient(conn: TrackerConnection, text: string): void {
    this.messagesOut += 1;
    this.clock.setTimeout(() => {
      if (conn.clientState === 'open') conn.events.message(text);
    }, this.latencyMs);
  }

  private fail(conn: TrackerConnection, code: string, message: string): void {
    this.rejects.push(code);
    this.send(conn, { type: 'error', code, message });
    this.closeFromServer(conn, code);
  }

  private closeFromServer(conn: TrackerConnection, reason: string): void {
    if (conn.serverState === 'closed') return;
    this.release(conn);
    this.clock.setTimeout(() => {
      if (conn.clientState === 'closed') return;
      conn.clientState = 'closed';
      conn.events.close(reason);
    }, this.latencyMs);
  }

  private leave(conn: TrackerConnection, swarmId: string): void {
    conn.swarms.delete(swarmId);
    const swarm = this.swarms.get(swarmId);
    if (swarm?.get(conn.peerId) === conn) swarm.delete(conn.peerId);
    if (swarm?.size === 0) this.swarms.delete(swarmId);
  }

  private release(conn: TrackerConnection): void {
    if (conn.serverState === 'closed') return;
    conn.serverState = 'closed';
    for (const swarm of [...conn.swarms]) this.leave(conn, swarm);
    if (this.connections.get(conn.peerId) === conn) this.connections.delete(conn.peerId);
  }
}
