import type { IntegrityKey, SegmentRecord, VodList } from '@swarmcast/protocol';
import { resolveAuthorityConfig } from './config.js';
import type { IntegrityAuthorityConfig, IntegrityAuthorityOptions } from './config.js';
import { FETCH_ERROR_CODES } from './errors.js';
import type { IntegrityError, IntegrityErrorCode } from './errors.js';
import { loadSigningKey } from './keys.js';
import type { SigningKey } from './keys.js';
import { isMpdUrl } from './mpd-parser.js';
import { MpdWatcher } from './mpd-watcher.js';
import { MAX_VARIANTS } from './playlist-parser.js';
import { PlaylistWatcher } from './playlist-watcher.js';
import type { WatcherHooks } from './rendition-watcher.js';
import { RecordStore } from './record-store.js';
import { signVodList } from './signer.js';

/** Counters since start; times are sums in milliseconds. */
export interface IntegrityAuthorityStats {
  streams: number;
  /** Renditions found so far across all streams. */
  renditions: number;
  segmentsSigned: number;
  bytesHashed: number;
  /** Time spent in SHA-256, summed. */
  hashMs: number;
  /** Time spent in Ed25519 signing, summed. */
  signMs: number;
  /** Failed or refused playlist and segment requests (network, HTTP status, size, timeout). */
  fetchErrors: number;
  /** Segments that cannot be signed (non-http URIs, SAMPLE-AES / DRM keys: see MediaPlaylist.unsupported), each counted once. */
  unsupportedSegments: number;
  /** Records held now. */
  recordsHeld: number;
  /** Every reported error, by code. */
  errors: Partial<Record<IntegrityErrorCode, number>>;
}

/** Receives the records of one swarm, in the order they were signed. */
export type RecordsListener = (swarm: string, records: readonly SegmentRecord[]) => void;
export type ErrorListener = (error: IntegrityError) => void;

/**
 * Hashes and signs every segment of the configured streams as it appears at the origin, keeps a
 * bounded history, and tells listeners about each new record. Listeners that throw are logged and
 * cannot break the authority.
 */
export class IntegrityAuthority {
  readonly config: Readonly<IntegrityAuthorityConfig>;
  readonly #key: SigningKey;
  readonly #store: RecordStore;
  readonly #watchers: (PlaylistWatcher | MpdWatcher)[];
  readonly #recordListeners = new Set<RecordsListener>();
  readonly #errorListeners = new Set<ErrorListener>();
  readonly #stats = { segmentsSigned: 0, bytesHashed: 0, hashMs: 0, signMs: 0, fetchErrors: 0, unsupportedSegments: 0 };
  readonly #errors = new Map<IntegrityErrorCode, number>();
  /** Signed VOD hash lists: swarm -> rendition -> list. Bounded by streams x MAX_VARIANTS renditions. */
  readonly #vodLists = new Map<string, Map<string, VodList>>();
  #started = false;
  #closed: Promise<void> | undefined;

  /** Checks options and loads the key; throws IntegrityError (INTEGRITY_INVALID_CONFIG, INTEGRITY_INVALID_KEY). */
  constructor(options: IntegrityAuthorityOptions) {
    this.config = Object.freeze(resolveAuthorityConfig(options));
    this.#key = loadSigningKey(this.config.signingKeyPkcs8);
    this.#store = new RecordStore({
      maxSwarms: this.config.streams.length,
      // Each variant may have init segments (EXT-X-MAP), held as renditions of their own.
      maxRenditionsPerSwarm: 2 * MAX_VARIANTS,
      recentPerSwarm: this.config.recentPerSwarm,
    });
    const hooks: WatcherHooks = {
      record: (swarm, record, keep) => {
        if (this.#closed === undefined && this.#store.add(swarm, [record], keep).length > 0) this.#emit(swarm, [record]);
      },
      signed: (sizeBytes, hashMs, signMs) => {
        this.#stats.segmentsSigned += 1;
        this.#stats.bytesHashed += sizeBytes;
        this.#stats.hashMs += hashMs;
        this.#stats.signMs += signMs;
      },
      vodComplete: (swarm, rendition, segments) => {
        if (this.#closed !== undefined) return;
        let byRendition = this.#vodLists.get(swarm);
        if (byRendition === undefined) this.#vodLists.set(swarm, (byRendition = new Map<string, VodList>()));
        if (!byRendition.has(rendition) && byRendition.size >= MAX_VARIANTS) return;
        byRendition.set(rendition, signVodList(swarm, rendition, segments, this.#key));
      },
      unsupported: (count) => {
        this.#stats.unsupportedSegments += count;
      },
      error: (error) => {
        this.#errors.set(error.code, (this.#errors.get(error.code) ?? 0) + 1);
        if (FETCH_ERROR_CODES.has(error.code)) this.#stats.fetchErrors += 1;
        for (const listener of this.#errorListeners) safeCall(() => listener(error));
      },
    };
    // A DASH stream (an .mpd URL) gets its own watcher; records and VOD lists are the same.
    this.#watchers = this.config.streams.map((url) => (isMpdUrl(url) ? new MpdWatcher(url, this.#key, this.config, hooks) : new PlaylistWatcher(url, this.#key, this.config, hooks)));
  }

  /** Starts watching every stream; idempotent, and a no-op once closed. */
  start(): void {
    if (this.#started || this.#closed !== undefined) return;
    this.#started = true;
    for (const watcher of this.#watchers) watcher.start();
  }

  /** Aborts every request, stops every timer and drops listeners; resolves once all watchers have ended. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= Promise.all(this.#watchers.map((w) => w.close())).then(() => {
      this.#recordListeners.clear();
      this.#errorListeners.clear();
    });
    return this.#closed;
  }

  /** Calls listener with each new record; returns a function that removes it. */
  onRecords(listener: RecordsListener): () => void {
    this.#recordListeners.add(listener);
    return () => this.#recordListeners.delete(listener);
  }

  /** Calls listener with every failure (each one is also counted in stats().errors). */
  onError(listener: ErrorListener): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /** The records held for these sns; unknown ones are absent. */
  recordsFor(swarm: string, rendition: string, sns: readonly number[]): SegmentRecord[] {
    return this.#store.get(swarm, rendition, sns);
  }

  /** Up to max records of rendition, lowest sn first: the latest, or from fromSn on (GET /integrity/live). */
  latestRecords(swarm: string, rendition: string, max: number, fromSn?: number): SegmentRecord[] {
    return this.#store.latest(swarm, rendition, max, fromSn);
  }

  /** Up to max of the swarm's most recently signed records, oldest first. */
  recent(swarm: string, max: number): SegmentRecord[] {
    return this.#store.recent(swarm, max);
  }

  /** Every record held for swarm. */
  records(swarm: string): SegmentRecord[] {
    return this.#store.all(swarm);
  }

  /**
   * The signed hash list of a VOD (EXT-X-ENDLIST) rendition, once every segment in it is hashed;
   * undefined for live renditions, unknown ones and VOD still being hashed.
   */
  vodList(swarm: string, rendition: string): VodList | undefined {
    return this.#vodLists.get(swarm)?.get(rendition);
  }

  /** The swarm ids of the configured streams, in config order. */
  swarms(): string[] {
    return this.#watchers.map((w) => w.swarm);
  }

  /** The public keys records are signed with. */
  keys(): IntegrityKey[] {
    return [{ keyId: this.#key.keyId, publicKey: this.#key.publicKey }];
  }

  stats(): IntegrityAuthorityStats {
    return {
      streams: this.#watchers.length,
      renditions: this.#watchers.reduce((n, w) => n + w.renditionCount, 0),
      ...this.#stats,
      recordsHeld: this.#store.size,
      errors: Object.fromEntries(this.#errors),
    };
  }

  #emit(swarm: string, records: readonly SegmentRecord[]): void {
    for (const listener of this.#recordListeners) safeCall(() => listener(swarm, records));
  }
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    console.error('[swarmcast:integrity] listener threw:', error);
  }
}
