/**
 * Settings of cluster mode: several tracker nodes sharing swarm membership and relaying signaling
 * through Redis. Without them the tracker runs alone, in memory.
 */
import { randomBytes } from 'node:crypto';

export interface ClusterOptions {
  /** Redis to share state through: `redis://[[user]:password@]host[:port][/db]` or `rediss://...`. */
  redisUrl: string;
  /**
   * This node's id, unique in the cluster: 1-64 characters of [A-Za-z0-9_.-].
   * @default a random 12-character id (a restarted node is a new node)
   */
  nodeId?: string;
  /**
   * Members of a node that stopped heartbeating vanish from the other nodes' peer lists and signaling
   * this long after its last heartbeat (the node's liveness key expires in Redis).
   * @default 15_000 // 15 s
   */
  memberTtlMs?: number;
  /**
   * How often a node refreshes its liveness key; at most a third of memberTtlMs, so two heartbeats may
   * be lost without the node's members vanishing.
   * @default 5_000 // 5 s
   */
  nodeHeartbeatMs?: number;
  /**
   * Prefix of every Redis key and channel, so clusters (or other apps) can share one Redis.
   * @default 'swarmcast:'
   */
  keyPrefix?: string;
}

export type ClusterConfig = Required<ClusterOptions>;

export const clusterDefaults = Object.freeze({
  memberTtlMs: 15_000,
  nodeHeartbeatMs: 5_000,
  keyPrefix: 'swarmcast:',
});

export const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Every problem with options, or an empty list. */
export function clusterOptionsProblems(options: unknown): string[] {
  if (typeof options !== 'object' || options === null) return ['cluster must be an object with at least redisUrl'];
  const problems: string[] = [];
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['redisUrl', 'nodeId', 'memberTtlMs', 'nodeHeartbeatMs', 'keyPrefix'].includes(key)) problems.push(`cluster: unknown option '${key}'`);
  }
  if (typeof o['redisUrl'] !== 'string' || !isRedisUrl(o['redisUrl'])) {
    problems.push(`cluster.redisUrl must be a redis:// or rediss:// URL, got ${JSON.stringify(o['redisUrl'])}`);
  }
  if (o['nodeId'] !== undefined && (typeof o['nodeId'] !== 'string' || !NODE_ID_PATTERN.test(o['nodeId']))) {
    problems.push(`cluster.nodeId must be 1-64 characters of A-Z a-z 0-9 _ . -, got ${JSON.stringify(o['nodeId'])}`);
  }
  const ttl = o['memberTtlMs'] ?? clusterDefaults.memberTtlMs;
  const beat = o['nodeHeartbeatMs'] ?? clusterDefaults.nodeHeartbeatMs;
  if (!isIntIn(ttl, 1_000, 3_600_000)) problems.push(`cluster.memberTtlMs must be an integer from 1000 to 3600000, got ${JSON.stringify(ttl)}`);
  if (!isIntIn(beat, 100, 1_200_000)) problems.push(`cluster.nodeHeartbeatMs must be an integer from 100 to 1200000, got ${JSON.stringify(beat)}`);
  else if (typeof ttl === 'number' && typeof beat === 'number' && beat * 3 > ttl) {
    problems.push(`cluster.nodeHeartbeatMs (${beat}) must be at most a third of cluster.memberTtlMs (${String(ttl)}), or a live node's members could expire`);
  }
  const prefix = o['keyPrefix'];
  if (prefix !== undefined && (typeof prefix !== 'string' || !/^[\x21-\x7e]{0,64}$/.test(prefix))) {
    problems.push('cluster.keyPrefix must be up to 64 printable ASCII characters without spaces');
  }
  return problems;
}

/** Fills in the defaults (a fresh random nodeId when none is given); call on checked options only. */
export function resolveClusterConfig(options: ClusterOptions): ClusterConfig {
  return Object.freeze({
    redisUrl: options.redisUrl,
    nodeId: options.nodeId ?? randomBytes(9).toString('base64url'),
    memberTtlMs: options.memberTtlMs ?? clusterDefaults.memberTtlMs,
    nodeHeartbeatMs: options.nodeHeartbeatMs ?? clusterDefaults.nodeHeartbeatMs,
    keyPrefix: options.keyPrefix ?? clusterDefaults.keyPrefix,
  });
}

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isIntIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
