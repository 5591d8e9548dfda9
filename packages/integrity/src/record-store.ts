import type { SegmentRecord } from '@swarmcast/protocol';

export interface RecordStoreLimits {
  /** Swarms held; adding to one more drops the one least recently added to. */
  maxSwarms: number;
  /** Renditions held per swarm; one more drops the one least recently added to. */
  maxRenditionsPerSwarm: number;
  /** Records per swarm remembered as recent, newest last (what a joining peer is sent). */
  recentPerSwarm: number;
}

interface SwarmRecords {
  /** rendition -> sn -> record; both maps in the order of the last update, oldest first. */
  readonly renditions: Map<string, Map<number, SegmentRecord>>;
  /** Newest last; may hold records since replaced, filtered out on read. */
  readonly recent: SegmentRecord[];
}

/** Signed records by swarm, rendition and sn, bounded at every level. Knows nothing of signatures. */
export class RecordStore {
  readonly #limits: RecordStoreLimits;
  readonly #swarms = new Map<string, SwarmRecords>();
  #count = 0;

  constructor(limits: RecordStoreLimits) {
    this.#limits = limits;
  }

  /**
   * Adds records to swarm, keeping at most keepPerRendition per rendition (the oldest go first).
   * Returns those that were new or differ from the record held for their sn.
   */
  add(swarmId: string, records: readonly SegmentRecord[], keepPerRendition: number): SegmentRecord[] {
    const swarm = this.#touchSwarm(swarmId);
    const added: SegmentRecord[] = [];
    for (const record of records) {
      let bySn = swarm.renditions.get(record.rendition);
      if (bySn === undefined) {
        bySn = new Map();
        this.#evictFirstIf(swarm.renditions, this.#limits.maxRenditionsPerSwarm - 1);
      } else swarm.renditions.delete(record.rendition);
      swarm.renditions.set(record.rendition, bySn);
      const held = bySn.get(record.sn);
      if (held?.signature === record.signature && held.sha256 === record.sha256 && held.sizeBytes === record.sizeBytes) continue;
      if (held !== undefined) {
        bySn.delete(record.sn);
        this.#count -= 1;
      }
      bySn.set(record.sn, record);
      this.#count += 1;
      while (bySn.size > keepPerRendition) {
        const oldest = bySn.keys().next();
        if (oldest.done === true) break;
        bySn.delete(oldest.value);
        this.#count -= 1;
      }
      swarm.recent.push(record);
      if (swarm.recent.length > this.#limits.recentPerSwarm) swarm.recent.splice(0, swarm.recent.length - this.#limits.recentPerSwarm);
      added.push(record);
    }
    return added;
  }

  /** The records held for these sns of rendition, in the order asked; unknown ones are absent. */
  get(swarmId: string, rendition: string, sns: readonly number[]): SegmentRecord[] {
    const bySn = this.#swarms.get(swarmId)?.renditions.get(rendition);
    if (bySn === undefined) return [];
    const out: SegmentRecord[] = [];
    for (const sn of new Set(sns)) {
      const record = bySn.get(sn);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  /**
   * Up to max records of rendition, lowest sn first: those with the highest sns, or with fromSn the
   * lowest ones at or after it.
   */
  latest(swarmId: string, rendition: string, max: number, fromSn?: number): SegmentRecord[] {
    const bySn = this.#swarms.get(swarmId)?.renditions.get(rendition);
    return bySn === undefined ? [] : recordWindow(bySn.values(), max, fromSn);
  }

  /** Up to max of the records most recently added to swarm, oldest first. */
  recent(swarmId: string, max: number): SegmentRecord[] {
    const swarm = this.#swarms.get(swarmId);
    if (swarm === undefined || max <= 0) return [];
    const current = swarm.recent.filter((r) => swarm.renditions.get(r.rendition)?.get(r.sn) === r);
    return current.slice(-max);
  }

  /** Every record held for swarm, rendition by rendition. */
  all(swarmId: string): SegmentRecord[] {
    const swarm = this.#swarms.get(swarmId);
    return swarm === undefined ? [] : [...swarm.renditions.values()].flatMap((bySn) => [...bySn.values()]);
  }

  has(swarmId: string): boolean {
    return this.#swarms.has(swarmId);
  }

  swarms(): string[] {
    return [...this.#swarms.keys()];
  }

  /** Records held across all swarms. */
  get size(): number {
    return this.#count;
  }

  #touchSwarm(swarmId: string): SwarmRecords {
    let swarm = this.#swarms.get(swarmId);
    if (swarm === undefined) {
      swarm = { renditions: new Map(), recent: [] };
      while (this.#swarms.size >= this.#limits.maxSwarms) {
        const oldest = this.#swarms.entries().next();
        if (oldest.done === true) break;
        this.#swarms.delete(oldest.value[0]);
        this.#count -= countOf(oldest.value[1]);
      }
    } else this.#swarms.delete(swarmId);
    this.#swarms.set(swarmId, swarm);
    return swarm;
  }

  /** Drops the least recently updated rendition while more than `keep` are held. */
  #evictFirstIf(renditions: Map<string, Map<number, SegmentRecord>>, keep: number): void {
    while (renditions.size > keep) {
      const oldest = renditions.entries().next();
      if (oldest.done === true) break;
      renditions.delete(oldest.value[0]);
      this.#count -= oldest.value[1].size;
    }
  }
}

function countOf(swarm: SwarmRecords): number {
  let n = 0;
  for (const bySn of swarm.renditions.values()) n += bySn.size;
  return n;
}

/**
 * Up to max of `records` (one per sn), lowest sn first: those with the highest sns, or with fromSn
 * the lowest ones at or after it (RecordStore.latest, GET /integrity/live).
 */
export function recordWindow(records: Iterable<SegmentRecord>, max: number, fromSn?: number): SegmentRecord[] {
  if (max <= 0) return [];
  const sorted = [...records].filter((r) => fromSn === undefined || r.sn >= fromSn).sort((a, b) => a.sn - b.sn);
  return fromSn === undefined ? sorted.slice(-max) : sorted.slice(0, max);
}
