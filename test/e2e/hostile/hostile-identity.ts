/**
 * One identity of the hostile page: a tracker session and the WebRTC connections it makes with
 * the real browser transport (createRtcConnector), speaking the real wire format. It connects to
 * every member the tracker lists, answers offers, resolves glare the way the engine does, and
 * hands every connection to the attack (a Behavior) that decides what to send.
 */
import { createRtcConnector } from '@swarmcast/browser';
import type { PendingPeerLink } from '@swarmcast/core';
import {
  PEER_PROTOCOL_VERSION,
  decodePeerMessage,
  encodePeerMessage,
  type HaveMapEntry,
  type PeerMessage,
  type ConnectionSignal,
  type SignalData,
} from '@swarmcast/protocol';
import type { VictimLog } from './hostile-report.js';
import { TrackerSession } from './tracker-session.js';

/**
 * Upload estimate claimed in HELLO and join: the largest u32. Viewers weigh HTTP-fetcher duty by
 * it, so every viewer names this peer the designated fetcher of every segment and asks it first.
 */
export const CLAIMED_UPLOAD_KBPS = 0xffff_ffff;

/** Milliseconds since the epoch on the browser's clock, comparable with the viewer pages'. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Loopback needs no STUN/TURN server; the tracker's (if it announced any) are not used. */
const NO_TRACKER_ICE_SERVERS = { trackerIceServers: [] };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One connection to an honest viewer. */
export class VictimConnection {
  open = false;
  closed = false;
  /** Set right after construction (its events need this object first). */
  link: PendingPeerLink | undefined;

  constructor(readonly log: Mutable<VictimLog>) {}

  get victim(): string {
    return this.log.victim;
  }

  send(msg: PeerMessage): void {
    this.sendRaw(encodePeerMessage(msg));
  }

  sendRaw(bytes: Uint8Array): void {
    if (this.open && !this.closed) this.link?.send(bytes);
  }

  /** HELLO (with the inflated upload claim) and HAVE-MAP, as every peer opens. */
  greet(identity: string, entries: readonly HaveMapEntry[]): void {
    this.send({ type: 'hello', version: PEER_PROTOCOL_VERSION, peerId: helloId(identity), uploadKbps: CLAIMED_UPLOAD_KBPS });
    this.send({ type: 'haveMap', entries: entries.slice(-4096) });
  }

  /** Notes one bad thing sent (or done) to the victim; the first one is the cut-off clock's start. */
  bad(what: string): void {
    this.log.badSent += 1;
    if (this.log.firstBadAtMs !== null) return;
    this.log.firstBadAtMs = epochNow();
    this.log.firstBad = what;
  }

  /** @internal */
  signal(data: ConnectionSignal): void {
    this.link?.signal(data);
  }

  close(): void {
    this.closed = true;
    this.link?.close();
  }
}

/** What an attack does with each connection. */
export interface Behavior {
  /** The channel is open: greet (or not) and start the attack. */
  onOpen(conn: VictimConnection, identity: string): void;
  /** A message from the victim (decoded; HELLO and HAVE-MAP included). */
  onMessage(conn: VictimConnection, msg: PeerMessage): void;
}

export interface HostileIdentityOptions {
  readonly trackerUrl: string;
  readonly swarm: string;
  readonly behavior: Behavior;
  /** Variant label for a victim's log until the behavior sets one. */
  readonly variant: string;
  /** Every connection's log, in the order they were made (shared across identities). */
  readonly logs: Mutable<VictimLog>[];
  readonly onError: (message: string) => void;
}

export class HostileIdentity {
  readonly connections = new Map<string, VictimConnection>();
  private readonly connector = createRtcConnector();
  private readonly session: TrackerSession;
  private selfId = '';
  private readonly joined: Promise<readonly string[]>;

  constructor(private readonly options: HostileIdentityOptions) {
    let onJoined: (peers: readonly string[]) => void = () => undefined;
    let onFailed: (error: Error) => void = () => undefined;
    this.joined = new Promise((resolve, reject) => {
      onJoined = resolve;
      onFailed = reject;
    });
    this.session = new TrackerSession(options.trackerUrl, options.swarm, CLAIMED_UPLOAD_KBPS, {
      joined: (selfId, peers) => {
        this.selfId = selfId;
        onJoined(peers);
      },
      signal: (from, data) => { this.onSignal(from, data); },
      closed: (reason) => {
        options.onError(`tracker connection closed: ${reason}`);
        onFailed(new Error(`tracker connection closed: ${reason}`));
      },
    });
  }

  /** Joins the swarm and connects to every member listed; resolves with this identity's id. */
  async start(): Promise<string> {
    const peers = await this.joined;
    for (const id of peers) this.connect(id, true);
    return this.selfId;
  }

  /** True once every connection made so far has ended. */
  get allClosed(): boolean {
    return [...this.connections.values()].every((c) => c.closed);
  }

  forEachOpen(fn: (conn: VictimConnection) => void): void {
    for (const conn of this.connections.values()) if (conn.open && !conn.closed) fn(conn);
  }

  /** Closes every connection and leaves the tracker; idempotent. */
  close(): void {
    for (const conn of this.connections.values()) conn.close();
    this.session.close();
  }

  private onSignal(from: string, data: SignalData): void {
    if (data.kind === 'decline') return;
    const existing = this.connections.get(from);
    const isOffer = data.kind === 'description' && data.sdpType === 'offer';
    if (existing && !existing.closed && !(isOffer && !existing.open)) {
      existing.signal(data);
      return;
    }
    if (!isOffer) return;
    // Glare (both offered): the smaller id keeps its offer, as the engine decides.
    if (existing && !existing.closed && this.selfId < from) return;
    existing?.close();
    this.connect(from, false).signal(data);
  }

  private connect(victim: string, initiator: boolean): VictimConnection {
    const identity = this.selfId;
    const previous = this.connections.get(victim);
    const log: Mutable<VictimLog> = previous?.log ?? {
      identity,
      victim,
      variant: this.options.variant,
      openedAtMs: null,
      firstBadAtMs: null,
      firstBad: null,
      requests: 0,
      badSent: 0,
      closedAtMs: null,
      closeReason: null,
    };
    if (!previous) this.options.logs.push(log);
    const conn = new VictimConnection(log);
    conn.link = this.connector.connect(victim, initiator, {
      open: () => {
        if (conn.closed) return;
        conn.open = true;
        log.openedAtMs = epochNow();
        this.options.behavior.onOpen(conn, identity);
      },
      message: (bytes) => {
        if (conn.closed) return;
        let msg: PeerMessage;
        try {
          msg = decodePeerMessage(bytes);
        } catch (error) {
          this.options.onError(`undecodable message from ${victim}: ${String(error)}`);
          return;
        }
        if (msg.type === 'request') log.requests += 1;
        this.options.behavior.onMessage(conn, msg);
      },
      drain: () => undefined,
      close: (reason) => {
        if (conn.closed) return;
        conn.closed = true;
        log.closedAtMs = epochNow();
        log.closeReason = reason;
      },
      signal: (data) => { this.session.sendSignal(victim, data); },
    }, NO_TRACKER_ICE_SERVERS);
    this.connections.set(victim, conn);
    return conn;
  }
}

/** The HELLO id: any valid id will do; derived from the tracker id so logs read alike. */
function helloId(identity: string): string {
  return `hostile-${identity}`.slice(0, 64);
}
