import {
  ProtocolError,
  TRACKER_PROTOCOL_VERSION,
  TRACKER_SHUTDOWN_CODE,
  isJoinTokenErrorCode,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type IceServer,
  type IntegrityKey,
  type JoinTokenErrorCode,
  type SegmentRecord,
  type ServerMessage,
  type SignalData,
} from '@swarmcast/protocol';
import type { EngineConfig } from './config.js';
import type { Clock, RandomPort, TrackerSocket, TrackerSocketFactory } from './ports.js';

export type TrackerClientConfig = Pick<
  EngineConfig,
  'trackerUrl' | 'trackerUrls' | 'swarmId' | 'uploadKbps' | 'trackerReconnectBaseMs' | 'trackerReconnectMaxMs' | 'joinToken' | 'group' | 'seeder'
>;

export interface TrackerClientHost {
  /**
   * The tracker accepted us into the swarm under `peerId`; `peers` are members to connect to,
   * `seeders` those among them that seed (see EngineConfig.seeder).
   */
  joined(peerId: string, peers: string[], seeders: string[]): void;
  peers(peers: string[], seeders: string[]): void;
  signal(from: string, data: SignalData): void;
  /** The keys the tracker's integrity authority signs with (from welcome). */
  integrityKeys(keys: IntegrityKey[]): void;
  /**
   * The tracker's welcome, before joining: the ICE servers it announced (empty if none). False keeps
   * us out of the swarm: the client closes and does not reconnect (P2P is off for good).
   */
  welcomed(iceServers: IceServer[]): boolean;
  records(records: SegmentRecord[]): void;
  disconnected(reason: string): void;
  /** The tracker refused the join token; no reconnect follows until setJoinToken(). Called after disconnected(). */
  joinRefused(code: JoinTokenErrorCode, message: string): void;
  /** Bytes of tracker traffic, for the control-overhead figure. */
  countBytes(kind: 'controlSent' | 'controlReceived', bytes: number): void;
}

/**
 * The engine's connection to the tracker: join, peer lists, signaling relay and heartbeats.
 * Reconnects with jittered exponential backoff so a restarted tracker is not hit by every peer at once,
 * each time to the next of its tracker URLs (another node of a cluster). A node that announces its
 * shutdown is left at once: the next URL is tried within one jittered base delay, without backoff.
 */
export class TrackerClient {
  peerId: string | undefined;
  /** From the current connection's welcome: the least interval between summaries; undefined: it takes none. */
  summaryIntervalMs: number | undefined;
  private socket: TrackerSocket | undefined;
  private connected = false;
  private attempt = 0;
  private reconnectTimer: unknown;
  private heartbeatTimer: unknown;
  private heartbeatMs = 10_000;
  private destroyed = false;
  /** Bumped for each socket and when one is given up: tells stale socket events apart. */
  private generation = 0;
  private joinToken: string | undefined;
  /** The tracker refused joinToken: the same token would be refused again, so we wait for another. */
  private tokenRefused = false;
  /** trackerUrls, or trackerUrl alone; tried in turn, one step per lost connection. */
  private readonly urls: readonly string[];
  private urlIndex = 0;

  constructor(
    private readonly config: TrackerClientConfig,
    private readonly clock: Clock,
    private readonly random: RandomPort,
    private readonly socketFactory: TrackerSocketFactory,
    private readonly host: TrackerClientHost,
  ) {
    this.joinToken = config.joinToken;
    this.urls = trackerUrlsOf(config);
  }

  /** The tracker URL in use (or tried next). */
  get url(): string {
    return this.urls[this.urlIndex] ?? this.config.trackerUrl;
  }

  get isConnected(): boolean {
    return this.connected && this.peerId !== undefined;
  }

  start(): void {
    if (this.destroyed || this.socket) return;
    // Events of a socket we already gave up on (its close can come long after, once we reconnected)
    // must not touch the current one.
    const generation = ++this.generation;
    const current = (): boolean => generation === this.generation;
    this.socket = this.socketFactory(this.url, {
      open: () => {
        if (current()) this.connected = true;
      },
      message: (text) => {
        if (current()) this.onMessage(text);
      },
      close: (reason) => {
        if (current()) this.onClose(reason);
      },
    });
  }

  /** Sends `token` in the next joins; after a refused token, connects again at once. */
  setJoinToken(token: string | undefined): void {
    this.joinToken = token;
    if (!this.tokenRefused || this.destroyed) return;
    this.tokenRefused = false;
    this.attempt = 0;
    this.start();
  }

  requestPeers(): void {
    this.send({ type: 'peers', swarm: this.config.swarmId });
  }

  requestRecords(rendition: string, sns: number[]): void {
    if (sns.length > 0) this.send({ type: 'get-records', swarm: this.config.swarmId, rendition, sns });
  }

  /** Sends a summary of our counters (see SummaryReporter). */
  sendSummary(summary: Omit<Extract<ClientMessage, { type: 'summary' }>, 'type' | 'swarm'>): void {
    this.send({ type: 'summary', swarm: this.config.swarmId, ...summary });
  }

  sendSignal(to: string, data: SignalData): void {
    this.send({ type: 'signal', swarm: this.config.swarmId, to, data });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.send({ type: 'leave', swarm: this.config.swarmId });
    this.destroyed = true;
    this.clock.clearTimeout(this.reconnectTimer);
    this.clock.clearTimeout(this.heartbeatTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }

  private send(msg: ClientMessage): void {
    if (!this.connected || !this.socket || this.destroyed) return;
    const text = serializeMessage(msg);
    this.host.countBytes('controlSent', text.length);
    this.socket.send(text);
  }

  private onMessage(text: string): void {
    if (this.destroyed) return;
    this.host.countBytes('controlReceived', text.length);
    let msg: ServerMessage;
    try {
      msg = parseServerMessage(text);
    } catch (error) {
      // A tracker that speaks nonsense is dropped like any bad peer; we reconnect later.
      this.drop(error instanceof ProtocolError ? error.message : String(error));
      return;
    }
    switch (msg.type) {
      case 'welcome':
        this.peerId = msg.peerId;
        this.summaryIntervalMs = msg.summaryIntervalMs;
        this.attempt = 0;
        this.heartbeatMs = Math.max(1000, msg.heartbeatMs);
        if (msg.integrityKeys) this.host.integrityKeys(msg.integrityKeys);
        if (!this.host.welcomed(msg.iceServers ?? [])) {
          this.giveUp('P2P refused: no usable ICE servers');
          return;
        }
        this.scheduleHeartbeat();
        this.send({
          type: 'join',
          protocol: TRACKER_PROTOCOL_VERSION,
          swarm: this.config.swarmId,
          uploadKbps: this.config.uploadKbps,
          ...(this.joinToken === undefined ? {} : { token: this.joinToken }),
          ...(this.config.group === undefined ? {} : { group: this.config.group }),
          ...(this.config.seeder ? { seeder: true } : {}),
        });
        return;
      case 'joined':
        if (msg.swarm === this.config.swarmId && this.peerId !== undefined) this.host.joined(this.peerId, msg.peers, msg.seeders ?? []);
        return;
      case 'peers':
        if (msg.swarm === this.config.swarmId) this.host.peers(msg.peers, msg.seeders ?? []);
        return;
      case 'signal':
        if (msg.swarm === this.config.swarmId) this.host.signal(msg.from, msg.data);
        return;
      case 'records':
        if (msg.swarm === this.config.swarmId) this.host.records(msg.records);
        return;
      case 'pong':
        return;
      case 'error':
        if (msg.code === TRACKER_SHUTDOWN_CODE) this.leaveNode();
        else if (isJoinTokenErrorCode(msg.code)) this.refuseToken(msg.code, msg.message);
        else this.drop(`tracker error ${msg.code}: ${msg.message}`);
        return;
    }
  }

  /** Closes for good: no reconnect follows. */
  private giveUp(reason: string): void {
    const socket = this.socket;
    this.onClose(reason, false);
    socket?.close();
  }

  private scheduleHeartbeat(): void {
    this.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.send({ type: 'ping' });
      this.scheduleHeartbeat();
    }, this.heartbeatMs * 0.8);
  }

  /** The node is shutting down: go to the next URL promptly, not after a backoff. */
  private leaveNode(): void {
    const socket = this.socket;
    this.onClose('tracker node going away', true, true);
    socket?.close();
  }

  private drop(reason: string): void {
    const socket = this.socket;
    this.onClose(reason);
    socket?.close();
  }

  /** Retrying with a token the tracker refused would only be refused again, by every viewer at once. */
  private refuseToken(code: JoinTokenErrorCode, message: string): void {
    const socket = this.socket;
    this.onClose(`tracker refused the join token: ${code}`, false);
    socket?.close();
    this.tokenRefused = true;
    this.host.joinRefused(code, message);
  }

  private onClose(reason: string, reconnect = true, goingAway = false): void {
    if (this.destroyed || !this.socket) return;
    this.socket = undefined;
    this.generation += 1;
    this.connected = false;
    this.peerId = undefined;
    this.summaryIntervalMs = undefined;
    this.clock.clearTimeout(this.heartbeatTimer);
    this.host.disconnected(reason);
    if (!reconnect) return;
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    let delayMs: number;
    if (goingAway) {
      // Every peer of the node hears this at once: spread them over one base delay, but do not back off.
      delayMs = this.random.random() * this.config.trackerReconnectBaseMs;
    } else {
      // Equal jitter: half the capped exponential delay, plus a random share of the other half.
      const cap = Math.min(this.config.trackerReconnectMaxMs, this.config.trackerReconnectBaseMs * 2 ** this.attempt);
      this.attempt += 1;
      delayMs = cap / 2 + (this.random.random() * cap) / 2;
    }
    this.reconnectTimer = this.clock.setTimeout(() => this.start(), delayMs);
  }
}

/** The URLs a client tries in turn: trackerUrls when given, else trackerUrl alone. */
export function trackerUrlsOf(config: Pick<EngineConfig, 'trackerUrl' | 'trackerUrls'>): readonly string[] {
  return config.trackerUrls.length > 0 ? config.trackerUrls : [config.trackerUrl];
}
