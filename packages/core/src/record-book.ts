import {
  fromBase64Url,
  recordSigningPayload,
  toHex,
  vodListSigningPayload,
  type IntegrityKey,
  type SegmentRecord,
  type SegmentRef,
  type VodList,
} from '@swarmcast/protocol';
import { setBounded } from './bounded-map.js';
import type { Clock, CryptoPort, PublicKeyHandle } from './ports.js';
import { segmentKey } from './segment-id.js';

/** Outcome of checking a segment's bytes against its signed record. */
export type Verdict = 'ok' | 'mismatch' | 'no-record';

/** What verify() compares bytes with: from a signed record, or an entry of a signed VOD list. */
interface Expected {
  readonly sizeBytes: number;
  readonly sha256: string;
}

/** VOD lists held at once (one per rendition; the least recently added goes first). */
const MAX_LISTS = 16;

/**
 * Signed segment records, kept once their signature checks out against a trusted key. Answers
 * whether a segment's bytes are the ones the integrity authority saw at the origin.
 */
export class RecordBook {
  private readonly records = new Map<string, SegmentRecord>();
  /** Entries of signed VOD lists: rendition -> sn -> expected size and hash. */
  private readonly lists = new Map<string, Map<number, Expected>>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private keys = new Map<string, Promise<PublicKeyHandle | undefined>>();
  /** Records dropped for a bad signature or an unknown key. */
  rejected = 0;
  /** Time spent checking record signatures (clock ms, awaits included), and how many were checked. */
  signatureMs = 0;
  signaturesChecked = 0;
  /** Time spent hashing segments in verify() (clock ms, awaits included), and how many were hashed. */
  hashMs = 0;
  segmentsHashed = 0;

  constructor(
    private readonly swarmId: string,
    private readonly crypto: CryptoPort,
    private readonly clock: Clock,
    private readonly capacity: number,
  ) {}

  /** Replaces the trusted keys (records already accepted stay). */
  setKeys(keys: readonly IntegrityKey[]): void {
    this.keys = new Map(keys.map((k) => [k.keyId, this.crypto.importEd25519(fromBase64Url(k.publicKey)).catch(() => undefined)]));
  }

  get hasKeys(): boolean {
    return this.keys.size > 0;
  }

  has(ref: SegmentRef): boolean {
    return this.expected(ref) !== undefined;
  }

  /** Whether a signed VOD list of `rendition` is held. */
  hasList(rendition: string): boolean {
    return this.lists.has(rendition);
  }

  /**
   * Checks the one signature of a VOD list (for this swarm, by a trusted key); if it holds, keeps
   * every entry as if it were a signed record and wakes whoever waits for them. Resolves false (and
   * counts it in `rejected`) for a list of another swarm, an unknown key or a bad signature.
   */
  async addVerifiedList(list: VodList): Promise<boolean> {
    const key = list.swarm === this.swarmId ? await this.keys.get(list.keyId) : undefined;
    let ok = false;
    if (key !== undefined) {
      const startedMs = this.clock.now();
      ok = await this.crypto
        .verifyEd25519(key, vodListSigningPayload(this.swarmId, list.rendition, list.segments), fromBase64Url(list.signature))
        .catch(() => false);
      this.signatureMs += this.clock.now() - startedMs;
      this.signaturesChecked += 1;
    }
    if (!ok) {
      this.rejected += 1;
      return false;
    }
    const bySn = new Map<number, Expected>(list.segments.map(([sn, sizeBytes, sha256]) => [sn, { sizeBytes, sha256 }]));
    setBounded(this.lists, list.rendition, bySn, MAX_LISTS);
    for (const sn of bySn.keys()) {
      const waiters = this.waiters.get(segmentKey({ rendition: list.rendition, sn }));
      if (waiters) for (const wake of [...waiters]) wake();
    }
    return true;
  }

  /** Checks each record's signature; keeps the good ones and wakes whoever waits for them. */
  async add(records: readonly SegmentRecord[]): Promise<void> {
    for (const record of records) {
      // The same record again (a live records document repeats the ones around it): checked already.
      const held = this.records.get(segmentKey(record));
      if (held?.signature === record.signature && held.keyId === record.keyId && held.sha256 === record.sha256 && held.sizeBytes === record.sizeBytes) continue;
      const key = await this.keys.get(record.keyId);
      let ok = false;
      if (key !== undefined) {
        const startedMs = this.clock.now();
        ok = await this.crypto.verifyEd25519(key, recordSigningPayload(this.swarmId, record), fromBase64Url(record.signature)).catch(() => false);
        this.signatureMs += this.clock.now() - startedMs;
        this.signaturesChecked += 1;
      }
      if (!ok) {
        this.rejected += 1;
        continue;
      }
      const k = segmentKey(record);
      setBounded(this.records, k, record, this.capacity);
      const waiters = this.waiters.get(k);
      if (waiters) for (const wake of [...waiters]) wake();
    }
  }

  /** Resolves once the record of `ref` is held, or at `untilMs` (then false). */
  waitFor(ref: SegmentRef, untilMs: number, signal: AbortSignal): Promise<boolean> {
    const k = segmentKey(ref);
    if (this.has(ref)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let set = this.waiters.get(k);
      if (!set) this.waiters.set(k, (set = new Set()));
      const waiters = set;
      const wake = (): void => {
        this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        waiters.delete(wake);
        if (waiters.size === 0) this.waiters.delete(k);
        resolve(this.has(ref));
      };
      const timer = this.clock.setTimeout(wake, Math.max(0, untilMs - this.clock.now()));
      signal.addEventListener('abort', wake);
      waiters.add(wake);
    });
  }

  /** Compares size and SHA-256 with the record (or VOD list entry); 'no-record' if none is held. */
  async verify(ref: SegmentRef, bytes: Uint8Array): Promise<Verdict> {
    const record = this.expected(ref);
    if (!record) return 'no-record';
    if (record.sizeBytes !== bytes.length) return 'mismatch';
    const startedMs = this.clock.now();
    const digest = await this.crypto.sha256(bytes);
    this.hashMs += this.clock.now() - startedMs;
    this.segmentsHashed += 1;
    return toHex(digest) === record.sha256 ? 'ok' : 'mismatch';
  }

  clear(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
    this.records.clear();
    this.lists.clear();
  }

  /** A signed record wins over a list entry (it may be newer). */
  private expected(ref: SegmentRef): Expected | undefined {
    return this.records.get(segmentKey(ref)) ?? this.lists.get(ref.rendition)?.get(ref.sn);
  }
}
