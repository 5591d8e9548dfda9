/**
 * Cluster mode: swarm membership shared by every tracker node through Redis, signals relayed to the
 * node holding the addressee, published records shared with every node. Redis failures never reach
 * the peers: the node keeps serving its own members and counts the failure; when Redis is back it
 * writes its members again.
 *
 * Members are written under the node's instance, `<nodeId>:<random>`, whose liveness key carries the
 * TTL. When a write may have been lost (Redis down or failing: a leave that never reached Redis
 * would leave a ghost member), the node takes a new instance and rewrites all its members under it:
 * every older entry dies with the old liveness key. A node restarted with the same nodeId cannot
 * revive its previous life's entries either.
 */
import { recordsMessages } from '@swarmcast/integrity';
import { ID_PATTERN, serializeMessage } from '@swarmcast/protocol';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SegmentRecord } from '@swarmcast/protocol';
import type { SwarmRegistry } from '../swarm-registry.js';
import type { ClusterConfig } from './cluster-config.js';
import { decodeRecords, decodeSignal, encodeRecords, encodeSignal } from './cluster-wire.js';
import { LIVE_NODE_OF_LUA, SAMPLE_LIVE_MEMBERS_LUA, redisKeys } from './redis-keys.js';
import type { RedisKeys } from './redis-keys.js';
import { RedisLinks } from './redis-links.js';
import { RedisScript } from './redis-script.js';
import type { ClusterStats, DirectoryMember, SwarmDirectory } from './swarm-directory.js';

/** Members written per HSET when a node rewrites its state. */
const RESYNC_BATCH = 1_000;
const SAMPLE_LIVE_MEMBERS = new RedisScript(SAMPLE_LIVE_MEMBERS_LUA);
const LIVE_NODE_OF = new RedisScript(LIVE_NODE_OF_LUA);

export class RedisSwarmDirectory<M extends DirectoryMember> implements SwarmDirectory<M> {
  readonly local: SwarmRegistry<M>;
  readonly clustered = true;
  readonly #config: ClusterConfig;
  readonly #keys: RedisKeys;
  readonly #log: (line: string) => void;
  #links: RedisLinks | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #recordsListener: ((swarmId: string, records: SegmentRecord[]) => void) | undefined;
  #closed: Promise<void> | undefined;
  /** The value of this node's member entries and the suffix of its liveness key. */
  #instance: string;
  /** Some membership write may be missing from Redis: take a new instance at the next chance. */
  #dirty = false;
  /**
   * A membership write timed out on a connection that stayed up: Redis runs a connection's commands
   * in order, so it is only late, not lost, unless the connection drops before a later reply proves
   * it ran. Taking a new instance for it would rewrite every member exactly when the node or Redis
   * is short of CPU (what a stall makes time out).
   */
  #unconfirmed = false;
  readonly #stats: Omit<ClusterStats, 'nodeId' | 'instance' | 'redisConnected'> = {
    redisErrors: 0,
    signalsSentRemote: 0,
    signalsDeliveredRemote: 0,
    signalsDroppedRemote: 0,
    recordsBatchesReceived: 0,
    invalidMessages: 0,
    localFallbacks: 0,
  };

  constructor(config: ClusterConfig, registry: SwarmRegistry<M>, log: (line: string) => void) {
    this.local = registry;
    this.#config = config;
    this.#keys = redisKeys(config.keyPrefix);
    this.#log = log;
    this.#instance = newInstance(config.nodeId);
  }

  get ready(): boolean {
    return this.#closed === undefined && this.#links?.ready === true;
  }

  start(): void {
    if (this.#links !== undefined || this.#closed !== undefined) return;
    const { nodeId } = this.#config;
    this.#links = new RedisLinks(this.#config.redisUrl, [this.#keys.nodeChannel(nodeId), this.#keys.recordsChannel], {
      commandsReady: (commands) => {
        // A (re)connect: a write that timed out on the old connection may never have run.
        if (this.#unconfirmed) this.#dirty = true;
        this.#unconfirmed = false;
        void this.#resync(commands);
      },
      message: (channel, text) => {
        this.#onMessage(channel, text);
      },
      log: (line) => {
        this.#log(`node ${nodeId}: ${line}`);
      },
    });
    this.#heartbeat = setInterval(() => {
      void this.#beat();
    }, this.#config.nodeHeartbeatMs);
    this.#heartbeat.unref();
  }

  join(swarmId: string, member: M, group = '', seeder = false): boolean {
    if (!this.local.join(swarmId, member, group, seeder)) return false;
    // Groups are matched per node: a grouped member meets its group on this node only (see sample()).
    if (group !== '') return true;
    const key = this.#keys.swarm(swarmId);
    // Plain commands, not MULTI: they queue in order with the sample that answers this join.
    this.#run((redis) => redis.hset(key, member.peerId, this.#instance));
    this.#run((redis) => redis.pexpire(key, this.#swarmTtlMs));
    return true;
  }

  leave(swarmId: string, peerId: string): boolean {
    if (!this.local.leave(swarmId, peerId)) return false;
    this.#run((redis) => redis.hdel(this.#keys.swarm(swarmId), peerId));
    return true;
  }

  sample(swarmId: string, excludeId: string, max: number): string[] | Promise<string[]> {
    const group = this.local.groupOf(swarmId, excludeId);
    if (group !== undefined && group !== '') return this.local.sample(swarmId, excludeId, max);
    const redis = this.#commands();
    if (redis === undefined) return this.#fallback(swarmId, excludeId, max);
    // Draw extra: the asker and members of dead nodes are dropped from the draw.
    const draw = max * 2 + 1;
    return SAMPLE_LIVE_MEMBERS.run(redis, this.#keys.swarm(swarmId), draw, this.#keys.nodePrefix).then(
      (reply) => pickIds(reply, excludeId, max),
      (error: unknown) => {
        this.#failed(error);
        return this.#fallback(swarmId, excludeId, max);
      },
    );
  }

  async relaySignal(swarmId: string, to: string, text: string): Promise<boolean> {
    const redis = this.#commands();
    if (redis === undefined) return false;
    try {
      const instance = await LIVE_NODE_OF.run(redis, this.#keys.swarm(swarmId), to, this.#keys.nodePrefix);
      if (typeof instance !== 'string') return false;
      const node = instance.slice(0, instance.lastIndexOf(':'));
      // Our own node: the caller looked locally already, so the entry is stale.
      if (node === '' || node === this.#config.nodeId) return false;
      const receivers = await redis.publish(this.#keys.nodeChannel(node), encodeSignal(to, text));
      if (receivers === 0) return false;
      this.#stats.signalsSentRemote += 1;
      return true;
    } catch (error) {
      this.#failed(error);
      return false;
    }
  }

  shareRecords(swarmId: string, records: readonly SegmentRecord[]): void {
    if (records.length === 0) return;
    for (const msg of recordsMessages(swarmId, records)) {
      const text = encodeRecords(this.#config.nodeId, serializeMessage(msg));
      this.#run((redis) => redis.publish(this.#keys.recordsChannel, text), false);
    }
  }

  onRemoteRecords(listener: (swarmId: string, records: SegmentRecord[]) => void): void {
    this.#recordsListener = listener;
  }

  stats(): ClusterStats {
    return { nodeId: this.#config.nodeId, instance: this.#instance, redisConnected: this.ready, ...this.#stats };
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#heartbeat);
    const links = this.#links;
    if (links === undefined) return;
    if (links.commands.status === 'ready') {
      // Withdraw at once rather than leave the others to wait for the TTL.
      const batch = links.commands.multi().del(this.#keys.node(this.#instance));
      for (const swarmId of this.#localSwarms()) {
        const ids = this.local.members(swarmId).map((m) => m.peerId);
        if (ids.length > 0) batch.hdel(this.#keys.swarm(swarmId), ...ids);
      }
      await batch.exec().catch((error: unknown) => {
        this.#failed(error);
      });
    }
    await links.close();
  }

  get #swarmTtlMs(): number {
    return 2 * this.#config.memberTtlMs;
  }

  /** The command connection if it is usable now. */
  #commands(): Redis | undefined {
    const redis = this.#links?.commands;
    return this.#closed === undefined && redis?.status === 'ready' ? redis : undefined;
  }

  #fallback(swarmId: string, excludeId: string, max: number): string[] {
    this.#stats.localFallbacks += 1;
    return this.local.sample(swarmId, excludeId, max);
  }

  /** Fire and forget; a lost membership write marks the node dirty, so the next resync replaces its instance. */
  #run(command: (redis: Redis) => Promise<unknown>, membership = true): void {
    const redis = this.#commands();
    if (redis === undefined) {
      if (membership) this.#dirty = true;
      return;
    }
    command(redis).catch((error: unknown) => {
      if (membership) {
        if (isCommandTimeout(error) && redis.status === 'ready') this.#unconfirmed = true;
        else this.#dirty = true;
      }
      this.#failed(error);
    });
  }

  #failed(_error: unknown): void {
    this.#stats.redisErrors += 1;
  }

  #localSwarms(): string[] {
    return Object.keys(this.local.detail());
  }

  /** Refreshes the liveness key and the swarm keys; if one had expired, our members may be gone: rewrite them. */
  async #beat(): Promise<void> {
    const redis = this.#commands();
    if (redis === undefined) return;
    try {
      if (this.#dirty) {
        await this.#resync(redis);
        return;
      }
      const batch = redis.multi().set(this.#keys.node(this.#instance), '1', 'PX', this.#config.memberTtlMs, 'GET');
      for (const swarmId of this.#localSwarms()) batch.pexpire(this.#keys.swarm(swarmId), this.#swarmTtlMs);
      const unconfirmedBefore = this.#unconfirmed;
      const replies = await batch.exec();
      const [error, previous] = replies?.[0] ?? [new Error('transaction discarded'), undefined];
      if (error !== null) throw error;
      // A reply on the same connection: every write sent before it has run.
      if (unconfirmedBefore && redis === this.#commands()) this.#unconfirmed = false;
      // A swarm key gone (PEXPIRE 0) expired with our members in it: a stall longer than its TTL.
      // (A late liveness write can hide that our liveness key expired meanwhile.)
      const swarmGone = replies?.slice(1).some(([pexpireError, set]) => pexpireError === null && set === 0) === true;
      if (previous === null || swarmGone) await this.#resync(redis);
    } catch (error) {
      this.#failed(error);
    }
  }

  /**
   * Writes this node's liveness key and every local membership (after a (re)connect or an expiry),
   * under a new instance when a write may have been lost (the old instance's key is deleted with it).
   */
  async #resync(redis: Redis): Promise<void> {
    if (this.#closed !== undefined) return;
    try {
      const batch = redis.multi();
      if (this.#dirty) {
        batch.del(this.#keys.node(this.#instance));
        this.#instance = newInstance(this.#config.nodeId);
        this.#dirty = false;
      }
      batch.set(this.#keys.node(this.#instance), '1', 'PX', this.#config.memberTtlMs);
      for (const swarmId of this.#localSwarms()) {
        const key = this.#keys.swarm(swarmId);
        const members = this.local.members(swarmId);
        for (let i = 0; i < members.length; i += RESYNC_BATCH) {
          const fields: string[] = [];
          for (const m of members.slice(i, i + RESYNC_BATCH)) fields.push(m.peerId, this.#instance);
          batch.hset(key, ...fields);
        }
        batch.pexpire(key, this.#swarmTtlMs);
      }
      await batch.exec();
    } catch (error) {
      this.#dirty = true;
      this.#failed(error);
    }
  }

  #onMessage(channel: string, text: string): void {
    try {
      if (channel === this.#keys.recordsChannel) {
        const { from, msg } = decodeRecords(text);
        if (from === this.#config.nodeId) return;
        this.#stats.recordsBatchesReceived += 1;
        this.#recordsListener?.(msg.swarm, msg.records);
        return;
      }
      const { to, msg } = decodeSignal(text);
      const target = this.local.get(msg.swarm, to);
      if (target?.sendSerialized(serializeMessage(msg)) === true) this.#stats.signalsDeliveredRemote += 1;
      else this.#stats.signalsDroppedRemote += 1;
    } catch {
      this.#stats.invalidMessages += 1;
    }
  }
}

/**
 * Checked peer ids from a script reply: distinct, valid, not the asker, at most max, in random order.
 * Shuffled first: when the draw covers the whole swarm, HRANDFIELD returns a small hash in insertion
 * order, so taking the first max would list the earliest members only, to everyone.
 */
function pickIds(reply: unknown, excludeId: string, max: number): string[] {
  if (!Array.isArray(reply)) return [];
  const drawn: unknown[] = reply.slice();
  for (let i = drawn.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [drawn[i], drawn[j]] = [drawn[j], drawn[i]];
  }
  const out = new Set<string>();
  for (const id of drawn) {
    if (out.size >= max) break;
    if (typeof id === 'string' && id !== excludeId && ID_PATTERN.test(id)) out.add(id);
  }
  return [...out];
}

/** `<nodeId>:<8 random characters>`: ':' never occurs in a nodeId, so the nodeId is what precedes the last one. */
function newInstance(nodeId: string): string {
  return `${nodeId}:${randomBytes(6).toString('base64url')}`;
}

/** ioredis's commandTimeout rejection: the reply did not come in time (the command was sent). */
function isCommandTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}
