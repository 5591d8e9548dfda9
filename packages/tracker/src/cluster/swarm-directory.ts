/**
 * Where the tracker keeps swarm membership: in this process only (the default) or shared by every
 * node of a cluster. The tracker talks to one SwarmDirectory either way.
 */
import type { SegmentRecord } from '@swarmcast/protocol';
import type { SwarmMember, SwarmRegistry } from '../swarm-registry.js';

/** What a directory needs of a local member. */
export interface DirectoryMember extends SwarmMember {
  sendSerialized(text: string): boolean;
}

/** Counters of cluster mode, in TrackerStats.cluster. */
export interface ClusterStats {
  nodeId: string;
  /** The node's current instance in Redis, `<nodeId>:<random>`; renewed after Redis lost some of its writes. */
  instance: string;
  /** Both Redis connections are up and subscribed. */
  redisConnected: boolean;
  /** Redis commands that failed (Redis down, timeout, script error). */
  redisErrors: number;
  /** Signals published to another node's channel. */
  signalsSentRemote: number;
  /** Signals from other nodes handed to a local member. */
  signalsDeliveredRemote: number;
  /** Signals from other nodes whose addressee is no longer here. */
  signalsDroppedRemote: number;
  /** Records batches from other nodes accepted. */
  recordsBatchesReceived: number;
  /** Messages from Redis that failed validation. */
  invalidMessages: number;
  /** Peer lists answered from this node's members alone because Redis failed. */
  localFallbacks: number;
}

export interface SwarmDirectory<M extends DirectoryMember> {
  /** This node's own members (the whole swarm in local mode). */
  readonly local: SwarmRegistry<M>;
  /** Whether other nodes share the swarms (members not in `local` may exist). */
  readonly clustered: boolean;
  /**
   * Adds member to swarm, in `group` ('' = none: see SwarmRegistry), a seeder or not; false if it was
   * already there. Seeders are known to their own node only: other nodes list them as plain members.
   */
  join(swarmId: string, member: M, group?: string, seeder?: boolean): boolean;
  /** Removes peerId from swarm; false if it was not there. */
  leave(swarmId: string, peerId: string): boolean;
  /**
   * Up to max distinct random member ids of the whole swarm (every node), excluding excludeId.
   * Synchronous in local mode so replies keep their order; never rejects.
   */
  sample(swarmId: string, excludeId: string, max: number): string[] | Promise<string[]>;
  /**
   * Hands a serialized `signal` server message to peer `to` of swarm on another node. Resolves true
   * once some node took it; false when no live node holds `to`. Never rejects.
   */
  relaySignal(swarmId: string, to: string, text: string): Promise<boolean>;
  /** Sends records published on this node to every other node (no-op in local mode). */
  shareRecords(swarmId: string, records: readonly SegmentRecord[]): void;
  /** Registers who takes records shared by other nodes. */
  onRemoteRecords(listener: (swarmId: string, records: SegmentRecord[]) => void): void;
  /** Whether the directory can serve the whole swarm now (always in local mode). */
  readonly ready: boolean;
  /** null in local mode. */
  stats(): ClusterStats | null;
  start(): void;
  /** Withdraws this node's members and closes every connection and timer; idempotent. */
  close(): Promise<void>;
}

/** Calls then with value, now if it is one, once resolved if it is a promise. */
export function whenSettled<T>(value: T | Promise<T>, then: (value: T) => void): void {
  if (value instanceof Promise) void value.then(then);
  else then(value);
}

/** The single-process directory: the registry is the whole truth. */
export class LocalSwarmDirectory<M extends DirectoryMember> implements SwarmDirectory<M> {
  readonly local: SwarmRegistry<M>;
  readonly clustered = false;
  readonly ready = true;

  constructor(registry: SwarmRegistry<M>) {
    this.local = registry;
  }

  join(swarmId: string, member: M, group = '', seeder = false): boolean {
    return this.local.join(swarmId, member, group, seeder);
  }

  leave(swarmId: string, peerId: string): boolean {
    return this.local.leave(swarmId, peerId);
  }

  sample(swarmId: string, excludeId: string, max: number): string[] {
    return this.local.sample(swarmId, excludeId, max);
  }

  relaySignal(): Promise<boolean> {
    return Promise.resolve(false);
  }

  shareRecords(): void {
    // Nobody else to tell.
  }

  onRemoteRecords(): void {
    // No other node ever sends any.
  }

  stats(): null {
    return null;
  }

  start(): void {
    // Nothing to connect to.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
