import { MAX_LIVE_RECORDS_BYTES, parseLiveRecords, type SegmentRecord, type SegmentRef } from '@swarmcast/protocol';
import { fetchBoundedText } from './bounded-fetch.js';
import type { Clock, HttpPort, TimerHandle } from './ports.js';

/** Least wait between two fetches of one rendition's document (it is cacheable for a second). */
const REFETCH_MS = 500;
/** Renditions and segments wanted at once; past them, wants are dropped (the segment goes to HTTP). */
const MAX_RENDITIONS = 16;
const MAX_WANTED_PER_RENDITION = 64;

export interface LiveRecordsFetcherHost {
  readonly http: HttpPort;
  readonly clock: Clock;
  /** GET `${url}?swarm=...&rendition=...&from=SN` (integrityRecordsUrl). */
  readonly url: string;
  readonly swarmId: string;
  /** Whether the record of ref is held already. */
  has(ref: SegmentRef): boolean;
  /** Checks the records' signatures and keeps the good ones (RecordBook.add). */
  add(records: readonly SegmentRecord[]): Promise<void>;
}

interface RenditionWants {
  /** sn -> until when it is wanted (clock ms). */
  readonly sns: Map<number, number>;
  inFlight: boolean;
  lastFetchMs: number;
  // TimerHandle is unknown: undefined stands for "none" through the `timer === undefined` checks.
  timer: TimerHandle;
}

/**
 * Fetches live segment records over HTTP, for the time the tracker cannot send them (it is down):
 * the latest records of a rendition in one small document, fetched while a segment of it waits for
 * its record, at most every REFETCH_MS. The document is not trusted: every record in it is checked
 * against the signing keys like one from the tracker.
 */
export class LiveRecordsFetcher {
  /** Documents fetched and parsed. */
  fetched = 0;
  /** Fetches that failed: network, non-2xx, too large or invalid. */
  failed = 0;
  readonly #host: LiveRecordsFetcherHost;
  readonly #wants = new Map<string, RenditionWants>();
  readonly #lifetime = new AbortController();

  constructor(host: LiveRecordsFetcherHost) {
    this.#host = host;
  }

  /** Asks for the record of ref until untilMs (clock ms); fetches at once unless one just went. */
  want(ref: SegmentRef, untilMs: number): void {
    if (this.#lifetime.signal.aborted || this.#host.has(ref)) return;
    let wants = this.#wants.get(ref.rendition);
    if (wants === undefined) {
      if (this.#wants.size >= MAX_RENDITIONS) return;
      wants = { sns: new Map(), inFlight: false, lastFetchMs: -Infinity, timer: undefined };
      this.#wants.set(ref.rendition, wants);
    }
    if (!wants.sns.has(ref.sn) && wants.sns.size >= MAX_WANTED_PER_RENDITION) return;
    wants.sns.set(ref.sn, Math.max(untilMs, wants.sns.get(ref.sn) ?? 0));
    this.#schedule(ref.rendition, wants);
  }

  destroy(): void {
    this.#lifetime.abort();
    for (const wants of this.#wants.values()) if (wants.timer !== undefined) this.#host.clock.clearTimeout(wants.timer);
    this.#wants.clear();
  }

  /** Drops sns held or past their time; forgets the rendition when none is left. */
  #prune(rendition: string, wants: RenditionWants): boolean {
    const nowMs = this.#host.clock.now();
    for (const [sn, untilMs] of wants.sns) if (untilMs <= nowMs || this.#host.has({ rendition, sn })) wants.sns.delete(sn);
    if (wants.sns.size > 0) return true;
    if (!wants.inFlight && wants.timer === undefined) this.#wants.delete(rendition);
    return false;
  }

  #schedule(rendition: string, wants: RenditionWants): void {
    if (wants.inFlight || wants.timer !== undefined || !this.#prune(rendition, wants)) return;
    const waitMs = wants.lastFetchMs + REFETCH_MS - this.#host.clock.now();
    if (waitMs <= 0) {
      this.#fetch(rendition, wants);
      return;
    }
    wants.timer = this.#host.clock.setTimeout(() => {
      wants.timer = undefined;
      this.#schedule(rendition, wants);
    }, waitMs);
  }

  #fetch(rendition: string, wants: RenditionWants): void {
    const { http, clock, url, swarmId } = this.#host;
    wants.inFlight = true;
    wants.lastFetchMs = clock.now();
    // From the lowest sn wanted: the server answers a few records from there (and players at the same
    // position share the URL, so a CDN's cache serves them).
    const fromSn = Math.min(...wants.sns.keys());
    const docUrl = `${url}?swarm=${encodeURIComponent(swarmId)}&rendition=${encodeURIComponent(rendition)}&from=${fromSn}`;
    fetchBoundedText(http, docUrl, MAX_LIVE_RECORDS_BYTES, this.#lifetime.signal)
      .then(async (text) => {
        const doc = parseLiveRecords(text);
        if (doc.swarm !== swarmId || doc.rendition !== rendition) throw new Error('live records of another swarm or rendition');
        this.fetched += 1;
        await this.#host.add(doc.records);
      })
      .catch(() => {
        // A 404 (nothing signed yet), a network failure or a bad document: tried again while wanted.
        if (!this.#lifetime.signal.aborted) this.failed += 1;
      })
      .finally(() => {
        wants.inFlight = false;
        if (!this.#lifetime.signal.aborted) this.#schedule(rendition, wants);
      });
  }
}
