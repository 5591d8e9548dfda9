import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LIMITS, MAX_VOD_LIST_SEGMENTS } from '@swarmcast/protocol';
import type { VodListEntry } from '@swarmcast/protocol';
import { IntegrityError, asIntegrityError } from './errors.js';
import { fetchLimited } from './fetch-limited.js';
import type { SigningKey } from './keys.js';
import { parseMpd } from './mpd-parser.js';
import type { MpdRepresentation, MpdSegment, ParsedMpd } from './mpd-parser.js';
import type { WatcherConfig, WatcherHooks } from './rendition-watcher.js';
import { signRecord } from './signer.js';
import { backoffMs, isAborted, sleep } from './sleep.js';
import { swarmIdFromUrl } from './stream-ids.js';

/**
 * Watches one DASH stream (a static MPD): reads the MPD (retried with backoff until it parses),
 * then hashes and signs every media segment of every SegmentTemplate representation, in order, a
 * few attempts each, and hands each complete representation over as a signed VOD list. Dynamic
 * (live) MPDs are reported as unsupported. Init segments are not signed (players fetch them over HTTP).
 */
export class MpdWatcher {
  readonly url: string;
  readonly swarm: string;
  readonly #key: SigningKey;
  readonly #config: WatcherConfig;
  readonly #hooks: WatcherHooks;
  readonly #controller = new AbortController();
  #renditions = 0;
  #running: Promise<void> | undefined;

  constructor(url: string, key: SigningKey, config: WatcherConfig, hooks: WatcherHooks) {
    this.url = url;
    this.swarm = swarmIdFromUrl(url);
    this.#key = key;
    this.#config = config;
    this.#hooks = hooks;
  }

  /** Representations found so far. */
  get renditionCount(): number {
    return this.#renditions;
  }

  /** Starts watching; idempotent. */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Aborts every request and timer; resolves once the loop has ended. Idempotent. */
  async close(): Promise<void> {
    this.#controller.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#controller.signal;
    let failures = 0;
    let mpd: ParsedMpd | undefined;
    while (mpd === undefined && !signal.aborted) {
      try {
        const limits = { maxBytes: this.#config.maxPlaylistBytes, timeoutMs: this.#config.playlistTimeoutMs };
        const body = await fetchLimited(this.url, 'playlist', limits, signal);
        mpd = parseMpd(new TextDecoder().decode(body.bytes), body.url);
      } catch (error) {
        if (isAborted(signal)) return;
        this.#hooks.error(asIntegrityError(error, this.url));
        failures += 1;
        await sleep(backoffMs(failures, this.#config.retryMinMs, this.#config.retryMaxMs), signal);
      }
    }
    if (mpd === undefined) return;
    if (mpd.dynamic) {
      this.#hooks.error(new IntegrityError('PLAYLIST_INVALID', 'MPD: dynamic (live) MPDs are not signed yet', { url: this.url }));
      return;
    }
    this.#renditions = mpd.representations.length;
    for (const rep of mpd.representations) {
      if (isAborted(signal)) return;
      await this.#signRepresentation(rep, signal);
    }
  }

  async #signRepresentation(rep: MpdRepresentation, signal: AbortSignal): Promise<void> {
    const keep = this.#config.maxVodRecords;
    const segments = rep.segments.slice(0, keep);
    if (rep.segments.length > keep) {
      const message = `MPD representation ${rep.id} lists ${rep.segments.length} segments; only the first ${keep} (maxVodRecords) are signed`;
      this.#hooks.error(new IntegrityError('VOD_TOO_LONG', message, { url: this.url }));
    }
    const entries: VodListEntry[] = [];
    let complete = true;
    for (const segment of segments) {
      const entry = await this.#signWithRetries(rep.rendition, segment, keep, signal);
      if (entry === undefined) {
        if (isAborted(signal)) return;
        complete = false;
      } else entries.push(entry);
    }
    if (complete && entries.length > 0 && entries.length <= MAX_VOD_LIST_SEGMENTS) this.#hooks.vodComplete?.(this.swarm, rep.rendition, entries);
  }

  async #signWithRetries(rendition: string, segment: MpdSegment, keep: number, signal: AbortSignal): Promise<VodListEntry | undefined> {
    for (let attempt = 1; attempt <= this.#config.segmentAttempts; attempt++) {
      try {
        const limits = { maxBytes: LIMITS.maxSegmentBytes, timeoutMs: this.#config.segmentTimeoutMs };
        const { bytes } = await fetchLimited(segment.url, 'segment', limits, signal);
        if (bytes.byteLength === 0) throw new IntegrityError('SEGMENT_FETCH_FAILED', 'empty segment', { url: segment.url });
        const t0 = performance.now();
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const t1 = performance.now();
        const record = signRecord(this.swarm, { rendition, sn: segment.sn, sizeBytes: bytes.byteLength, sha256 }, this.#key);
        this.#hooks.signed(bytes.byteLength, t1 - t0, performance.now() - t1);
        this.#hooks.record(this.swarm, record, keep);
        return [record.sn, record.sizeBytes, record.sha256];
      } catch (error) {
        if (isAborted(signal)) return undefined;
        this.#hooks.error(asIntegrityError(error, segment.url));
        if (attempt < this.#config.segmentAttempts) await sleep(backoffMs(attempt, this.#config.retryMinMs, this.#config.retryMaxMs), signal);
      }
    }
    return undefined;
  }
}
