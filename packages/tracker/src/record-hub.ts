import { IntegrityAuthority, RecordStore, recordWindow, recordsMessages, verifyRecord } from '@swarmcast/integrity';
import type { IntegrityAuthorityStats } from '@swarmcast/integrity';
import { serializeMessage } from '@swarmcast/protocol';
import type { IntegrityKey, SegmentRecord, VodList } from '@swarmcast/protocol';
import type { TrackerConfig } from './config.js';
import type { SwarmMember } from './swarm-registry.js';
import type { SwarmRegistry } from './swarm-registry.js';

export type RecordHubConfig = Pick<TrackerConfig, 'integrity' | 'authoritySecret' | 'authorityPublicKeys' | 'maxRecordsOnJoin'>;

/** What the hub needs of a swarm member. */
export interface RecordReceiver extends SwarmMember {
  sendSerialized(text: string): boolean;
}

/**
 * Bounds on records published through /authority. A sidecar may sign VOD, so a rendition keeps as
 * many records as the authority's maxVodRecords default; about 300 bytes each.
 */
const PUBLISHED_LIMITS = { keepPerRendition: 20_000, maxSwarms: 64, maxRenditionsPerSwarm: 32, recentPerSwarm: 256 } as const;

/** Integrity counters in TrackerStats; the signing ones stay 0 without an own authority. */
export interface TrackerIntegrityStats extends IntegrityAuthorityStats {
  /** Sidecars connected to /authority now. */
  publishers: number;
  /** Records accepted from publishers. */
  recordsPublished: number;
  /** Record copies sent to peers: on join, broadcast and get-records. */
  recordsSent: number;
  recordMessagesSent: number;
}

const NO_SIGNING: IntegrityAuthorityStats = Object.freeze({
  streams: 0,
  renditions: 0,
  segmentsSigned: 0,
  bytesHashed: 0,
  hashMs: 0,
  signMs: 0,
  fetchErrors: 0,
  unsupportedSegments: 0,
  recordsHeld: 0,
  errors: {},
});

/**
 * The tracker's side of segment integrity: its own authority (config.integrity) and the records
 * sidecars publish, both sent to swarm members as they come (batched per event-loop turn), to
 * joiners (the most recent) and on get-records.
 */
export class RecordHub<M extends RecordReceiver> {
  readonly #config: RecordHubConfig;
  readonly #registry: SwarmRegistry<M>;
  readonly #authority: IntegrityAuthority | undefined;
  readonly #published = new RecordStore(PUBLISHED_LIMITS);
  readonly #keys: IntegrityKey[];
  /** Records waiting for the next broadcast, by swarm. */
  readonly #pending = new Map<string, SegmentRecord[]>();
  #flush: NodeJS.Immediate | undefined;
  #share: ((swarm: string, records: readonly SegmentRecord[]) => void) | undefined;
  #counters = { recordsPublished: 0, recordsSent: 0, recordMessagesSent: 0 };
  #closed = false;

  /** Throws IntegrityError if config.integrity is invalid (resolveTrackerConfig has checked it already). */
  constructor(config: RecordHubConfig, registry: SwarmRegistry<M>) {
    this.#config = config;
    this.#registry = registry;
    this.#authority = config.integrity === undefined ? undefined : new IntegrityAuthority(config.integrity);
    this.#authority?.onRecords((swarm, records) => {
      this.#queue(swarm, records);
    });
    const keys = [...(this.#authority?.keys() ?? []), ...(config.authorityPublicKeys ?? [])];
    this.#keys = keys.filter((key, i) => keys.findIndex((k) => k.keyId === key.keyId) === i);
  }

  /** Whether records can come from anywhere: without it the tracker has nothing to say about integrity. */
  get enabled(): boolean {
    return this.#authority !== undefined || this.#config.authoritySecret !== undefined;
  }

  start(): void {
    this.#authority?.start();
  }

  /** The keys announced in welcome; empty when there are none. */
  keys(): IntegrityKey[] {
    return this.#keys;
  }

  /** Sends a new member of swarm its most recent records. */
  joined(member: M, swarm: string): void {
    const max = this.#config.maxRecordsOnJoin;
    if (max === 0) return;
    const own = this.#authority?.recent(swarm, max) ?? [];
    const published = this.#published.recent(swarm, max);
    const records = own.length === 0 ? published : published.length === 0 ? own : [...own, ...published].slice(-max);
    for (const msg of recordsMessages(swarm, records)) this.#sendTo([member], serializeMessage(msg), msg.records.length);
  }

  /** The records held for these sns, at most one per sn (the own authority's first). */
  lookup(swarm: string, rendition: string, sns: readonly number[]): SegmentRecord[] {
    const found = new Map<number, SegmentRecord>();
    for (const record of this.#published.get(swarm, rendition, sns)) found.set(record.sn, record);
    for (const record of this.#authority?.recordsFor(swarm, rendition, sns) ?? []) found.set(record.sn, record);
    return [...found.values()];
  }

  /** Records of a rendition, own authority's and published together, as RecordStore.latest (GET /integrity/live). */
  latestRecords(swarm: string, rendition: string, max: number, fromSn?: number): SegmentRecord[] {
    const own = this.#authority?.latestRecords(swarm, rendition, max, fromSn) ?? [];
    const published = this.#published.latest(swarm, rendition, max, fromSn);
    if (own.length === 0) return published;
    if (published.length === 0) return own;
    // The own authority's record wins for an sn both hold.
    const bySn = new Map<number, SegmentRecord>();
    for (const record of [...published, ...own]) bySn.set(record.sn, record);
    return recordWindow(bySn.values(), max, fromSn);
  }

  /** The own authority's signed hash list of a VOD rendition, if it has one. */
  vodList(swarm: string, rendition: string): VodList | undefined {
    return this.#authority?.vodList(swarm, rendition);
  }

  /** Counts a records reply sent by a handler. */
  countSent(records: number): void {
    this.#counters.recordsSent += records;
    this.#counters.recordMessagesSent += 1;
  }

  /**
   * Takes records from a publisher: checks them against authorityPublicKeys when set, stores them
   * and queues the new ones for broadcast. Returns how many were refused for their signature.
   */
  publish(swarm: string, records: readonly SegmentRecord[]): number {
    const { refused, added } = this.#store(swarm, records);
    this.#counters.recordsPublished += added.length;
    if (added.length > 0) this.#share?.(swarm, added);
    return refused;
  }

  /** Sends the records publishers give this node on to the other nodes of a cluster. */
  shareWith(share: (swarm: string, records: readonly SegmentRecord[]) => void): void {
    this.#share = share;
  }

  /** Takes records another node of the cluster was published: checked, stored and sent like its own. */
  acceptShared(swarm: string, records: readonly SegmentRecord[]): void {
    this.#store(swarm, records);
  }

  #store(swarm: string, records: readonly SegmentRecord[]): { refused: number; added: SegmentRecord[] } {
    const keys = this.#config.authorityPublicKeys;
    const valid = keys === undefined ? records : records.filter((r) => keys.some((k) => k.keyId === r.keyId && verifyRecord(swarm, r, k.publicKey)));
    const added = this.#published.add(swarm, valid, PUBLISHED_LIMITS.keepPerRendition);
    this.#queue(swarm, added);
    return { refused: records.length - valid.length, added };
  }

  /** null when integrity is off (no authority, no authoritySecret). */
  stats(publishers: number): TrackerIntegrityStats | null {
    if (!this.enabled) return null;
    return { ...(this.#authority?.stats() ?? { ...NO_SIGNING, errors: {} }), publishers, ...this.#counters };
  }

  /** Stops the authority and drops pending broadcasts; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#flush !== undefined) clearImmediate(this.#flush);
    this.#flush = undefined;
    this.#pending.clear();
    await this.#authority?.close();
  }

  #queue(swarm: string, records: readonly SegmentRecord[]): void {
    if (this.#closed || records.length === 0) return;
    const list = this.#pending.get(swarm);
    if (list === undefined) this.#pending.set(swarm, [...records]);
    else list.push(...records);
    this.#flush ??= setImmediate(() => {
      this.#broadcast();
    });
  }

  /** One serialization per message, sent to every member. */
  #broadcast(): void {
    this.#flush = undefined;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [swarm, records] of pending) {
      const members = this.#registry.members(swarm);
      if (members.length === 0) continue;
      for (const msg of recordsMessages(swarm, records)) this.#sendTo(members, serializeMessage(msg), msg.records.length);
    }
  }

  #sendTo(members: readonly M[], text: string, records: number): void {
    for (const member of members) {
      if (member.sendSerialized(text)) this.countSent(records);
    }
  }
}
