import {
  PEER_PROTOCOL_VERSION,
  type AvailabilityState,
  type HaveMapEntry,
  type IceServer,
  type PeerMessage,
  type PeerMessageType,
  type SegmentRef,
  type SignalData,
  isPartRenditionId,
} from '@swarmcast/protocol';
import { AnnounceWaiters } from './announce-waiters.js';
import { Acquisition } from './acquisition.js';
import type { AcquiredSegment, AcquisitionHost } from './acquisition-host.js';
import { joinTokenProblem, resolveEngineConfig, type EngineConfig } from './config.js';
import { Emitter } from './emitter.js';
import { EngineError } from './errors.js';
import type { Peer } from './peer.js';
import { PeerPool } from './peer-pool.js';
import { Prefetcher } from './prefetcher.js';
import { Wants } from './wants.js';
import type { ReceivingSegment } from './partial-segment.js';
import { HttpFetchTime, HttpThroughput } from './http-throughput.js';
import type { ByteRange, ConnectOptions, EnginePorts } from './ports.js';
import { IntegrityGate } from './integrity-gate.js';
import { UplinkAnnouncer } from './uplink-announcer.js';
import { segmentKey } from './segment-id.js';
import { SeederWatch } from './seeder-watch.js';
import { SourceChoice } from './source-choice.js';
import { SegmentStore } from './segment-store.js';
import { countPeerAttempt, emptyStats, type EngineStats } from './stats.js';
import { SummaryReporter, type PlaybackReport } from './summary-reporter.js';
import { TimerLag } from './timer-lag.js';
import { TrackerClient } from './tracker-client.js';


/**
 * How long after joining the tracker's first answer counts as on its way (see joining()): a tracker
 * answers within a round trip; one that does not by then is treated as absent.
 */
const TRACKER_ANSWER_WAIT_MS = 2_000;

/** A segment the player needs. */
export interface SegmentRequest {
  readonly ref: SegmentRef;
  /** Where to get it over HTTP. */
  readonly url: string;
  /**
   * Where the segment lies in the resource at `url` (EXT-X-BYTERANGE, or an EXT-X-MAP BYTERANGE),
   * end exclusive; undefined for the whole resource. HTTP fetches send it as Range; peers exchange
   * only the segment's bytes. The ref alone identifies the segment, so the range must be the same
   * for every viewer (it is: it comes from the playlist).
   */
  readonly range?: ByteRange;
  /**
   * True for an init segment (EXT-X-MAP, ref from initSegmentRenditionId): not part of the media
   * sequence, so the prefetcher does not follow it and no VOD list is looked up for it.
   */
  readonly init?: boolean;
  /** Clock time (ms, the injected clock) by which the player must have the bytes to avoid a stall. */
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

export interface LoadedSegment {
  readonly bytes: Uint8Array;
  /** Where the bytes came from ('p2p' if any byte came from a peer). */
  readonly source: 'http' | 'p2p';
  /** True when the segment was already held and nothing was downloaded for this request. */
  readonly fromStore: boolean;
}

export interface EngineEvents {
  'segment-acquired': (e: { ref: SegmentRef; source: 'http' | 'p2p'; sizeBytes: number; durationMs: number }) => void;
  'peer-connected': (e: { peerId: string }) => void;
  'peer-disconnected': (e: { peerId: string; reason: string }) => void;
  /** A connection's path broke (see PeerLinkEvents.interrupted): the peer gets no requests until it is back or closed. */
  'peer-interrupted': (e: { peerId: string }) => void;
  /** An interrupted connection works again; `restarted` when it took an ICE restart. */
  'peer-resumed': (e: { peerId: string; restarted: boolean }) => void;
  'tracker-connected': (e: { peerId: string }) => void;
  'tracker-disconnected': (e: { reason: string }) => void;
  /** A listener threw, or something went wrong that the engine survived. */
  error: (e: { error: unknown }) => void;
}

interface SharedAcquisition {
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

/**
 * The P2P engine of one swarm. Pure: everything it touches comes through its ports, so the same
 * engine runs in browsers, in Node and in the simulator.
 */
export class Engine {
  readonly config: EngineConfig;
  /** This engine's id in HELLO: random, stable for its life, used by peers to agree on HTTP fetchers. */
  readonly instanceId: string;
  private readonly events = new Emitter<EngineEvents>((error) => this.events.emit('error', { error }));
  private readonly counters = emptyStats();
  private readonly store: SegmentStore;
  private readonly integrity: IntegrityGate;
  private readonly pool: PeerPool;
  private readonly tracker: TrackerClient;
  private readonly acquisitions = new Map<string, SharedAcquisition>();
  private readonly announceWaiters: AnnounceWaiters;
  private readonly sources: SourceChoice;
  private readonly uplinkAnnouncer: UplinkAnnouncer;
  private readonly acquisitionHost: AcquisitionHost;
  /** The acquisition settings of an LL-HLS part: its own, tighter margins (see partHttpSafetyMs). */
  private readonly partAcquisitionConfig: EngineConfig;
  private readonly prefetcher: Prefetcher;
  private readonly wants: Wants;
  private readonly summaries: SummaryReporter;
  private readonly httpThroughput: HttpThroughput;
  private readonly httpFetchTime: HttpFetchTime;
  private readonly seeders: SeederWatch;
  private refillTimer: unknown;
  /** Armed by start() until the swarm is joined (see EngineConfig.maxJoinDelayMs). */
  private joinTimer: unknown;
  /** When start() ran (clock ms). */
  private startedAtMs: number | undefined;
  /** How long after start() the swarm was joined, once it was. */
  private joinedAfterMs: number | undefined;
  /** The tracker's first answer to our join came (or the join failed). */
  private trackerHasAnswered = false;
  private playerHasStarted = false;
  /** Handed to the connector for each new connection: the latest welcome's ICE servers. */
  private connectOptions: ConnectOptions = { trackerIceServers: [] };
  private destroyed = false;

  private readonly ports: EnginePorts;
  private readonly timerLag: TimerLag;

  constructor(config: Partial<EngineConfig>, ports: EnginePorts) {
    this.config = resolveEngineConfig(config);
    this.timerLag = new TimerLag(this.config.timerLagHalfLifeMs, () => ports.clock.now());
    // Every timer of the engine and its parts reports how late it fired (see TimerLag).
    this.ports = { ...ports, clock: this.timerLag.measuring(ports.clock) };
    this.instanceId = randomId(this.ports.random);
    // A part is due too soon to wait for a seeder or to try a holder with little slack.
    this.partAcquisitionConfig = { ...this.config, httpSafetyMs: this.config.partHttpSafetyMs, minHttpSafetyMs: this.config.partHttpSafetyMs, minP2pSlackMs: this.config.partMinP2pSlackMs, seederWaitMs: 0, urgentPeerWaitMs: 0 };
    this.httpThroughput = new HttpThroughput(this.config.httpThroughputHalfLifeMs);
    this.httpFetchTime = new HttpFetchTime();
    const { clock } = this.ports;
    this.announceWaiters = new AnnounceWaiters(clock);
    // The tracker client comes later: the gate reads it only once the engine runs.
    this.integrity = new IntegrityGate(this.config, this.ports, {
      get isConnected() {
        return tracker().isConnected;
      },
      requestRecords: (rendition, sns) => {
        tracker().requestRecords(rendition, sns);
      },
    });
    const tracker = (): TrackerClient => this.tracker;
    this.store = new SegmentStore(
      this.config.storeBudgetBytes,
      (ref) => {
        this.pool.withdraw(ref);
      },
      (ref) => this.pool.holdersOf(segmentKey(ref)),
    );
    this.pool = new PeerPool(this.config, clock, this.ports.connector, {
      selfId: () => this.tracker.peerId,
      helloMessage: () => this.helloMessage(),
      haveMapMessage: () => this.haveMapMessage(),
      lookupSegment: (ref) => this.lookupSegment(ref),
      sendSignal: (to, data) => this.tracker.sendSignal(to, data),
      connectOptions: () => this.connectOptions,
      requestMorePeers: () => this.tracker.requestPeers(),
      countBytes: (kind, bytes, type) => this.countPeerBytes(kind, bytes, type),
      countRefusal: (reason) => (this.counters.uploadRefusals[reason] += 1),
      countExcusedSilence: (why) => (this.counters.silencesExcused[why] += 1),
      peerReady: (peer) => this.onPeerReady(peer),
      peerClosed: (peer, reason) => this.onPeerClosed(peer, reason),
      pathChanged: (peer, change) => this.onPathChanged(peer, change),
      availabilityChanged: (peer, ref, state, key) => this.onAvailability(peer, ref, state, key),
      wanted: (_peer, ref) => {
        this.wants.wanted(ref);
      },
    });
    this.tracker = new TrackerClient(this.config, clock, this.ports.random, this.ports.trackerSocket, {
      joined: (peerId, peers, seeders) => {
        this.events.emit('tracker-connected', { peerId });
        // The tracker lists seeders first: connectTo takes them before its peer limit.
        this.pool.connectTo(peers);
        this.seeders.listed(seeders);
        this.trackerAnswered();
      },
      peers: (peers, seeders) => {
        this.pool.connectTo(peers);
        this.seeders.listed(seeders);
      },
      signal: (from, data) => this.pool.signal(from, data),
      welcomed: (iceServers) => this.onWelcome(iceServers),
      integrityKeys: (keys) => {
        this.integrity.trackerKeys(keys);
      },
      records: (records) => {
        this.integrity.trackerRecords(records).catch((error: unknown) => this.events.emit('error', { error }));
      },
      disconnected: (reason) => {
        this.trackerAnswered();
        this.events.emit('tracker-disconnected', { reason });
      },
      joinRefused: (code, message) => this.events.emit('error', { error: new EngineError(code, `tracker refused the join token, P2P is off (segments come over HTTP): ${message}`) }),
      countBytes: (_kind, bytes) => (this.counters.trackerBytes += bytes),
    });
    this.summaries = new SummaryReporter(this.config, clock, {
      peerId: () => this.tracker.peerId,
      trackerIntervalMs: () => this.tracker.summaryIntervalMs,
      counters: () => ({ ...this.counters, segmentsHttp: this.counters.segmentsFromHttp, segmentsP2p: this.counters.segmentsFromP2p, peers: this.pool.readyPeers().length }),
      send: (summary) => this.tracker.sendSummary(summary),
    });
    this.prefetcher = new Prefetcher(
      { enabled: this.config.prefetchNext, minSlackMs: this.config.minP2pSlackMs },
      this.ports.clock,
      (ref, deadlineMs) => this.startPrefetch(ref, deadlineMs),
    );
    this.wants = new Wants({
      clock,
      readyPeers: () => this.pool.readyPeers(),
      fetchers: (ref) => this.sources.fetchers(ref),
      selfId: this.instanceId,
      isFetcher: (ref) => this.isDesignatedFetcher(ref),
      hasOrGets: (ref) => this.store.has(ref) || this.acquisitions.has(segmentKey(ref)),
      nextDeadlineMs: (ref) => this.prefetcher.nextDeadlineMs(ref),
      minSlackMs: this.config.minP2pSlackMs,
      fetch: (ref, url, deadlineMs) => {
        this.startAcquisition({ ref, url, range: undefined, deadlineMs }, segmentKey(ref)).wanted = true;
      },
    });
    this.seeders = new SeederWatch(this.config.seederWaitMs, { clock, peers: () => this.pool.allPeers() }, this.config.expectSeeder);
    const uplink = new UplinkAnnouncer(this.config.uploadKbps);
    this.uplinkAnnouncer = uplink;
    this.sources = new SourceChoice(
      {
        clock,
        selfId: this.instanceId,
        get selfUploadKbps() {
          return uplink.kbps;
        },
        selfIsSeeder: this.config.seeder,
        readyPeers: () => this.pool.readyPeers(),
        isSeeder: (peer) => this.seeders.isSeeder(peer),
      },
      this.config.httpFetchersPerSegment,
      this.config.peersPerHttpFetcher,
    );
    this.acquisitionHost = {
      clock,
      http: this.ports.http,
      // A seeder is the swarm's first copy: it never waits for another.
      seederHolding: (ref, untilMs, signal) => (this.config.seeder ? Promise.resolve(undefined) : this.seeders.holding(ref, untilMs, signal)),
      countSeederAttempt: (elapsedMs, delivered) => {
        this.counters.seederAttempts += 1;
        if (delivered) this.counters.seederDeliveries += 1;
        this.counters.seederWaitMs += elapsedMs;
      },
      urgentHolder: (ref) => {
        const key = segmentKey(ref);
        return this.sources.candidates(ref, new Set()).find((p) => p.stateOfKey(key) === 'have' && p.lateDeliveries === 0);
      },
      countUrgentAttempt: (delivered) => {
        this.counters.urgentPeerAttempts += 1;
        if (delivered) this.counters.urgentPeerDeliveries += 1;
      },
      candidates: (ref, exclude) => this.sources.candidates(ref, exclude),
      handoverHolder: (ref, exclude, restBytes, withinMs) => this.sources.handoverHolder(ref, exclude, restBytes, withinMs),
      isDesignatedFetcher: (ref) => this.isDesignatedFetcher(ref),
      waitForAnnouncement: (ref, untilMs, signal, blame) => this.waitForAnnouncement(ref, untilMs, signal, blame),
      connecting: () => this.joining(),
      downloading: (ref) => this.announceReceiving(ref),
      countBytes: (kind, bytes) => {
        if (kind === 'http') this.counters.httpBytes += bytes;
        else this.counters.p2pBytes += bytes;
      },
      httpSample: (bytes, elapsedMs, whole) => {
        this.httpThroughput.sample(bytes, elapsedMs);
        if (whole) this.httpFetchTime.sample(elapsedMs);
      },
      httpFetchMs: () => this.httpFetchTime.ms,
      timerLagMs: () => this.timerLag.ms,
      countFallback: () => (this.counters.p2pFallbacks += 1),
      countLateSplit: (kind, amount) => (this.counters.lateSplits[kind] += amount),
      countPeerAttempt: (outcome, withinMs, detail) => {
        countPeerAttempt(this.counters.peerAttempts, outcome, withinMs, detail);
      },
      countHttpFetch: (reason, afterSeeder) => {
        this.counters.httpFetchReasons[reason] += 1;
        if (afterSeeder) this.counters.httpFetchesAfterSeeder += 1;
      },
      isSeeder: (peer) => this.seeders.isSeeder(peer),
      progress: (ref) => {
        this.pool.progress(ref);
      },
      // The integrity keys and records come with the tracker's answer: a joiner's loads may wait for it.
      p2pAllowed: (ref) => this.integrity.p2pAllowed(ref) || this.trackerComing(),
      verify: (ref, bytes, untilMs, signal) => this.integrity.verify(ref, bytes, untilMs, signal),
      rejectPeers: (peers, ref) => {
        for (const peer of peers) {
          this.counters.integrityFailures += 1;
          peer.close(`integrity violation: bytes of ${segmentKey(ref)} do not match the signed record`);
        }
      },
    };
  }

  /**
   * Starts the engine: it joins the swarm (connects to the tracker, then finds peers) once the
   * player started (playerStarted()) or maxJoinDelayMs later at most. Loads are served before that,
   * over HTTP. Call once.
   */
  start(): void {
    if (this.destroyed) throw new EngineError('ENGINE_DESTROYED', 'start() after destroy()');
    if (this.startedAtMs !== undefined) return;
    this.startedAtMs = this.ports.clock.now();
    const { maxJoinDelayMs, seeder, expectSeeder } = this.config;
    if (this.playerHasStarted || maxJoinDelayMs === 0 || seeder || expectSeeder) this.join();
    else this.joinTimer = this.ports.clock.setTimeout(() => { this.join(); }, maxJoinDelayMs);
  }

  /**
   * The player has its first segment buffered (the player integrations call it; again later does
   * nothing): the swarm is joined now if start() was waiting (see EngineConfig.maxJoinDelayMs).
   */
  playerStarted(): void {
    if (this.playerHasStarted || this.destroyed) return;
    this.playerHasStarted = true;
    if (this.startedAtMs !== undefined) this.join();
  }

  private join(): void {
    if (this.joinedAfterMs !== undefined || this.startedAtMs === undefined || this.destroyed) return;
    this.ports.clock.clearTimeout(this.joinTimer);
    this.joinedAfterMs = this.ports.clock.now() - this.startedAtMs;
    this.tracker.start();
    this.scheduleRefill();
    this.summaries.start();
  }

  /**
   * The player's figures the engine cannot see (stalls, live latency), for the summaries sent to the
   * tracker; the player integration calls it whenever they change. Optional: without it they read 0 / null.
   */
  reportPlayback(report: PlaybackReport): void {
    this.summaries.reportPlayback(report);
  }

  on<K extends keyof EngineEvents>(event: K, listener: EngineEvents[K]): this {
    this.events.on(event, listener);
    return this;
  }

  off<K extends keyof EngineEvents>(event: K, listener: EngineEvents[K]): this {
    this.events.off(event, listener);
    return this;
  }

  stats(): EngineStats {
    const r = this.integrity.records;
    return {
      ...this.counters,
      httpFetchReasons: { ...this.counters.httpFetchReasons },
      uploadRefusals: { ...this.counters.uploadRefusals },
      peerAttempts: { ...this.counters.peerAttempts },
      silencesExcused: { ...this.counters.silencesExcused },
      lateSplits: { ...this.counters.lateSplits },
      peers: this.pool.readyPeers().length,
      uplinkBytesPerSec: this.pool.measuredUplinkBytesPerMs === undefined ? null : Math.round(this.pool.measuredUplinkBytesPerMs * 1000),
      uploadPaceBytesPerSec: this.pool.delayPaceBytesPerMs === undefined ? null : Math.round(this.pool.delayPaceBytesPerMs * 1000),
      timerLagMs: Math.round(this.timerLag.ms),
      joinDelayMs: this.joinedAfterMs === undefined ? null : Math.round(this.joinedAfterMs),
      recordsRejected: r.rejected,
      hashMs: r.hashMs,
      segmentsHashed: r.segmentsHashed,
      signatureMs: r.signatureMs,
      signaturesChecked: r.signaturesChecked,
      segmentsVerified: this.integrity.segmentsVerified,
      segmentsUnverifiable: this.integrity.segmentsUnverifiable,
      vodListsFetched: this.integrity.vodListsFetched,
      liveRecordFetches: this.integrity.liveRecordFetches,
      liveRecordFetchFailures: this.integrity.liveRecordFetchFailures,
      wantsSent: this.wants.sent,
      wantsReceived: this.wants.received,
      wantFetches: this.wants.fetched,
      wantUrlMismatches: this.wants.urlMismatches,
    };
  }

  /**
   * Replaces the join token (a renewed one, say) for the next joins. After the tracker refused the
   * previous token, reconnects at once. Throws on a token that is not 1-LIMITS.maxJoinTokenLength characters.
   */
  setJoinToken(token: string): void {
    if (this.destroyed) throw new EngineError('ENGINE_DESTROYED', 'setJoinToken() after destroy()');
    const problem = joinTokenProblem(token);
    if (problem !== undefined) throw new Error(`Invalid Swarmcast config: ${problem}`);
    this.tracker.setJoinToken(token);
  }

  /** Our tracker-assigned id, once joined. */
  get peerId(): string | undefined {
    return this.tracker.peerId;
  }

  /** Gets a segment for the player, from the store, from peers or over HTTP, by its deadline. */
  async loadSegment(request: SegmentRequest): Promise<LoadedSegment> {
    if (this.destroyed) throw new EngineError('ENGINE_DESTROYED', 'loadSegment() after destroy()');
    if (!this.wants.matchesFetched(request.ref, request.url, request.range !== undefined)) this.dropWanted(request.ref);
    const stored = this.store.get(request.ref);
    if (stored) {
      this.counters.segmentsFromStore += 1;
      return { bytes: stored.bytes, source: stored.source, fromStore: true };
    }
    const key = segmentKey(request.ref);
    if (request.init === true) this.integrity.initSegment(request.ref.rendition);
    else if (!isPartRenditionId(request.ref.rendition)) this.prefetcher.requested(request);
    let shared = this.acquisitions.get(key);
    if (shared) {
      shared.acquisition.adopt(request.url, request.range, request.deadlineMs);
      // A fetch a WANT started had our estimate of the deadline: the player's own counts.
      if (shared.wanted === true) shared.acquisition.expedite(request.deadlineMs);
    } else {
      shared = this.startAcquisition({ ref: request.ref, url: request.url, range: request.range, deadlineMs: request.deadlineMs }, key);
    }
    if (request.init !== true && !isPartRenditionId(request.ref.rendition)) this.wants.playerAsked(request.ref, request.url, request.range !== undefined, request.deadlineMs);
    shared.users += 1;
    const current = shared;
    const onAbort = (): void => {
      current.users -= 1;
      if (current.users > 0) return;
      current.controller.abort();
      // It settles a little later: a load of the same segment meanwhile must start afresh, not join it.
      if (this.acquisitions.get(key) === current) this.acquisitions.delete(key);
    };
    request.signal?.addEventListener('abort', onAbort);
    try {
      if (request.signal?.aborted === true) onAbort();
      const acquired = await abortable(current.promise, request.signal);
      return { ...acquired, fromStore: false };
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * A WANT made us fetch `ref` from a predicted URL and the player names another: what we fetched
   * (or are fetching) is not to be trusted as that segment. Dropped, withdrawn from peers, loaded again.
   */
  private dropWanted(ref: SegmentRef): void {
    const key = segmentKey(ref);
    const shared = this.acquisitions.get(key);
    if (shared?.wanted === true) {
      shared.controller.abort();
      this.acquisitions.delete(key);
      if (shared.announced) this.pool.withdraw(ref);
    }
    if (this.store.delete(ref)) this.pool.withdraw(ref);
  }

  /**
   * The player needs `ref` sooner than it asked (a seek): a load in progress gives peers only what
   * fits the new deadline and goes on over HTTP. Does nothing when `ref` is not being loaded.
   */
  expedite(ref: SegmentRef, deadlineMs: number): void {
    this.acquisitions.get(segmentKey(ref))?.acquisition.expedite(deadlineMs);
  }

  /**
   * What HTTP sustains for this viewer, bytes/s (see HttpThroughput), or undefined before the first
   * HTTP segment fetch. The player integration reports P2P transfers to the player's ABR at this rate.
   */
  httpThroughputBytesPerSec(): number | undefined {
    return this.httpThroughput.bytesPerSec();
  }

  /** Closes every connection, timer and socket. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.ports.clock.clearTimeout(this.refillTimer);
    this.ports.clock.clearTimeout(this.joinTimer);
    this.summaries.stop();
    for (const shared of this.acquisitions.values()) shared.controller.abort();
    this.acquisitions.clear();
    this.announceWaiters.wakeAll();
    this.seeders.destroy();
    this.pool.destroy();
    this.tracker.destroy();
    this.store.clear();
    this.integrity.destroy();
    this.events.removeAllListeners();
  }

  /** A peer announced the segment after the one the player asked for last: fetch it from peers now. */
  private startPrefetch(ref: SegmentRef, deadlineMs: number): void {
    const key = segmentKey(ref);
    if (this.destroyed || this.acquisitions.has(key) || this.store.get(ref)) return;
    if (!this.acquisitionHost.p2pAllowed(ref)) return;
    this.startAcquisition({ ref, url: undefined, range: undefined, deadlineMs }, key);
  }

  private startAcquisition(
    request: Pick<SegmentRequest, 'ref' | 'deadlineMs'> & { url: string | undefined; range: ByteRange | undefined },
    key: string,
  ): SharedAcquisition {
    const controller = new AbortController();
    const startedMs = this.ports.clock.now();
    const { ref } = request;
    const config = isPartRenditionId(ref.rendition) ? this.partAcquisitionConfig : this.config;
    const acquisition = new Acquisition(ref, request.url, request.range, request.deadlineMs, config, this.acquisitionHost, controller.signal);
    const prefetch = request.url === undefined;
    // Started a microtask later, once this acquisition is in the map (announceReceiving looks it up).
    const promise = Promise.resolve()
      .then(() => acquisition.run())
      .then(
        (acquired) => {
          if (this.acquisitions.get(key) === shared) this.acquisitions.delete(key);
          if (acquired.source === 'http') this.counters.segmentsFromHttp += 1;
          else this.counters.segmentsFromP2p += 1;
          if (!this.destroyed) {
            const stored = this.store.put(ref, acquired.bytes, acquired.source);
            this.pool.settle(ref, acquired.bytes);
            // Announce only what the store keeps: peers would be told ABSENT for anything else.
            if (stored) this.pool.announce({ type: 'have', rendition: ref.rendition, sn: ref.sn, sizeBytes: acquired.bytes.length }, key);
            else if (shared.announced) this.pool.withdraw(ref);
            // Once a segment: the meter's reading changes no faster than uploads come and go.
            const uplinkKbps = this.uplinkAnnouncer.update(this.ports.clock.now(), this.pool.uploadBytesPerMs, this.pool.sentBytes);
            if (uplinkKbps !== undefined) this.pool.announceUplink(uplinkKbps);
          }
          const durationMs = this.ports.clock.now() - startedMs;
          if (prefetch) this.counters.segmentsPrefetched += 1;
          this.events.emit('segment-acquired', { ref, source: acquired.source, sizeBytes: acquired.bytes.length, durationMs });
          return acquired;
        },
        (error: unknown) => {
          if (this.acquisitions.get(key) === shared) this.acquisitions.delete(key);
          // A newer acquisition of the segment (after an abort) answers the parked requests instead.
          if (!this.destroyed && !this.acquisitions.has(key)) {
            this.pool.settle(ref, undefined);
            if (shared.announced) this.pool.withdraw(ref);
          }
          throw error;
        },
      );
    // Every user awaits through abortable(); this keeps an unobserved rejection from being reported.
    promise.catch(() => undefined);
    const shared: SharedAcquisition = { promise, acquisition, controller, users: 0, announced: false, receiving: { get partial() { return acquisition.partial; } } };
    this.acquisitions.set(key, shared);
    return shared;
  }

  private announceReceiving(ref: SegmentRef): void {
    const shared = this.acquisitions.get(segmentKey(ref));
    if (!shared || shared.announced || this.destroyed) return;
    shared.announced = true;
    this.pool.announce({ type: 'receiving', rendition: ref.rendition, sn: ref.sn }, segmentKey(ref));
  }

  private helloMessage(): PeerMessage {
    return { type: 'hello', version: PEER_PROTOCOL_VERSION, peerId: this.instanceId, uploadKbps: this.uplinkAnnouncer.kbps };
  }

  private haveMapMessage(): PeerMessage {
    const entries: HaveMapEntry[] = this.store.refs().map((r) => ({ rendition: r.rendition, sn: r.sn, state: 'have' }));
    for (const [key, shared] of this.acquisitions) {
      if (!shared.announced) continue;
      const [rendition = '', sn = ''] = key.split('/');
      entries.push({ rendition, sn: Number(sn), state: 'receiving' });
    }
    return { type: 'haveMap', entries: entries.slice(-4096) };
  }

  private lookupSegment(ref: SegmentRef): Uint8Array | ReceivingSegment | undefined {
    const stored = this.store.get(ref);
    if (stored) return stored.bytes;
    const shared = this.acquisitions.get(segmentKey(ref));
    return shared?.announced === true ? shared.receiving : undefined;
  }

  private isDesignatedFetcher(ref: SegmentRef): boolean {
    // Joining, no peer ready yet but the tracker's answer or connections on their way: we are not
    // alone, only not introduced. The segments a player starts with are a few target durations old,
    // so the swarm holds them; their HAVE-MAPs are waited for (up to the P2P deadline), not fetched
    // as the only member known.
    if (this.joining() && this.pool.readyPeers().length === 0) return false;
    return this.sources.isFetcher(ref);
  }

  /**
   * Peers may come soon: the join waits for the player's first fragment (playerStarted), the
   * tracker's first answer is on its way, or connections are being made. Loads of a joiner wait for
   * their HAVE-MAPs rather than fetch over HTTP as if alone: hls.js asks for its second fragment a
   * few ms before the first is buffered, that is before the join.
   */
  private joining(): boolean {
    return this.pool.connecting() || this.trackerComing();
  }

  /** The join waits for playerStarted(), or the tracker's first answer is on its way. */
  private trackerComing(): boolean {
    if (this.startedAtMs === undefined || this.destroyed) return false;
    if (this.joinedAfterMs === undefined) return true;
    if (this.trackerHasAnswered) return false;
    return this.ports.clock.now() - (this.startedAtMs + this.joinedAfterMs) < TRACKER_ANSWER_WAIT_MS;
  }

  /**
   * The first answer to our join came (or the join failed): loads waiting for HAVE-MAPs wake if no
   * connection is being made, as we are alone (they wait on for their peers otherwise).
   */
  private trackerAnswered(): void {
    if (this.trackerHasAnswered) return;
    this.trackerHasAnswered = true;
    if (this.pool.connecting()) return;
    this.announceWaiters.wakeAll();
  }

  private waitForAnnouncement(ref: SegmentRef, untilMs: number, signal: AbortSignal, blame = true): Promise<void> {
    return this.announceWaiters.wait(segmentKey(ref), untilMs, signal, () => {
      if (!this.destroyed && blame) this.sources.blame(ref);
    });
  }

  private onAvailability(peer: Peer, ref: SegmentRef, state: AvailabilityState | 'lost', key: string): void {
    if (state === 'lost') return;
    if (this.seeders.isSeeder(peer)) this.seeders.changed();
    this.announceWaiters.wake(key);
    if (state === 'have') this.prefetcher.announced(ref);
  }

  /** Takes the tracker's ICE servers for new connections, unless the connector cannot use them. */
  private onWelcome(iceServers: IceServer[]): boolean {
    const options: ConnectOptions = { trackerIceServers: iceServers };
    const refusal = this.ports.connector.refusal?.(options);
    if (refusal !== undefined) {
      this.ports.clock.clearTimeout(this.refillTimer);
      this.summaries.stop();
      this.events.emit('error', { error: new EngineError('P2P_REFUSED', `P2P is off (segments come over HTTP): ${refusal}`) });
      return false;
    }
    this.connectOptions = options;
    return true;
  }

  private onPeerReady(peer: Peer): void {
    this.seeders.changed();
    this.events.emit('peer-connected', { peerId: peer.id });
  }

  private onPathChanged(peer: Peer, change: 'interrupted' | 'resumed' | 'restarted'): void {
    if (change === 'interrupted') {
      this.counters.linkInterruptions += 1;
      this.events.emit('peer-interrupted', { peerId: peer.id });
      // Below minPeers now: look for more while this one is out.
      this.pool.maybeRefill();
      return;
    }
    if (change === 'restarted') this.counters.linkRestarts += 1;
    else this.counters.linkRecoveries += 1;
    this.events.emit('peer-resumed', { peerId: peer.id, restarted: change === 'restarted' });
  }

  private onPeerClosed(peer: Peer, reason: string): void {
    if (peer.interrupted) this.counters.interruptedLinksClosed += 1;
    if (reason.startsWith('protocol violation') || reason.startsWith('integrity violation')) this.counters.peerViolations += 1;
    if (peer.ready || peer.closed) this.events.emit('peer-disconnected', { peerId: peer.id, reason });
    this.seeders.changed();
    this.pool.maybeRefill();
  }

  private countPeerBytes(kind: 'controlSent' | 'controlReceived' | 'uploaded', bytes: number, type: PeerMessageType | undefined): void {
    if (kind === 'controlSent') {
      this.counters.controlBytesSent += bytes;
      if (type !== undefined) this.counters.controlBytesSentByType[type] += bytes;
    } else if (kind === 'controlReceived') this.counters.controlBytesReceived += bytes;
    else this.counters.uploadedBytes += bytes;
  }

  private scheduleRefill(): void {
    this.refillTimer = this.ports.clock.setTimeout(() => {
      this.pool.maybeRefill();
      this.scheduleRefill();
    }, this.config.peerRefillIntervalMs);
  }

  /** Test and simulator hook: the ids of connected, ready peers. */
  connectedPeerIds(): string[] {
    return this.pool.readyPeers().map((p) => p.id);
  }

  /** Kept for symmetry with the tracker's signal path (used by tests to inject signaling). */
  handleSignal(from: string, data: SignalData): void {
    this.pool.signal(from, data);
  }
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function randomId(random: EnginePorts['random']): string {
  let id = '';
  for (let i = 0; i < 16; i++) id += ID_ALPHABET[Math.floor(random.random() * ID_ALPHABET.length)] ?? 'x';
  return id;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new EngineError('LOAD_ABORTED', 'segment load aborted'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
