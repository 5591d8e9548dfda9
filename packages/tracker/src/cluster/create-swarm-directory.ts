import type { SwarmRegistry } from '../swarm-registry.js';
import { resolveClusterConfig } from './cluster-config.js';
import type { ClusterOptions } from './cluster-config.js';
import { RedisSwarmDirectory } from './redis-swarm-directory.js';
import { LocalSwarmDirectory } from './swarm-directory.js';
import type { DirectoryMember, SwarmDirectory } from './swarm-directory.js';

/** Cluster lines are rare (connection state changes): one plain line each, apart from other logging. */
function logCluster(line: string): void {
  console.warn(`[swarmcast:tracker:cluster] ${line}`);
}

/** The Redis-backed directory when cluster options are given, else the in-memory one. */
export function createSwarmDirectory<M extends DirectoryMember>(cluster: ClusterOptions | undefined, registry: SwarmRegistry<M>): SwarmDirectory<M> {
  return cluster === undefined ? new LocalSwarmDirectory(registry) : new RedisSwarmDirectory(resolveClusterConfig(cluster), registry, logCluster);
}
