/**
 * The Redis layout of a cluster (every name under ClusterConfig.keyPrefix, `p` below):
 * - `p` + `node:<instance>`: a node's liveness key, set with a TTL of memberTtlMs on every heartbeat;
 *   an instance is `<nodeId>:<random>`, renewed when the node may have lost writes;
 * - `p` + `swarm:<swarmId>`: a hash peerId -> instance of the swarm's members on every node, expiring
 *   2 x memberTtlMs after the last heartbeat of the last node with members in it;
 * - channel `p` + `to:<nodeId>`: signals for the members of that node;
 * - channel `p` + `records`: records published on one node, for all the others.
 * A member counts only while its node's liveness key exists, so the members of a dead node vanish
 * within memberTtlMs; the hash entries themselves are removed by whichever node meets them next.
 */

export interface RedisKeys {
  node(instance: string): string;
  swarm(swarmId: string): string;
  nodeChannel(nodeId: string): string;
  readonly recordsChannel: string;
  readonly nodePrefix: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    node: (instance) => `${prefix}node:${instance}`,
    swarm: (swarmId) => `${prefix}swarm:${swarmId}`,
    nodeChannel: (nodeId) => `${prefix}to:${nodeId}`,
    recordsChannel: `${prefix}records`,
    nodePrefix: `${prefix}node:`,
  };
}

/**
 * KEYS[1] swarm hash; ARGV[1] how many to draw, ARGV[2] the node key prefix. Draws distinct random
 * members, keeps those whose node is alive and deletes the others (their node's key expired). One
 * round trip, atomic. Reads node keys not named in KEYS: fine on a single Redis, not on Redis Cluster.
 */
export const SAMPLE_LIVE_MEMBERS_LUA = `
local drawn = redis.call('HRANDFIELD', KEYS[1], tonumber(ARGV[1]), 'WITHVALUES')
local alive = {}
local out = {}
for i = 1, #drawn, 2 do
  local peer, node = drawn[i], drawn[i + 1]
  local live = alive[node]
  if live == nil then
    live = redis.call('EXISTS', ARGV[2] .. node) == 1
    alive[node] = live
  end
  if live then out[#out + 1] = peer else redis.call('HDEL', KEYS[1], peer) end
end
return out
`;

/**
 * KEYS[1] swarm hash; ARGV[1] peer id, ARGV[2] the node key prefix. The node holding the peer if that
 * node is alive, else false (and a dead node's entry is deleted).
 */
export const LIVE_NODE_OF_LUA = `
local node = redis.call('HGET', KEYS[1], ARGV[1])
if not node then return false end
if redis.call('EXISTS', ARGV[2] .. node) == 1 then return node end
redis.call('HDEL', KEYS[1], ARGV[1])
return false
`;
