import { sampleOthers } from './random-sample.js';

/** What the registry needs of a member: its server-made id. */
export interface SwarmMember {
  readonly peerId: string;
}

interface Swarm<M extends SwarmMember> {
  readonly members: Map<string, M>;
  /** Member ids in a dense array (swap-remove) so sampling picks random indices in O(sample size). */
  readonly ids: string[];
  readonly indexById: Map<string, number>;
}

/**
 * Swarm id -> members. Empty swarms are dropped at once, so nothing outlives the last member.
 * Generic over the member type so it can be tested without sockets.
 */
export class SwarmRegistry<M extends SwarmMember> {
  readonly #swarms = new Map<string, Swarm<M>>();
  #memberships = 0;

  /** Adds member to swarm; false if it was already there. */
  join(swarmId: string, member: M): boolean {
    let swarm = this.#swarms.get(swarmId);
    if (swarm === undefined) {
      swarm = { members: new Map(), ids: [], indexById: new Map() };
      this.#swarms.set(swarmId, swarm);
    }
    if (swarm.members.has(member.peerId)) return false;
    swarm.members.set(member.peerId, member);
    swarm.indexById.set(member.peerId, swarm.ids.length);
    swarm.ids.push(member.peerId);
    this.#memberships += 1;
    return true;
  }

  /** Removes peerId from swarm; false if it was not there. */
  leave(swarmId: string, peerId: string): boolean {
    const swarm = this.#swarms.get(swarmId);
    const index = swarm?.indexById.get(peerId);
    if (swarm === undefined || index === undefined) return false;
    const lastId = swarm.ids.pop();
    if (lastId !== undefined && lastId !== peerId) {
      swarm.ids[index] = lastId;
      swarm.indexById.set(lastId, index);
    }
    swarm.indexById.delete(peerId);
    swarm.members.delete(peerId);
    this.#memberships -= 1;
    if (swarm.members.size === 0) this.#swarms.delete(swarmId);
    return true;
  }

  get(swarmId: string, peerId: string): M | undefined {
    return this.#swarms.get(swarmId)?.members.get(peerId);
  }

  /** A snapshot of the members of swarm (a send may drop a member while the caller iterates). */
  members(swarmId: string): M[] {
    const swarm = this.#swarms.get(swarmId);
    return swarm === undefined ? [] : [...swarm.members.values()];
  }

  has(swarmId: string, peerId: string): boolean {
    return this.get(swarmId, peerId) !== undefined;
  }

  /** Up to max distinct random member ids of swarm, excluding excludeId, in random order. */
  sample(swarmId: string, excludeId: string, max: number): string[] {
    const swarm = this.#swarms.get(swarmId);
    if (swarm === undefined) return [];
    return sampleOthers(swarm.ids, excludeId, swarm.indexById.has(excludeId), max, Math.random);
  }

  /** Members of swarmId now (0 for an unknown swarm). */
  memberCount(swarmId: string): number {
    return this.#swarms.get(swarmId)?.members.size ?? 0;
  }

  get swarmCount(): number {
    return this.#swarms.size;
  }

  /** Sum over swarms of their member counts. */
  get membershipCount(): number {
    return this.#memberships;
  }

  /** Member count of every swarm. */
  detail(): Record<string, { peers: number }> {
    // fromEntries defines own properties, so a swarm named '__proto__' stays an ordinary key.
    return Object.fromEntries([...this.#swarms].map(([id, swarm]) => [id, { peers: swarm.members.size }]));
  }
}
