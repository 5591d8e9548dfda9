import { authorityConfigProblems } from '@swarmcast/integrity';
import type { IntegrityAuthorityOptions } from '@swarmcast/integrity';
import { KEY_ID_PATTERN, LIMITS } from '@swarmcast/protocol';
import type { IntegrityKey } from '@swarmcast/protocol';
import { turnOptionsProblems } from './turn-credentials.js';
import type { TurnOptions } from './turn-credentials.js';
import { joinTokensConfigProblems, resolveJoinTokensConfig } from './join-token-config.js';
import { isLogger } from './observability/logger.js';
import type { TrackerLogger } from './observability/logger.js';
import type { JoinTokensOptions } from './join-token-config.js';
import { clusterOptionsProblems, resolveClusterConfig } from './cluster/cluster-config.js';
import type { ClusterOptions } from './cluster/cluster-config.js';

export interface TrackerConfig {
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  host: string;
  /**
   * TCP port for both HTTP and WebSocket; 0 picks any free port.
   * @default 8081
   */
  port: number;
  /**
   * Advertised in welcome: clients send something (at least a ping) this often.
   * @default 10_000 // 10 s
   */
  heartbeatIntervalMs: number;
  /**
   * Silence after which a connection is closed (4001 HEARTBEAT_TIMEOUT). Must exceed heartbeatIntervalMs.
   * @default 30_000 // 30 s
   */
  heartbeatTimeoutMs: number;
  /**
   * Most peer ids returned in one joined/peers reply, at most LIMITS.maxPeersInList.
   * @default 20
   */
  maxPeersInList: number;
  /**
   * A peer that declines an offer (it is at its maxPeers) is left out of the peer lists this node
   * sends for this long, unless a list would be empty without it; 0 turns it off. See full-peers.ts.
   * @default 10_000 // 10 s: two engine refill intervals
   */
  fullPeerHoldMs: number;
  /**
   * Most swarms one connection may be a member of at once.
   * @default 4
   */
  maxSwarmsPerConnection: number;
  /**
   * Token-bucket refill rate of each connection, in messages per second.
   * @default 50
   */
  rateLimitMessagesPerSec: number;
  /**
   * Token-bucket size: messages a connection may send in a burst.
   * @default 200
   */
  rateLimitBurst: number;
  /**
   * Most open connections; beyond it new ones are closed with 1013 TRACKER_FULL.
   * @default 100_000
   */
  maxConnections: number;
  /**
   * Most open connections from one remote address; beyond it 1013 TRACKER_FULL.
   * @default 10_000 // high so loopback tests and NATed campuses fit
   */
  maxConnectionsPerIp: number;
  /**
   * Makes the tracker an integrity authority: it watches these playlists, signs every segment with
   * the key, announces the key in welcome and sends the records to the members of each swarm.
   * Other IntegrityAuthorityOptions fields (timeouts, history sizes) may be given too.
   * @default undefined // no signing here
   */
  integrity?: IntegrityAuthorityOptions;
  /**
   * Shared secret that `swarmcast sign` sidecars present (`Authorization: Bearer <secret>`) on the
   * WebSocket path /authority to publish records. At least 16 characters, no spaces.
   * @default undefined // /authority is refused
   */
  authoritySecret?: string;
  /**
   * Public keys of sidecars that publish to /authority: announced in welcome with the tracker's
   * own key (at most LIMITS.maxIntegrityKeys in all), and, when given, published records must carry
   * a valid signature by one of them.
   * @default undefined // published records are not checked here; players must pin the sidecar's key
   */
  authorityPublicKeys?: IntegrityKey[];
  /**
   * Most recent records of a swarm sent to a peer when it joins (in records messages of at most
   * LIMITS.maxRecordsPerMessage); older ones it asks for with get-records. Bounded in practice by
   * the 256 recent records kept per swarm (the authority's recentPerSwarm).
   * @default 64
   */
  maxRecordsOnJoin: number;
  /**
   * A TURN server (coturn with `use-auth-secret` and `static-auth-secret=<secret>`) for peers' WebRTC
   * connections: every welcome carries iceServers with these URLs and a credential minted for that
   * peer (username `<expiry>:<peerId>`, valid ttlSec). Privacy-mode players connect only through it.
   * @default undefined // welcome carries no iceServers
   */
  turn?: TurnOptions;
  /**
   * Join tokens: joins of the listed swarms (or of every swarm) must carry a JWT signed for that
   * stream (HS256 secret or EdDSA public keys); others are refused with TOKEN_* and closed (1008).
   * See JoinTokensConfig and docs/security.md (join tokens).
   * @default undefined // no token needed
   */
  joinTokens?: JoinTokensOptions;
  /**
   * Peers are asked (in welcome) to send a summary of their counters at most this often; reports
   * closer than half of it are ignored. 0: no summaries (welcome does not ask for them).
   * @default 5_000 // 5 s
   */
  summaryIntervalMs: number;
  /**
   * Most streams whose summaries are aggregated; at the cap a new stream evicts the idlest one with
   * no reporter left, or its summaries are ignored (SUMMARY_UNTRACKED).
   * @default 1_000
   */
  maxStreamsTracked: number;
  /**
   * Streams with their own `stream` label in /metrics (those with the most viewers); the others are
   * summed under stream="other", so clients cannot blow up the label cardinality.
   * @default 20
   */
  maxStreamsLabelled: number;
  /**
   * Most streams on the dashboard (those with the most viewers), each with a history ring.
   * @default 50
   */
  dashboardMaxStreams: number;
  /**
   * Dashboard history: one sample of each shown stream per this.
   * @default 2_000 // 2 s
   */
  historySampleMs: number;
  /**
   * Dashboard history: samples kept per stream (1_800 x 2 s = 1 h). Streams with no reporter are
   * forgotten after historySampleMs x historySamples.
   * @default 1_800
   */
  historySamples: number;
  /**
   * Protects GET /metrics and GET /dashboard/data.json: requests must carry
   * `Authorization: Bearer <token>` or `?token=<token>`. At least 16 characters, no spaces.
   * @default undefined // open: bind to a private interface or put a proxy in front
   */
  monitoringToken?: string;
  /**
   * A pino logger (see observability/logger.ts for the level rubric). The CLI passes one at level
   * 'info' on stdout (TRACKER_LOG_LEVEL changes it).
   * @default undefined // silent
   */
  logger?: TrackerLogger;
  /**
   * At most one warn line per remote address per this (refused clients, limits hit).
   * @default 60_000 // 1 min
   */
  warnLogIntervalMs: number;
  /**
   * WebSocket layer for peers: 'lite', the tracker's own RFC 6455 layer on raw sockets (less memory
   * per connection and CPU per message), or 'ws', the ws library. /authority always uses ws.
   * @default 'lite'
   */
  webSocketLayer: 'lite' | 'ws';
  /**
   * Cluster mode: this node shares swarm membership, signaling and published records with the other
   * nodes through Redis (see ClusterOptions and packages/tracker/README.md).
   * @default undefined // one process, state in memory
   */
  cluster?: ClusterOptions;
}

/** The one source of tracker defaults. */
export const trackerDefaults: Readonly<TrackerConfig> = Object.freeze({
  host: '127.0.0.1',
  port: 8081,
  heartbeatIntervalMs: 10_000,
  heartbeatTimeoutMs: 30_000,
  maxPeersInList: 20,
  fullPeerHoldMs: 10_000,
  maxSwarmsPerConnection: 4,
  rateLimitMessagesPerSec: 50,
  rateLimitBurst: 200,
  maxConnections: 100_000,
  maxConnectionsPerIp: 10_000,
  integrity: undefined,
  authoritySecret: undefined,
  authorityPublicKeys: undefined,
  maxRecordsOnJoin: 64,
  turn: undefined,
  joinTokens: undefined,
  summaryIntervalMs: 5_000,
  maxStreamsTracked: 1_000,
  maxStreamsLabelled: 20,
  dashboardMaxStreams: 50,
  historySampleMs: 2_000,
  historySamples: 1_800,
  monitoringToken: undefined,
  logger: undefined,
  warnLogIntervalMs: 60_000,
  webSocketLayer: 'lite',
  cluster: undefined,
});

const U32_MAX = 0xffff_ffff;

/** Shows a bad value as given: NaN stays NaN (JSON would print null), strings keep their quotes. */
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function checkInteger(problems: string[], name: keyof TrackerConfig, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
}

function checkObservability(problems: string[], config: TrackerConfig): void {
  checkInteger(problems, 'summaryIntervalMs', config.summaryIntervalMs, 0, U32_MAX);
  checkInteger(problems, 'maxStreamsTracked', config.maxStreamsTracked, 1, 1_000_000);
  checkInteger(problems, 'maxStreamsLabelled', config.maxStreamsLabelled, 0, 1_000);
  checkInteger(problems, 'dashboardMaxStreams', config.dashboardMaxStreams, 1, 1_000);
  checkInteger(problems, 'historySampleMs', config.historySampleMs, 100, U32_MAX);
  checkInteger(problems, 'historySamples', config.historySamples, 1, 100_000);
  checkInteger(problems, 'warnLogIntervalMs', config.warnLogIntervalMs, 0, U32_MAX);
  const token: unknown = config.monitoringToken;
  if (token !== undefined && (typeof token !== 'string' || token.length < 16 || /\s/.test(token))) {
    problems.push('monitoringToken must be a string of at least 16 characters without spaces');
  }
  if (config.logger !== undefined && !isLogger(config.logger)) problems.push('logger must be a pino logger');
}

/** The shape of welcome's integrityKeys entries (IntegrityKeySchema). */
function isIntegrityKey(key: unknown): key is IntegrityKey {
  if (typeof key !== 'object' || key === null) return false;
  const { keyId, publicKey } = key as Record<string, unknown>;
  return Object.keys(key).length === 2 && typeof keyId === 'string' && KEY_ID_PATTERN.test(keyId) && typeof publicKey === 'string' && /^[A-Za-z0-9_-]{43}$/.test(publicKey);
}

function checkIntegrity(problems: string[], config: TrackerConfig): void {
  if (config.integrity !== undefined) {
    for (const problem of authorityConfigProblems(config.integrity)) problems.push(`integrity.${problem}`);
  }
  const secret: unknown = config.authoritySecret;
  if (secret !== undefined && (typeof secret !== 'string' || !/^[\x21-\x7e]{16,1024}$/.test(secret))) {
    problems.push('authoritySecret must be 16 to 1024 printable ASCII characters without spaces');
  }
  const keys: unknown = config.authorityPublicKeys;
  if (keys === undefined) return;
  const own = config.integrity === undefined ? 0 : 1;
  if (!Array.isArray(keys) || !keys.every(isIntegrityKey)) {
    problems.push('authorityPublicKeys must be an array of { keyId, publicKey } (base64url raw Ed25519 keys)');
  } else if (keys.length + own > LIMITS.maxIntegrityKeys) {
    problems.push(`authorityPublicKeys: at most ${LIMITS.maxIntegrityKeys - own} keys (welcome carries at most ${LIMITS.maxIntegrityKeys} in all)`);
  } else if (config.authoritySecret === undefined) {
    problems.push('authorityPublicKeys is set but authoritySecret is not: nothing could publish records signed by them');
  }
}

/**
 * Merges a partial config over trackerDefaults and checks every field and the rules across fields.
 * Keys set to undefined keep their default. Throws Error('Invalid tracker config: ...') listing every problem.
 */
export function resolveTrackerConfig(partial: Partial<TrackerConfig> = {}): TrackerConfig {
  const problems: string[] = [];
  const config: TrackerConfig = { ...trackerDefaults };
  const entries: [string, unknown][] = Object.entries(partial);
  for (const [key, value] of entries) {
    if (!Object.hasOwn(trackerDefaults, key)) {
      problems.push(`unknown option '${key}'`);
    } else if (value !== undefined) {
      Object.assign(config, { [key]: value });
    }
  }

  // Values are checked as unknown: plain-JS callers and env parsing can pass anything.
  const host: unknown = config.host;
  if (typeof host !== 'string' || host === '') {
    problems.push(`host must be a non-empty string, got ${show(host)}`);
  }
  checkInteger(problems, 'port', config.port, 0, 65_535);
  // heartbeatMs travels as a u32 in welcome.
  checkInteger(problems, 'heartbeatIntervalMs', config.heartbeatIntervalMs, 1, U32_MAX);
  checkInteger(problems, 'heartbeatTimeoutMs', config.heartbeatTimeoutMs, 1, U32_MAX);
  if (config.heartbeatTimeoutMs <= config.heartbeatIntervalMs) {
    problems.push(
      `heartbeatTimeoutMs (${config.heartbeatTimeoutMs}) must be greater than heartbeatIntervalMs (${config.heartbeatIntervalMs}), ` +
        'or clients that follow the advertised interval get dropped',
    );
  }
  checkInteger(problems, 'maxPeersInList', config.maxPeersInList, 1, LIMITS.maxPeersInList);
  checkInteger(problems, 'fullPeerHoldMs', config.fullPeerHoldMs, 0, 3_600_000);
  checkInteger(problems, 'maxSwarmsPerConnection', config.maxSwarmsPerConnection, 1, 1_000);
  const rate: unknown = config.rateLimitMessagesPerSec;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    problems.push(`rateLimitMessagesPerSec must be a finite number > 0, got ${show(rate)}`);
  }
  checkInteger(problems, 'rateLimitBurst', config.rateLimitBurst, 1, Number.MAX_SAFE_INTEGER);
  checkInteger(problems, 'maxConnections', config.maxConnections, 1, Number.MAX_SAFE_INTEGER);
  checkInteger(problems, 'maxConnectionsPerIp', config.maxConnectionsPerIp, 1, Number.MAX_SAFE_INTEGER);
  checkInteger(problems, 'maxRecordsOnJoin', config.maxRecordsOnJoin, 0, 4_096);
  const layer: unknown = config.webSocketLayer;
  if (layer !== 'lite' && layer !== 'ws') problems.push(`webSocketLayer must be 'lite' or 'ws', got ${show(layer)}`);
  checkIntegrity(problems, config);
  checkObservability(problems, config);
  if (config.turn !== undefined) problems.push(...turnOptionsProblems(config.turn));
  if (config.joinTokens !== undefined) {
    const tokenProblems = joinTokensConfigProblems(config.joinTokens);
    for (const problem of tokenProblems) problems.push(`joinTokens: ${problem}`);
    // A frozen copy: the tracker builds its verifier once from it.
    if (tokenProblems.length === 0) config.joinTokens = resolveJoinTokensConfig(config.joinTokens);
  }

  if (config.cluster !== undefined) {
    const clusterProblems = clusterOptionsProblems(config.cluster);
    problems.push(...clusterProblems);
    // Resolved once, so a random nodeId stays the same for the node's life.
    if (clusterProblems.length === 0) config.cluster = resolveClusterConfig(config.cluster);
  }

  if (problems.length > 0) throw new Error(`Invalid tracker config: ${problems.join('; ')}`);
  return config;
}
