import { fromBase64Url, recordSigningPayload, toHex, type IntegrityKey, type SegmentRecord, type SegmentRef } from '@swarmcast/protocol';
import type { Clock, CryptoPort, PublicKeyHandle } from './ports.js';
import { segmentKey } from './segment-id.js';

/** Outcome of checking a segment's bytes against its signed record. */
export type Verdict = 'ok' | 'mismatch' | 'no-record';

/**
 * Signed segment records, kept once their signature checks out against a trusted key. Answers
 * whether a segment's bytes are the ones the integrity authority saw at the origin.
 */
export class RecordBook {
  private readonly records = new Map<string, SegmentRecord>();
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
    return this.records.has(segmentKey(ref));
  }

  /** Checks each record's signature; keeps the good ones and wakes whoever waits for them. */
  async add(records: readonly SegmentRecord[]): Promise<void> {
    for (const record of records) {
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
      this.records.delete(k);
      this.records.set(k, record);
      if (this.records.size > this.capacity) {
        const oldest = this.records.keys().next().value;
        if (oldest !== undefined) this.records.delete(oldest);
      }
      const waiters = this.waiters.get(k);
      if (waiters) for (const wake of [...waiters]) wake();
    }
  }

  /** Resolves once the record of `ref` is held, or at `untilMs` (then false). */
  waitFor(ref: SegmentRef, untilMs: number, signal: AbortSignal): Promise<boolean> {
    const k = segmentKey(ref);
    if (this.records.has(k)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let set = this.waiters.get(k);
      if (!set) this.waiters.set(k, (set = new Set()));
      const waiters = set;
      const wake = (): void => {
        this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        waiters.delete(wake);
        if (waiters.size === 0) this.waiters.delete(k);
        resolve(this.records.has(k));
      };
      const timer = this.clock.setTimeout(wake, Math.max(0, untilMs - this.clock.now()));
      signal.addEventListener('abort', wake);
      waiters.add(wake);
    });
  }

  /** Compares size and SHA-256 with the record; 'no-record' if none is held. */
  async verify(ref: SegmentRef, bytes: Uint8Array): Promise<Verdict> {
    const record = this.records.get(segmentKey(ref));
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
  }
}
