import { MAX_VOD_LIST_BYTES, isPartRenditionId, parseVodList, type IntegrityKey, type SegmentRecord, type SegmentRef } from '@swarmcast/protocol';
import { fetchBoundedText } from './bounded-fetch.js';
import { integrityListUrlOf, type EngineConfig } from './config.js';
import { LiveRecordsFetcher } from './live-records-fetcher.js';
import type { Clock, CryptoPort, HttpPort } from './ports.js';
import { RecordBook, type Verdict } from './record-book.js';
import { segmentKey } from './segment-id.js';

/** Most renditions asked a VOD list over the gate's life, and init-segment renditions remembered. */
const MAX_LIST_RENDITIONS = 256;
/** How long a record asked for over HTTP at the start of a P2P download stays wanted. */
const LIVE_RECORD_WANT_MS = 10_000;
/** Records asked of the tracker and not answered yet, remembered so each is asked once. */
const MAX_RECORDS_ASKED = 1024;

/** What the gate needs of the tracker connection. */
export interface IntegrityTracker {
  readonly isConnected: boolean;
  requestRecords(rendition: string, sns: number[]): void;
}

export type IntegrityGateConfig = Pick<EngineConfig, 'swarmId' | 'integrity' | 'integrityPublicKeys' | 'integrityListUrl' | 'integrityRecordsUrl' | 'trackerUrl' | 'maxRecords'>;

/**
 * Where peers' bytes are checked before the player sees them: the signed records (from the tracker,
 * a signed VOD list, or live records over HTTP while the tracker is down) and the verdict on bytes.
 */
export class IntegrityGate {
  /** Segments from peers that matched their record; bytes of peers checked without a record. */
  segmentsVerified = 0;
  segmentsUnverifiable = 0;
  vodListsFetched = 0;
  readonly records: RecordBook;
  readonly #config: IntegrityGateConfig;
  readonly #http: HttpPort;
  readonly #clock: Clock;
  readonly #tracker: IntegrityTracker;
  readonly #listUrl: string;
  readonly #liveRecords: LiveRecordsFetcher | undefined;
  readonly #recordsAsked = new Set<string>();
  /** Renditions whose VOD list was asked for (fetched, pending, or 'no list'), so each is asked once. */
  readonly #listsAsked = new Set<string>();
  /** Init segments' pseudo-renditions (bounded): they have no VOD list. */
  readonly #initRenditions = new Set<string>();
  /** Aborts list fetches on destroy(). */
  readonly #lifetime = new AbortController();

  constructor(config: IntegrityGateConfig, ports: { http: HttpPort; clock: Clock; crypto: CryptoPort }, tracker: IntegrityTracker) {
    this.#config = config;
    this.#http = ports.http;
    this.#clock = ports.clock;
    this.#tracker = tracker;
    this.#listUrl = integrityListUrlOf(config);
    this.records = new RecordBook(config.swarmId, ports.crypto, ports.clock, config.maxRecords);
    if (config.integrityPublicKeys.length > 0) this.records.setKeys(config.integrityPublicKeys);
    const recordsUrl = config.integrityRecordsUrl;
    if (recordsUrl !== undefined && config.integrity === 'required') {
      this.#liveRecords = new LiveRecordsFetcher({
        http: ports.http,
        clock: ports.clock,
        url: recordsUrl,
        swarmId: config.swarmId,
        has: (ref) => this.records.has(ref),
        add: (records) => this.records.add(records),
      });
    }
  }

  get liveRecordFetches(): number {
    return this.#liveRecords?.fetched ?? 0;
  }

  get liveRecordFetchFailures(): number {
    return this.#liveRecords?.failed ?? 0;
  }

  /** The tracker's keys; pinned keys win (a player configured with its stream's key ignores the tracker's). */
  trackerKeys(keys: readonly IntegrityKey[]): void {
    if (this.#config.integrityPublicKeys.length === 0) this.records.setKeys(keys);
  }

  /** Records the tracker sent; signatures are checked in the RecordBook. */
  trackerRecords(records: readonly SegmentRecord[]): Promise<void> {
    for (const r of records) this.#recordsAsked.delete(segmentKey(r));
    return this.records.add(records);
  }

  /** The player asked for an init segment of this pseudo-rendition: it has no VOD list. */
  initSegment(rendition: string): void {
    if (this.#initRenditions.size >= MAX_LIST_RENDITIONS) this.#initRenditions.clear();
    this.#initRenditions.add(rendition);
  }

  /**
   * Whether bytes of `ref` from peers could reach the player: with integrity required, only when its
   * signed record is held or can still come. Records come through the tracker, and while it is down
   * over HTTP from integrityRecordsUrl when set. Without either, a segment without a record is
   * fetched over HTTP at once, not downloaded from peers only to be thrown away after waiting for a
   * record until the HTTP safety margin (a wait that, near the end of a live window, let the segment
   * leave the origin's playlist before the HTTP fallback asked for it).
   */
  p2pAllowed(ref: SegmentRef): boolean {
    if (this.#config.integrity === 'off') return true;
    if (!this.records.hasKeys) return false;
    if (this.records.has(ref) || this.#tracker.isConnected) return true;
    if (this.#liveRecords === undefined) return false;
    // Asked for now, so the record comes while the bytes do (want() is idempotent).
    this.#liveRecords.want(ref, this.#clock.now() + LIVE_RECORD_WANT_MS);
    return true;
  }

  /** Checks bytes of `ref` from peers against its record, waiting for the record until untilMs. */
  async verify(ref: SegmentRef, bytes: Uint8Array, untilMs: number, signal: AbortSignal): Promise<Verdict> {
    if (this.#config.integrity === 'off') return 'ok';
    if (!this.records.has(ref) && (this.#tracker.isConnected || this.#liveRecords !== undefined)) {
      // Over HTTP too when set: a tracker just restarted may not hold the records its sidecar has yet.
      this.#liveRecords?.want(ref, untilMs);
      if (this.#tracker.isConnected) {
        const key = segmentKey(ref);
        if (!this.#recordsAsked.has(key)) {
          if (this.#recordsAsked.size > MAX_RECORDS_ASKED) this.#recordsAsked.clear();
          this.#recordsAsked.add(key);
          this.#tracker.requestRecords(ref.rendition, [ref.sn]);
        }
        // Init segments and LL-HLS parts have no VOD list.
        if (!this.#initRenditions.has(ref.rendition) && !isPartRenditionId(ref.rendition)) this.#fetchVodList(ref.rendition);
      }
      await this.records.waitFor(ref, untilMs, signal);
    }
    const verdict = await this.records.verify(ref, bytes);
    if (verdict === 'ok') this.segmentsVerified += 1;
    else if (verdict === 'no-record') this.segmentsUnverifiable += 1;
    return verdict;
  }

  destroy(): void {
    this.#lifetime.abort();
    this.#liveRecords?.destroy();
    this.records.clear();
  }

  /**
   * Fetches the signed VOD list of `rendition` once, in the background; waiters wake when it is
   * verified. A 404 (live streams have none), a bad list or any failure leaves it 'no list' for good.
   */
  #fetchVodList(rendition: string): void {
    // Bounded without forgetting: past MAX_LIST_RENDITIONS renditions, records only.
    if (this.#listsAsked.has(rendition) || this.#listsAsked.size >= MAX_LIST_RENDITIONS) return;
    this.#listsAsked.add(rendition);
    const url = `${this.#listUrl}?swarm=${encodeURIComponent(this.#config.swarmId)}&rendition=${encodeURIComponent(rendition)}`;
    const lifetime = this.#lifetime.signal;
    fetchBoundedText(this.#http, url, MAX_VOD_LIST_BYTES, lifetime)
      .then(async (text) => {
        const list = parseVodList(text);
        if (list.rendition !== rendition || lifetime.aborted) return;
        if (await this.records.addVerifiedList(list)) this.vodListsFetched += 1;
      })
      .catch(() => {
        // No list: a live stream, a tracker without one, or a list that does not parse.
      });
  }
}
