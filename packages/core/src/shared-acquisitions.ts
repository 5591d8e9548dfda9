/**
 * The segment acquisitions under way, one per segment, shared by every load that needs it: how they
 * start and settle, and what peers are told of them (RECEIVING, HAVE-MAP, cut-through reads).
 */
import { isPartRenditionId, type HaveMapEntry, type PeerMessage, type SegmentRef } from '@swarmcast/protocol';
import { Acquisition } from './acquisition.js';
import type { AcquiredSegment, AcquisitionHost } from './acquisition-host.js';
import type { EngineConfig } from './config.js';
import type { EngineEvents } from './engine-events.js';
import type { ReceivingSegment } from './partial-segment.js';
import type { PeerPool } from './peer-pool.js';
import type { ByteRange, Clock } from './ports.js';
import type { SegmentRequest } from './segment-request.js';
import { segmentKey } from './segment-id.js';
import type { SegmentStore } from './segment-store.js';
import type { EngineStats } from './stats.js';
import type { UplinkAnnouncer } from './uplink-announcer.js';

/** One segment's acquisition and the loads that wait for it. */
export interface SharedAcquisition {
  readonly promise: Promise<AcquiredSegment>;
  readonly acquisition: Acquisition;
  /** What uploads relaying this segment read (cut-through). */
  readonly receiving: ReceivingSegment;
  readonly controller: AbortController;
  users: number;
  /** 'receiving' was announced: the acquisition is downloading (see AcquisitionHost.downloading). */
  announced: boolean;
  /** Started by a peer's WANT before our player asked (see Wants). */
  wanted?: boolean;
}

/** What SharedAcquisitions needs from the engine. */
export interface SharedAcquisitionsHost {
  readonly clock: Clock;
  readonly config: EngineConfig;
  readonly acquisitionHost: AcquisitionHost;
  readonly store: SegmentStore;
  readonly pool: PeerPool;
  readonly uplinkAnnouncer: UplinkAnnouncer;
  readonly counters: EngineStats;
  isDestroyed(): boolean;
  /** A segment was acquired: emits 'segment-acquired'. */
  acquired(e: Parameters<EngineEvents['segment-acquired']>[0]): void;
}

/** The engine's acquisitions under way, by segmentKey. */
export class SharedAcquisitions {
  private readonly byKey = new Map<string, SharedAcquisition>();
  /** The acquisition settings of an LL-HLS part: its own, tighter margins (see partHttpSafetyMs). */
  private readonly partConfig: EngineConfig;

  constructor(private readonly host: SharedAcquisitionsHost) {
    const { config } = host;
    // A part is due too soon to wait for a seeder or to try a holder with little slack.
    this.partConfig = { ...config, httpSafetyMs: config.partHttpSafetyMs, minHttpSafetyMs: config.partHttpSafetyMs, minP2pSlackMs: config.partMinP2pSlackMs, seederWaitMs: 0, urgentPeerWaitMs: 0 };
  }

  get(key: string): SharedAcquisition | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** A peer announced the segment after the one the player asked for last: fetch it from peers now. */
  prefetch(ref: SegmentRef, deadlineMs: number): void {
    const key = segmentKey(ref);
    if (this.host.isDestroyed() || this.byKey.has(key) || this.host.store.get(ref)) return;
    if (!this.host.acquisitionHost.p2pAllowed(ref)) return;
    this.start({ ref, url: undefined, range: undefined, deadlineMs }, key);
  }

  /** Starts acquiring `request.ref` (`key` its segmentKey), shared under `key` until it settles. */
  start(
    request: Pick<SegmentRequest, 'ref' | 'deadlineMs'> & { url: string | undefined; range: ByteRange | undefined },
    key: string,
  ): SharedAcquisition {
    const { clock, store, pool, counters } = this.host;
    const controller = new AbortController();
    const startedMs = clock.now();
    const { ref } = request;
    const config = isPartRenditionId(ref.rendition) ? this.partConfig : this.host.config;
    const acquisition = new Acquisition(ref, request.url, request.range, request.deadlineMs, config, this.host.acquisitionHost, controller.signal);
    const prefetch = request.url === undefined;
    // Started a microtask later, once this acquisition is in the map (announceReceiving looks it up).
    const promise = Promise.resolve()
      .then(() => acquisition.run())
      .then(
        (acquired) => {
          if (this.byKey.get(key) === shared) this.byKey.delete(key);
          if (acquired.source === 'http') counters.segmentsFromHttp += 1;
          else counters.segmentsFromP2p += 1;
          if (!this.host.isDestroyed()) {
            const stored = store.put(ref, acquired.bytes, acquired.source);
            pool.settle(ref, acquired.bytes);
            // Announce only what the store keeps: peers would be told ABSENT for anything else.
            if (stored) pool.announce({ type: 'have', rendition: ref.rendition, sn: ref.sn, sizeBytes: acquired.bytes.length }, key);
            else if (shared.announced) pool.withdraw(ref);
            // Once a segment: the meter's reading changes no faster than uploads come and go.
            const uplinkKbps = this.host.uplinkAnnouncer.update(clock.now(), pool.uploadBytesPerMs, pool.sentBytes);
            if (uplinkKbps !== undefined) pool.announceUplink(uplinkKbps);
          }
          const durationMs = clock.now() - startedMs;
          if (prefetch) counters.segmentsPrefetched += 1;
          this.host.acquired({ ref, source: acquired.source, sizeBytes: acquired.bytes.length, durationMs });
          return acquired;
        },
        (error: unknown) => {
          if (this.byKey.get(key) === shared) this.byKey.delete(key);
          // A newer acquisition of the segment (after an abort) answers the parked requests instead.
          if (!this.host.isDestroyed() && !this.byKey.has(key)) {
            pool.settle(ref, undefined);
            if (shared.announced) pool.withdraw(ref);
          }
          throw error;
        },
      );
    // Every user awaits through abortable(); this keeps an unobserved rejection from being reported.
    promise.catch(() => undefined);
    const shared: SharedAcquisition = { promise, acquisition, controller, users: 0, announced: false, receiving: { get partial() { return acquisition.partial; } } };
    this.byKey.set(key, shared);
    return shared;
  }

  /** A load of `shared` (under `key`) stopped waiting for it: the last one to go aborts it. */
  leave(shared: SharedAcquisition, key: string): void {
    shared.users -= 1;
    if (shared.users > 0) return;
    shared.controller.abort();
    // It settles a little later: a load of the same segment meanwhile must start afresh, not join it.
    if (this.byKey.get(key) === shared) this.byKey.delete(key);
  }

  /** See Engine.expedite(). */
  expedite(ref: SegmentRef, deadlineMs: number): void {
    this.byKey.get(segmentKey(ref))?.acquisition.expedite(deadlineMs);
  }

  /**
   * A WANT made us fetch `ref` from a predicted URL and the player names another: what we fetched
   * (or are fetching) is not to be trusted as that segment. Dropped, withdrawn from peers, loaded again.
   */
  dropWanted(ref: SegmentRef): void {
    const key = segmentKey(ref);
    const shared = this.byKey.get(key);
    if (shared?.wanted === true) {
      shared.controller.abort();
      this.byKey.delete(key);
      if (shared.announced) this.host.pool.withdraw(ref);
    }
    if (this.host.store.delete(ref)) this.host.pool.withdraw(ref);
  }

  /** Bytes of `ref` are coming (see AcquisitionHost.downloading): peers are told it is 'receiving', once. */
  announceReceiving(ref: SegmentRef): void {
    const shared = this.byKey.get(segmentKey(ref));
    if (!shared || shared.announced || this.host.isDestroyed()) return;
    shared.announced = true;
    this.host.pool.announce({ type: 'receiving', rendition: ref.rendition, sn: ref.sn }, segmentKey(ref));
  }

  /** What a new peer is told we hold and are receiving. */
  haveMapMessage(): PeerMessage {
    const entries: HaveMapEntry[] = this.host.store.refs().map((r) => ({ rendition: r.rendition, sn: r.sn, state: 'have' }));
    for (const [key, shared] of this.byKey) {
      if (!shared.announced) continue;
      const [rendition = '', sn = ''] = key.split('/');
      entries.push({ rendition, sn: Number(sn), state: 'receiving' });
    }
    return { type: 'haveMap', entries: entries.slice(-4096) };
  }

  /** See PeerHost.lookupSegment: the stored bytes, or the live view of an announced download. */
  lookupSegment(ref: SegmentRef): Uint8Array | ReceivingSegment | undefined {
    const stored = this.host.store.get(ref);
    if (stored) return stored.bytes;
    const shared = this.byKey.get(segmentKey(ref));
    return shared?.announced === true ? shared.receiving : undefined;
  }

  /** Aborts every acquisition and forgets them (the engine is destroyed). */
  abortAll(): void {
    for (const shared of this.byKey.values()) shared.controller.abort();
    this.byKey.clear();
  }
}
