import { sampleOthers } from './random-sample.js';

/** What the registry needs of a member: its server-made id. */
export interface SwarmMember {
  readonly peerId: string;
}

/** The members of one group of a swarm ('' = no group). */
interface GroupIndex {
  /** Member ids in a dense array (swap-remove) so sampling picks random indices in O(sample size). */
  readonly ids: string[];
  readonly indexById: Map<string, number>;
  /** Members that joined as seeders (edge peers: every segment over HTTP as it appears); few. */
  readonly seeders: Set<string>;
}

interface Swarm<M extends SwarmMember> {
  readonly members: Map<string, M>;
  /** Each member's group label ('' = none): members are introduced only within their group. */
  readonly groupOf: Map<string, string>;
  readonly groups: Map<string, GroupIndex>;
}

/**
 * Swarm id -> members. Empty swarms are dropped at once, so nothing outlives the last member.
 * Generic over the member type so it can be tested without sockets.
 */
export class SwarmRegistry<M extends SwarmMember> {
  readonly #swarms = new Map<string, Swarm<M>>();
  #memberships = 0;

  /** Adds member to swarm, in `group` ('' = none), a seeder or not; false if it was already there. */
  join(swarmId: string, member: M, group = '', seeder = false): boolean {
    let swarm = this.#swarms.get(swarmId);
    if (swarm === undefined) {
      swarm = { members: new Map(), groupOf: new Map(), groups: new Map() };
      this.#swarms.set(swarmId, swarm);
    }
    if (swarm.members.has(member.peerId)) return false;
    let index = swarm.groups.get(group);
    if (index === undefined) {
      index = { ids: [], indexById: new Map(), seeders: new Set() };
      swarm.groups.set(group, index);
    }
    swarm.members.set(member.peerId, member);
    swarm.groupOf.set(member.peerId, group);
    index.indexById.set(member.peerId, index.ids.length);
    index.ids.push(member.peerId);
    if (seeder) index.seeders.add(member.peerId);
    this.#memberships += 1;
    return true;
  }

  /** Removes peerId from swarm; false if it was not there. */
  leave(swarmId: string, peerId: string): boolean {
    const swarm = this.#swarms.get(swarmId);
    const group = swarm?.groupOf.get(peerId);
    if (swarm === undefined || group === undefined) return false;
    const index = swarm.groups.get(group);
    const at = index?.indexById.get(peerId);
    if (index !== undefined && at !== undefined) {
      const lastId = index.ids.pop();
      if (lastId !== undefined && lastId !== peerId) {
        index.ids[at] = lastId;
        index.indexById.set(lastId, at);
      }
      index.indexById.delete(peerId);
      index.seeders.delete(peerId);
      if (index.ids.length === 0) swarm.groups.delete(group);
    }
    swarm.groupOf.delete(peerId);
    swarm.members.delete(peerId);
    this.#memberships -= 1;
    if (swarm.members.size === 0) this.#swarms.delete(swarmId);
    return true;
  }

  /** The group peerId joined swarm in ('' = none), undefined when it is not a member. */
  groupOf(swarmId: string, peerId: string): string | undefined {
    return this.#swarms.get(swarmId)?.groupOf.get(peerId);
  }

  /**
   * The member toId of swarm as fromId's addressee (one swarm lookup, for each relayed signal):
   * undefined when toId is not a member, null when it is one of another group than fromId's.
   */
  addressee(swarmId: string, fromId: string, toId: string): M | null | undefined {
    const swarm = this.#swarms.get(swarmId);
    const member = swarm?.members.get(toId);
    if (swarm === undefined || member === undefined) return undefined;
    return swarm.groupOf.get(toId) === swarm.groupOf.get(fromId) ? member : null;
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

  /**
   * Up to max distinct random member ids of swarm, excluding excludeId, in random order: members of
   * `group`, by default excludeId's own group (none for a non-member).
   */
  sample(swarmId: string, excludeId: string, max: number, group?: string): string[] {
    const swarm = this.#swarms.get(swarmId);
    if (swarm === undefined) return [];
    const index = swarm.groups.get(group ?? swarm.groupOf.get(excludeId) ?? '');
    if (index === undefined) return [];
    return sampleOthers(index.ids, excludeId, index.indexById.has(excludeId), max, Math.random);
  }

  /**
   * Up to max seeder ids of excludeId's group of swarm, excluding excludeId, in random order: listed
   * first to every joiner, so each meets the swarm's seeders however large the swarm.
   */
  seeders(swarmId: string, excludeId: string, max: number): string[] {
    const swarm = this.#swarms.get(swarmId);
    const seeders = swarm?.groups.get(swarm.groupOf.get(excludeId) ?? '')?.seeders;
    if (seeders === undefined || seeders.size === 0) return [];
    return sampleOthers([...seeders], excludeId, seeders.has(excludeId), max, Math.random);
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
