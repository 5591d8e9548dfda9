import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { INIT_SEGMENT_SN, LIMITS, MAX_PARTS_PER_SEGMENT, MAX_VOD_LIST_SEGMENTS, partRenditionId, renditionIdFromUrl, type ResourceRange } from '@swarmcast/protocol';
import type { SegmentRecord, VodListEntry } from '@swarmcast/protocol';
import type { IntegrityAuthorityConfig } from './config.js';
import { IntegrityError, asIntegrityError } from './errors.js';
import { fetchLimited } from './fetch-limited.js';
import type { SigningKey } from './keys.js';
import { parsePlaylist } from './playlist-parser.js';
import type { InitSegmentEntry, MediaPlaylist, MediaSegmentEntry, PartEntry } from './playlist-parser.js';
import { signRecord } from './signer.js';
import { backoffMs, isAborted, sleep } from './sleep.js';

export type WatcherConfig = Pick<
  IntegrityAuthorityConfig,
  | 'playlistTimeoutMs'
  | 'segmentTimeoutMs'
  | 'maxPlaylistBytes'
  | 'liveHistoryRecords'
  | 'maxVodRecords'
  | 'minPollIntervalMs'
  | 'retryMinMs'
  | 'retryMaxMs'
  | 'segmentAttempts'
>;

/** How watchers report to their authority. */
export interface WatcherHooks {
  /** A new record; keep is how many records of its rendition to hold. */
  record(swarm: string, record: SegmentRecord, keepPerRendition: number): void;
  /** Cost of one segment, for the stats. */
  signed(sizeBytes: number, hashMs: number, signMs: number): void;
  /** Segments seen for the first time that cannot be signed (see MediaPlaylist.unsupported). */
  unsupported(count: number): void;
  error(error: IntegrityError): void;
  /**
   * A VOD (EXT-X-ENDLIST) rendition is done and every segment in it was signed: its entries
   * [sn, sizeBytes, sha256] in playlist order. Not called when a segment could not be signed.
   */
  vodComplete?(swarm: string, rendition: string, segments: readonly VodListEntry[]): void;
}

/** A parsed media playlist and the URL it came from after redirects. */
export interface FetchedPlaylist {
  readonly playlist: MediaPlaylist;
  readonly finalUrl: string;
}

/** What a segment's sn maps to once handled: its source (URL + range) when signed, or how often it failed. */
type SegmentState = { url: string; signed: true; entry: VodListEntry } | { url: string; signed: false; failures: number };

/** An init segment's signing so far, by its rendition id. */
type InitState = { signed: true } | { signed: false; failures: number };

/**
 * A blocking playlist request (LL-HLS) that came back this soon after the previous one is not
 * repeated at once: a server that claims CAN-BLOCK-RELOAD but does not hold must not be hammered.
 */
const MIN_BLOCKING_INTERVAL_MS = 100;

/** The URL and range of a segment as one string: an sn whose source changes is signed again. */
function sourceOf(segment: { readonly url: string; readonly range?: ResourceRange }): string {
  return segment.range === undefined ? segment.url : `${segment.url} ${segment.range.startBytes}-${segment.range.endBytes}`;
}

/**
 * Polls one media playlist and signs every segment not seen yet. Live playlists are polled every
 * targetDuration / 2; VOD (EXT-X-ENDLIST) ones are hashed once, fully, in order, and then left.
 */
export class RenditionWatcher {
  readonly swarm: string;
  /** The URL the playlist is requested at. */
  readonly url: string;
  readonly #key: SigningKey;
  readonly #config: WatcherConfig;
  readonly #hooks: WatcherHooks;
  readonly #signal: AbortSignal;
  readonly #segments = new Map<number, SegmentState>();
  /** Init segments of the current playlist, by rendition id (entries the playlist drops are dropped). */
  readonly #inits = new Map<string, InitState>();
  /** LL-HLS parts, by sn x MAX_PARTS_PER_SEGMENT + index (exact: sn < 2^32): what was signed, or how often it failed. */
  readonly #parts = new Map<number, SegmentState>();
  /** The next part a live LL-HLS playlist is asked for with a blocking request; undefined: plain polling. */
  #nextPart: { msn: number; part: number } | undefined;
  #rendition: string;
  #lastMediaSequence = -1;
  #vodTooLongReported = false;

  constructor(swarm: string, url: string, key: SigningKey, config: WatcherConfig, hooks: WatcherHooks, signal: AbortSignal) {
    this.swarm = swarm;
    this.url = url;
    this.#rendition = renditionIdFromUrl(url);
    this.#key = key;
    this.#config = config;
    this.#hooks = hooks;
    this.#signal = signal;
  }

  /**
   * The rendition id: from the playlist's URL after redirects, as hls.js names a fragment's
   * playlist (frag.baseurl), so it may change when the redirect does.
   */
  get rendition(): string {
    return this.#rendition;
  }

  /** Runs until the signal aborts or a VOD playlist is done; never rejects. `first` saves a fetch. */
  async run(first?: FetchedPlaylist): Promise<void> {
    let playlist = first;
    let failures = 0;
    while (!this.#signal.aborted) {
      const startedMs = performance.now();
      try {
        playlist ??= await this.#fetchPlaylist();
        failures = 0;
      } catch (error) {
        if (isAborted(this.#signal)) return;
        this.#report(error);
        failures += 1;
        // The server may not hold requests as it claimed: plain polling until a playlist comes.
        this.#nextPart = undefined;
        await sleep(backoffMs(failures, this.#config.retryMinMs, this.#config.retryMaxMs), this.#signal);
        continue;
      }
      const pending = await this.#signNew(playlist);
      const { endList, targetDurationSec, partTargetSec } = playlist.playlist;
      if (endList && pending === 0) {
        this.#completeVod(playlist);
        return;
      }
      this.#nextPart = endList ? undefined : nextPartOf(playlist.playlist);
      // LL-HLS: parts are wanted within a part duration; a blocking request returns as the next one appears.
      const waitMs = endList ? this.#config.retryMinMs : this.#livePollMs(targetDurationSec, partTargetSec) - (performance.now() - startedMs);
      playlist = undefined;
      await sleep(Math.max(0, waitMs), this.#signal);
    }
  }

  /** How often a live playlist is read, from the start of one read to the next. */
  #livePollMs(targetDurationSec: number, partTargetSec: number | undefined): number {
    // LL-HLS with blocking reload: the server holds the request until the next part exists.
    if (this.#nextPart !== undefined) return MIN_BLOCKING_INTERVAL_MS;
    // LL-HLS polled: parts are wanted within a part duration.
    if (partTargetSec !== undefined) return Math.min(this.#config.minPollIntervalMs, (partTargetSec * 1000) / 2);
    return Math.max(this.#config.minPollIntervalMs, (targetDurationSec * 1000) / 2);
  }

  async #fetchPlaylist(): Promise<FetchedPlaylist> {
    const limits = { maxBytes: this.#config.maxPlaylistBytes, timeoutMs: this.#config.playlistTimeoutMs };
    const next = this.#nextPart;
    let url = this.url;
    if (next !== undefined) {
      const blocking = new URL(this.url);
      blocking.searchParams.set('_HLS_msn', String(next.msn));
      blocking.searchParams.set('_HLS_part', String(next.part));
      url = blocking.href;
    }
    const body = await fetchLimited(url, 'playlist', limits, this.#signal);
    const playlist = parsePlaylist(new TextDecoder().decode(body.bytes), body.url);
    if (playlist.kind !== 'media') throw new IntegrityError('PLAYLIST_INVALID', 'expected a media playlist, got a master playlist', { url: this.url });
    return { playlist, finalUrl: body.url };
  }

  /** Signs what is new in playlist; returns how many segments are left to retry. */
  async #signNew({ playlist, finalUrl }: FetchedPlaylist): Promise<number> {
    const rendition = renditionIdFromUrl(finalUrl);
    if (rendition !== this.#rendition) {
      this.#rendition = rendition;
      this.#segments.clear();
      this.#parts.clear();
    }
    // A sequence that went back means the packager restarted: old sns may now name other bytes.
    if (playlist.mediaSequence < this.#lastMediaSequence) {
      this.#segments.clear();
      this.#parts.clear();
    }
    this.#lastMediaSequence = playlist.mediaSequence;
    const keep = playlist.endList ? this.#config.maxVodRecords : this.#config.liveHistoryRecords;
    let candidates = playlist.segments;
    if (playlist.endList && candidates.length > keep) {
      candidates = candidates.slice(0, keep);
      if (!this.#vodTooLongReported) {
        this.#vodTooLongReported = true;
        const message = `VOD playlist lists ${playlist.segments.length} segments; only the first ${keep} (maxVodRecords) are signed`;
        this.#report(new IntegrityError('VOD_TOO_LONG', message, { url: this.url }));
      }
    } else if (!playlist.endList) {
      // Older segments of a long live window would only be evicted from the history again.
      candidates = candidates.slice(-keep);
      for (const sn of this.#segments.keys()) if (sn < playlist.mediaSequence) this.#segments.delete(sn);
    }
    this.#countUnsupported(playlist.unsupported);
    let pending = await this.#signInits(playlist.inits);
    // Parts first: a viewer at the live edge wants the newest one within a part duration.
    if (!playlist.endList) pending += await this.#signParts(playlist.parts, playlist.mediaSequence, keep);
    for (const segment of candidates) {
      if (isAborted(this.#signal)) return pending;
      if (await this.#signOnce(this.#segments, segment.sn, segment, this.#rendition, keep)) pending += 1;
    }
    return pending;
  }

  /**
   * Signs `segment` under {rendition, its sn} unless `states` says it is signed or given up for its
   * current source; records the outcome under `key`. Returns true when it failed and will be retried.
   */
  async #signOnce(states: Map<number, SegmentState>, key: number, segment: MediaSegmentEntry, rendition: string, keep: number): Promise<boolean> {
    const state = states.get(key);
    const source = sourceOf(segment);
    if (state?.url === source && (state.signed || state.failures >= this.#config.segmentAttempts)) return false;
    const failures = state?.url === source && !state.signed ? state.failures : 0;
    try {
      const record = await this.#sign(segment, rendition);
      this.#hooks.record(this.swarm, record, keep);
      states.set(key, { url: source, signed: true, entry: [record.sn, record.sizeBytes, record.sha256] });
      return false;
    } catch (error) {
      if (isAborted(this.#signal)) return false;
      this.#report(error);
      states.set(key, { url: source, signed: false, failures: failures + 1 });
      return failures + 1 < this.#config.segmentAttempts;
    }
  }

  /** Hands the whole VOD list to the authority, if every segment it covers was signed. */
  #completeVod({ playlist }: FetchedPlaylist): void {
    if (this.#hooks.vodComplete === undefined || playlist.unsupported.length > 0) return;
    const entries: VodListEntry[] = [];
    for (const segment of playlist.segments.slice(0, Math.min(this.#config.maxVodRecords, MAX_VOD_LIST_SEGMENTS))) {
      const state = this.#segments.get(segment.sn);
      if (state?.url !== sourceOf(segment) || !state.signed) return;
      entries.push(state.entry);
    }
    if (entries.length > 0) this.#hooks.vodComplete(this.swarm, this.#rendition, entries);
  }

  /**
   * Signs each init segment not signed yet, as {its rendition id, INIT_SEGMENT_SN}, one record kept
   * per id (its bytes never change under one URL + range). Returns how many are left to retry.
   */
  async #signInits(inits: readonly InitSegmentEntry[]): Promise<number> {
    const current = new Set(inits.map((i) => i.rendition));
    for (const id of this.#inits.keys()) if (!current.has(id)) this.#inits.delete(id);
    let pending = 0;
    for (const init of inits) {
      if (isAborted(this.#signal)) return pending;
      const state = this.#inits.get(init.rendition);
      if (state !== undefined && (state.signed || state.failures >= this.#config.segmentAttempts)) continue;
      const failures = state?.signed === false ? state.failures : 0;
      try {
        const record = await this.#sign({ sn: INIT_SEGMENT_SN, url: init.url, ...(init.range ? { range: init.range } : {}) }, init.rendition);
        this.#hooks.record(this.swarm, record, 1);
        this.#inits.set(init.rendition, { signed: true });
      } catch (error) {
        if (isAborted(this.#signal)) return pending;
        this.#report(error);
        this.#inits.set(init.rendition, { signed: false, failures: failures + 1 });
        if (failures + 1 < this.#config.segmentAttempts) pending += 1;
      }
    }
    return pending;
  }

  /**
   * Signs each LL-HLS part not signed yet as {partRenditionId(rendition, index), parent sn}; forgets
   * parts of segments that left the window. Returns how many are left to retry.
   */
  async #signParts(parts: readonly PartEntry[], mediaSequence: number, keep: number): Promise<number> {
    for (const key of this.#parts.keys()) if (Math.floor(key / MAX_PARTS_PER_SEGMENT) < mediaSequence) this.#parts.delete(key);
    let pending = 0;
    for (const part of parts) {
      if (isAborted(this.#signal)) return pending;
      const key = part.sn * MAX_PARTS_PER_SEGMENT + part.index;
      if (await this.#signOnce(this.#parts, key, part, partRenditionId(this.#rendition, part.index), keep)) pending += 1;
    }
    return pending;
  }

  async #sign(segment: MediaSegmentEntry, rendition = this.#rendition): Promise<SegmentRecord> {
    const limits = { maxBytes: LIMITS.maxSegmentBytes, timeoutMs: this.#config.segmentTimeoutMs };
    const { bytes } = await fetchLimited(segment.url, 'segment', limits, this.#signal, segment.range);
    if (bytes.byteLength === 0) throw new IntegrityError('SEGMENT_FETCH_FAILED', 'empty segment', { url: segment.url });
    const t0 = performance.now();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const t1 = performance.now();
    const record = signRecord(this.swarm, { rendition, sn: segment.sn, sizeBytes: bytes.byteLength, sha256 }, this.#key);
    this.#hooks.signed(bytes.byteLength, t1 - t0, performance.now() - t1);
    return record;
  }

  #countUnsupported(sns: readonly number[]): void {
    let fresh = 0;
    for (const sn of sns) {
      if (this.#segments.has(sn)) continue;
      // Marked as given up, so the next poll neither counts nor tries it again.
      this.#segments.set(sn, { url: '', signed: false, failures: Number.POSITIVE_INFINITY });
      fresh += 1;
    }
    if (fresh > 0) this.#hooks.unsupported(fresh);
  }

  #report(error: unknown): void {
    this.#hooks.error(asIntegrityError(error, this.url));
  }
}

/**
 * The part a blocking reload asks for next (the one after the last listed, as hls.js does; a
 * server reads an index past the segment's last as the next segment's first part), or undefined
 * when the playlist cannot block or lists no part.
 */
function nextPartOf(playlist: MediaPlaylist): { msn: number; part: number } | undefined {
  const last = playlist.lastPart;
  if (!playlist.canBlockReload || last === undefined) return undefined;
  return { msn: last.sn, part: last.index + 1 };
}
