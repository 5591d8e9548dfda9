import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LIMITS, TRACKER_PROTOCOL_VERSION, TRACKER_SHUTDOWN_CODE } from '@swarmcast/protocol';
import { resolveTrackerConfig } from './config.js';
import type { TrackerConfig } from './config.js';
import { Connection, MAX_SEND_BUFFER_BYTES } from './connection.js';
import type { ConnectionHooks } from './connection.js';
import { AUTHORITY_PATH, AuthorityEndpoint } from './authority-endpoint.js';
import { CLOSE_CODES } from './errors.js';
import { handleHttpRequest } from './http-routes.js';
import { FullPeers } from './full-peers.js';
import { handleClientMessage } from './message-handlers.js';
import { Observability } from './observability/observability.js';
import type { TrackerRejectCode } from './errors.js';
import type { HandlerContext } from './message-handlers.js';
import { RecordHub } from './record-hub.js';
import { TrackerCounters } from './stats.js';
import { TrackerObserver } from './tracker-observer.js';
import type { TrackerObserverApi } from './tracker-observer.js';
import { TurnCredentialMinter } from './turn-credentials.js';
import type { TrackerStats } from './stats.js';
import { SwarmRegistry } from './swarm-registry.js';
import type { PeerServer, PeerSocket, PeerSocketOwner } from './peer-socket.js';
import { LiteServer } from './ws-lite/lite-server.js';
import { WsPeerServer } from './ws-peer-server.js';
import { createSwarmDirectory } from './cluster/create-swarm-directory.js';
import type { SwarmDirectory } from './cluster/swarm-directory.js';

/** A running tracker. */
export interface TrackerServer {
  /** WebSocket URL, e.g. 'ws://127.0.0.1:54321/'; any path but /authority (sidecars) is accepted. */
  readonly url: string;
  /** Base of the HTTP routes, e.g. 'http://127.0.0.1:54321'. */
  readonly httpUrl: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** What the tracker sees, for monitoring and tests (e.g. every signal payload it relays). */
  readonly observer: TrackerObserverApi;
  stats(): TrackerStats;
  /** Closes every client and publisher socket, the integrity authority, the sweep timer and the HTTP server; idempotent. */
  close(): Promise<void>;
}

/** How long a peer socket that is closing may take to end its side before it is destroyed (lite layer). */
const CLOSE_TIMEOUT_MS = 5_000;

/** How long close() waits for clients to finish the closing handshake before cutting them off. */
const SHUTDOWN_GRACE_MS = 1_000;

/** Starts a tracker: HTTP routes and WebSocket on one port. Rejects on an invalid config or a failed listen. */
export async function startTracker(config?: Partial<TrackerConfig>): Promise<TrackerServer> {
  const tracker = new Tracker(resolveTrackerConfig(config));
  await tracker.listen();
  return tracker;
}

class Tracker implements TrackerServer {
  readonly #config: TrackerConfig;
  readonly #http: Server;
  /** The peers' WebSocket layer (webSocketLayer). */
  readonly #peers: PeerServer;
  readonly #registry = new SwarmRegistry<Connection>();
  /** Membership of this node's swarms: the registry alone, or shared with the cluster. */
  readonly #directory: SwarmDirectory<Connection>;
  readonly #counters = new TrackerCounters();
  /** Accepted connections by peer id. */
  readonly #connections = new Map<string, Connection>();
  readonly #connectionsPerIp = new Map<string, number>();
  readonly #hooks: ConnectionHooks;
  readonly #records: RecordHub<Connection>;
  readonly #authorityEndpoint: AuthorityEndpoint;
  readonly #observer: TrackerObserver;
  readonly #obs: Observability;
  readonly #turn: TurnCredentialMinter | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;
  #port = 0;

  constructor(config: TrackerConfig) {
    this.#config = config;
    this.#obs = new Observability(config, {
      connections: () => this.#connections.size,
      swarms: () => this.#registry.swarmCount,
      memberships: () => this.#registry.membershipCount,
      viewers: (swarm) => this.#registry.memberCount(swarm),
      now: () => performance.now(),
    });
    this.#observer = new TrackerObserver((event, error) => {
      this.#obs.log.error({ err: error, event }, 'observer listener threw');
    });
    this.#turn = config.turn === undefined ? undefined : new TurnCredentialMinter(config.turn);
    this.#directory = createSwarmDirectory(config.cluster, this.#registry, (line) => {
      this.#obs.log.warn({ component: 'cluster' }, line);
    });
    this.#records = new RecordHub(config, this.#registry);
    this.#records.shareWith((swarm, records) => {
      this.#directory.shareRecords(swarm, records);
    });
    this.#directory.onRemoteRecords((swarm, records) => {
      this.#records.acceptShared(swarm, records);
    });
    this.#authorityEndpoint = new AuthorityEndpoint(config, {
      records: (swarm, records) => this.#records.publish(swarm, records),
      reject: (code) => {
        this.#reject(code, undefined);
      },
      internalError: (error) => {
        this.#obs.log.error({ err: error }, 'internal error on a publisher connection');
      },
    });
    const ctx: HandlerContext = {
      config,
      directory: this.#directory,
      counters: this.#counters,
      records: this.#records,
      summaries: this.#obs,
      fullPeers: new FullPeers(config.fullPeerHoldMs),
    };
    this.#hooks = {
      message: (conn, msg, text) => {
        if (msg.type === 'signal' && this.#observer.listening('signal')) {
          this.#observer.emit('signal', { swarm: msg.swarm, from: conn.peerId, to: msg.to, data: msg.data });
        }
        this.#obs.message(conn.peerId, msg);
        const relayed = this.#counters.signalsRelayed;
        handleClientMessage(ctx, conn, msg, text);
        if (this.#counters.signalsRelayed !== relayed) this.#obs.relayed();
      },
      frame: (nowMs) => {
        this.#counters.messagesIn += 1;
        this.#obs.frame(nowMs);
      },
      reject: (code, conn) => {
        this.#reject(code, conn?.ip, conn?.peerId);
      },
      internalError: (conn, error) => {
        this.#obs.log.error({ err: error, peerId: conn.peerId }, 'internal error on a connection');
      },
      closing: (conn) => {
        if (this.#obs.log.isLevelEnabled('debug')) this.#obs.log.debug({ peerId: conn.peerId, ip: conn.ip }, 'connection closing');
        for (const swarm of conn.swarms) {
          this.#directory.leave(swarm, conn.peerId);
          this.#obs.left(swarm, conn.peerId);
        }
        conn.swarms.clear();
      },
      closed: (conn) => {
        this.#release(conn);
      },
      now: () => performance.now(),
    };
    this.#http = createServer((req, res) => {
      if (this.#obs.handleHttp(req, res)) return;
      handleHttpRequest(req, res, {
        health: () => ({ connections: this.#connections.size, swarms: this.#registry.swarmCount }),
        stats: () => this.stats(),
        ready: () => this.#readiness(),
        vodList: (swarm, rendition) => this.#records.vodList(swarm, rendition),
        liveRecords: this.#records,
      });
    });
    this.#peers =
      config.webSocketLayer === 'ws'
        ? new WsPeerServer(LIMITS.maxTrackerMessageBytes)
        : new LiteServer({ maxPayloadBytes: LIMITS.maxTrackerMessageBytes, maxSendBufferBytes: MAX_SEND_BUFFER_BYTES, closeTimeoutMs: CLOSE_TIMEOUT_MS });
    const accept = (socket: PeerSocket, req: IncomingMessage): PeerSocketOwner | undefined => this.#accept(socket, req);
    // Sidecars on /authority, peers on any other path.
    this.#http.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '/').split('?', 1)[0] === AUTHORITY_PATH) this.#authorityEndpoint.handleUpgrade(req, socket, head);
      else this.#peers.handleUpgrade(req, socket, head, accept);
    });
  }

  get observer(): TrackerObserverApi {
    return this.#observer;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `ws://${hostForUrl(this.#config.host)}:${this.#port}/`;
  }

  get httpUrl(): string {
    return `http://${hostForUrl(this.#config.host)}:${this.#port}`;
  }

  async listen(): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        this.#http.once('error', reject);
        this.#http.listen(this.#config.port, this.#config.host, () => {
          this.#http.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw new Error(`Tracker could not listen on ${this.#config.host}:${this.#config.port}`, { cause: error });
    }
    this.#http.on('error', (error) => {
      this.#obs.log.error({ err: error }, 'HTTP server error');
    });
    const address = this.#http.address();
    if (address !== null && typeof address === 'object') this.#port = address.port;
    // One sweep for all connections instead of a timer each.
    this.#sweepTimer = setInterval(
      () => {
        this.#sweepSilent();
      },
      Math.max(1, Math.floor(this.#config.heartbeatTimeoutMs / 4)),
    );
    this.#sweepTimer.unref();
    this.#records.start();
    this.#directory.start();
    this.#obs.start();
    this.#obs.log.info({ url: this.url, metrics: `${this.httpUrl}/metrics`, dashboard: `${this.httpUrl}/dashboard` }, 'tracker listening');
  }

  stats(): TrackerStats {
    return {
      connections: this.#connections.size,
      swarms: this.#registry.swarmCount,
      peers: this.#registry.membershipCount,
      messagesIn: this.#counters.messagesIn,
      signalsRelayed: this.#counters.signalsRelayed,
      rejects: this.#counters.rejects(),
      swarmsDetail: this.#registry.detail(),
      integrity: this.#records.stats(this.#authorityEndpoint.publisherCount),
      cluster: this.#directory.stats(),
    };
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#sweepTimer);
    this.#obs.close();
    this.#obs.log.info({ connections: this.#connections.size }, 'tracker closing');
    const httpClosed = new Promise<void>((resolve) => {
      this.#http.close(() => {
        resolve();
      });
    });
    // Resolves once every client socket has closed.
    const clientsClosed = this.#peers.allClosed();
    // Peers are told to reconnect elsewhere at once (another node, or this one restarted), not to back off.
    for (const conn of this.#connections.values()) {
      conn.send({ type: 'error', code: TRACKER_SHUTDOWN_CODE, message: 'tracker node going away: reconnect to another one' });
      conn.close(CLOSE_CODES.goingAway, TRACKER_SHUTDOWN_CODE);
    }
    for (const socket of this.#peers.sockets()) socket.close(CLOSE_CODES.goingAway, TRACKER_SHUTDOWN_CODE);
    const grace = setTimeout(() => {
      for (const socket of this.#peers.sockets()) socket.terminate();
    }, SHUTDOWN_GRACE_MS);
    await Promise.all([clientsClosed, this.#authorityEndpoint.close(), this.#records.close()]);
    clearTimeout(grace);
    // After the clients: their leaves went to Redis first; then this node withdraws what is left.
    await this.#directory.close();
    await httpClosed;
    this.#observer.clear();
    this.#obs.log.info('tracker closed');
  }

  /** Accepting peers, and (in cluster mode) connected to Redis. */
  #readiness(): { ready: boolean; reason?: string } {
    if (this.#closed !== undefined) return { ready: false, reason: 'shutting down' };
    if (!this.#directory.ready) return { ready: false, reason: 'redis not connected' };
    return { ready: true };
  }

  /** A new peer socket: its Connection, or undefined for a socket refused (and closed). */
  #accept(socket: PeerSocket, req: IncomingMessage): Connection | undefined {
    if (this.#closed !== undefined) {
      socket.close(CLOSE_CODES.goingAway, TRACKER_SHUTDOWN_CODE);
      return undefined;
    }
    const ip = req.socket.remoteAddress ?? 'unknown';
    const fromIp = this.#connectionsPerIp.get(ip) ?? 0;
    if (this.#connections.size >= this.#config.maxConnections || fromIp >= this.#config.maxConnectionsPerIp) {
      this.#reject('TRACKER_FULL', ip);
      // Refused sockets get no Connection.
      socket.close(CLOSE_CODES.tryAgainLater, 'TRACKER_FULL');
      return undefined;
    }
    const peerId = this.#newPeerId();
    const conn = new Connection(socket, peerId, ip, this.#config, this.#hooks);
    this.#connections.set(peerId, conn);
    this.#connectionsPerIp.set(ip, fromIp + 1);
    const keys = this.#records.keys();
    conn.send({
      type: 'welcome',
      protocol: TRACKER_PROTOCOL_VERSION,
      peerId,
      heartbeatMs: this.#config.heartbeatIntervalMs,
      ...(this.#config.summaryIntervalMs > 0 ? { summaryIntervalMs: this.#config.summaryIntervalMs } : {}),
      ...(keys.length > 0 ? { integrityKeys: keys } : {}),
      ...(this.#turn ? { iceServers: this.#turn.iceServersFor(peerId) } : {}),
    });
    return conn;
  }

  #reject(code: TrackerRejectCode, ip: string | undefined, peerId?: string): void {
    this.#counters.reject(code);
    this.#obs.rejected(code, ip, peerId);
  }

  #release(conn: Connection): void {
    if (this.#connections.get(conn.peerId) !== conn) return;
    this.#connections.delete(conn.peerId);
    const left = (this.#connectionsPerIp.get(conn.ip) ?? 1) - 1;
    if (left > 0) this.#connectionsPerIp.set(conn.ip, left);
    else this.#connectionsPerIp.delete(conn.ip);
  }

  /** 16 base64url characters from 96 random bits; re-drawn in the unlikely event of a clash. */
  #newPeerId(): string {
    let id: string;
    do id = randomBytes(12).toString('base64url');
    while (this.#connections.has(id));
    return id;
  }

  #sweepSilent(): void {
    const deadlineMs = performance.now() - this.#config.heartbeatTimeoutMs;
    for (const conn of this.#connections.values()) {
      if (conn.lastSeenMs < deadlineMs) {
        conn.fail('HEARTBEAT_TIMEOUT', `no message for ${this.#config.heartbeatTimeoutMs} ms: send ping at least every heartbeatMs`, CLOSE_CODES.heartbeatTimeout);
      }
    }
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
