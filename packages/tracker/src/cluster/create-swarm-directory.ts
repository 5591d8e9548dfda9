import type { SwarmRegistry } from '../swarm-registry.js';
import { resolveClusterConfig } from './cluster-config.js';
import type { ClusterOptions } from './cluster-config.js';
import { RedisSwarmDirectory } from './redis-swarm-directory.js';
import { LocalSwarmDirectory } from './swarm-directory.js';
import type { DirectoryMember, SwarmDirectory } from './swarm-directory.js';

/**
 * The Redis-backed directory when cluster options are given, else the in-memory one. `log` takes
 * its rare lines (Redis connection state changes: warn level in the rubric).
 */
export function createSwarmDirectory<M extends DirectoryMember>(cluster: ClusterOptions | undefined, registry: SwarmRegistry<M>, log: (line: string) => void): SwarmDirectory<M> {
  return cluster === undefined ? new LocalSwarmDirectory(registry) : new RedisSwarmDirectory(resolveClusterConfig(cluster), registry, log);
}
