/** The Engine: the composition root of one swarm's P2P delivery, and the API the player integrations use. */
import { PEER_PROTOCOL_VERSION, type AvailabilityState, type PeerMessage, type SegmentRef, type SignalData, isPartRenditionId } from '@swarmcast/protocol';
import { abortable } from './abortable.js';
import { AnnounceWaiters } from './announce-waiters.js';
import { ConnectionEvents } from './connection-events.js';
import { joinTokenProblem, resolveEngineConfig, type EngineConfig } from './config.js';
import { createAcquisitionHost } from './engine-acquisition-host.js';
import type { EngineEvents } from './engine-events.js';
import { Emitter } from './emitter.js';
import { EngineError } from './errors.js';
import type { Peer } from './peer.js';
import { PeerPool } from './peer-pool.js';
import { Prefetcher } from './prefetcher.js';
import { randomId } from './random-id.js';
import { Wants } from './wants.js';
import { HttpFetchTime, HttpThroughput } from './http-throughput.js';
import type { EnginePorts } from './ports.js';
import { IntegrityGate } from './integrity-gate.js';
import { UplinkAnnouncer } from './uplink-announcer.js';
import type { LoadedSegment, SegmentRequest } from './segment-request.js';
import { segmentKey } from './segment-id.js';
import { SeederWatch } from './seeder-watch.js';
import { SharedAcquisitions } from './shared-acquisitions.js';
import { SourceChoice } from './source-choice.js';
import { SegmentStore } from './segment-store.js';
import { countPeerBytes, emptyStats, type EngineStats } from './stats.js';
import { statsSnapshot } from './stats-snapshot.js';
import { SummaryReporter, type PlaybackReport } from './summary-reporter.js';
import { SwarmJoin } from './swarm-join.js';
import { TimerLag } from './timer-lag.js';
import { TrackerClient } from './tracker-client.js';

export type { EngineEvents } from './engine-events.js';
export type { LoadedSegment, SegmentRequest } from './segment-request.js';

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
  /** The segment acquisitions under way, shared by the loads that need them. */
  private readonly acquisitions: SharedAcquisitions;
  private readonly announceWaiters: AnnounceWaiters;
  private readonly sources: SourceChoice;
  private readonly uplinkAnnouncer: UplinkAnnouncer;
  private readonly prefetcher: Prefetcher;
  private readonly wants: Wants;
  private readonly summaries: SummaryReporter;
  private readonly httpThroughput: HttpThroughput;
  private readonly seeders: SeederWatch;
  /** When the swarm is joined, and whether we are still joining. */
  private readonly swarmJoin: SwarmJoin;
  /** What the engine does as peers connect and go, and the tracker's ICE servers for new connections. */
  private readonly connections: ConnectionEvents;
  private destroyed = false;

  private readonly ports: EnginePorts;
  private readonly timerLag: TimerLag;

  constructor(config: Partial<EngineConfig>, ports: EnginePorts) {
    this.config = resolveEngineConfig(config);
    this.timerLag = new TimerLag(this.config.timerLagHalfLifeMs, () => ports.clock.now());
    // Every timer of the engine and its parts reports how late it fired (see TimerLag).
    this.ports = { ...ports, clock: this.timerLag.measuring(ports.clock) };
    this.instanceId = randomId(this.ports.random);
    this.httpThroughput = new HttpThroughput(this.config.httpThroughputHalfLifeMs);
    const httpFetchTime = new HttpFetchTime();
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
      haveMapMessage: () => this.acquisitions.haveMapMessage(),
      lookupSegment: (ref) => this.acquisitions.lookupSegment(ref),
      sendSignal: (to, data) => this.tracker.sendSignal(to, data),
      connectOptions: () => this.connections.connectOptions,
      requestMorePeers: () => this.tracker.requestPeers(),
      countBytes: (kind, bytes, type) => countPeerBytes(this.counters, kind, bytes, type),
      countRefusal: (reason) => (this.counters.uploadRefusals[reason] += 1),
      countExcusedSilence: (why) => (this.counters.silencesExcused[why] += 1),
      peerReady: (peer) => this.connections.peerReady(peer),
      peerClosed: (peer, reason) => this.connections.peerClosed(peer, reason),
      pathChanged: (peer, change) => this.connections.pathChanged(peer, change),
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
        this.swarmJoin.trackerAnswered();
      },
      peers: (peers, seeders) => {
        this.pool.connectTo(peers);
        this.seeders.listed(seeders);
      },
      signal: (from, data) => this.pool.signal(from, data),
      welcomed: (iceServers) => this.connections.welcomed(iceServers),
      integrityKeys: (keys) => {
        this.integrity.trackerKeys(keys);
      },
      records: (records) => {
        this.integrity.trackerRecords(records).catch((error: unknown) => this.events.emit('error', { error }));
      },
      disconnected: (reason) => {
        this.swarmJoin.trackerAnswered();
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
      (ref, deadlineMs) => this.acquisitions.prefetch(ref, deadlineMs),
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
        this.acquisitions.start({ ref, url, range: undefined, deadlineMs }, segmentKey(ref)).wanted = true;
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
    this.swarmJoin = new SwarmJoin({ clock, config: this.config, tracker: this.tracker, pool: this.pool, summaries: this.summaries, announceWaiters: this.announceWaiters, isDestroyed: () => this.destroyed });
    const acquisitionHost = createAcquisitionHost({
      clock, http: this.ports.http, config: this.config, counters: this.counters, seeders: this.seeders, sources: this.sources, pool: this.pool, integrity: this.integrity,
      announceWaiters: this.announceWaiters, httpThroughput: this.httpThroughput, httpFetchTime, timerLag: this.timerLag, swarmJoin: this.swarmJoin,
      isDestroyed: () => this.destroyed,
      isDesignatedFetcher: (ref) => this.isDesignatedFetcher(ref),
      downloading: (ref) => {
        this.acquisitions.announceReceiving(ref);
      },
    });
    this.acquisitions = new SharedAcquisitions({
      clock, config: this.config, acquisitionHost, store: this.store, pool: this.pool, uplinkAnnouncer: uplink, counters: this.counters,
      isDestroyed: () => this.destroyed,
      acquired: (e) => this.events.emit('segment-acquired', e),
    });
    this.connections = new ConnectionEvents({ counters: this.counters, events: this.events, connector: this.ports.connector, seeders: this.seeders, pool: this.pool, swarmJoin: this.swarmJoin, summaries: this.summaries });
  }

  /**
   * Starts the engine: it joins the swarm (connects to the tracker, then finds peers) once the
   * player started (playerStarted()) or maxJoinDelayMs later at most. Loads are served before that,
   * over HTTP. Call once.
   */
  start(): void {
    if (this.destroyed) throw new EngineError('ENGINE_DESTROYED', 'start() after destroy()');
    this.swarmJoin.start();
  }

  /**
   * The player has its first segment buffered (the player integrations call it; again later does
   * nothing): the swarm is joined now if start() was waiting (see EngineConfig.maxJoinDelayMs).
   */
  playerStarted(): void {
    this.swarmJoin.playerStarted();
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
    return statsSnapshot({ counters: this.counters, integrity: this.integrity, pool: this.pool, timerLag: this.timerLag, swarmJoin: this.swarmJoin, wants: this.wants });
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
    if (!this.wants.matchesFetched(request.ref, request.url, request.range !== undefined)) this.acquisitions.dropWanted(request.ref);
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
      shared = this.acquisitions.start({ ref: request.ref, url: request.url, range: request.range, deadlineMs: request.deadlineMs }, key);
    }
    if (request.init !== true && !isPartRenditionId(request.ref.rendition)) this.wants.playerAsked(request.ref, request.url, request.range !== undefined, request.deadlineMs);
    shared.users += 1;
    const current = shared;
    const onAbort = (): void => {
      this.acquisitions.leave(current, key);
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
   * The player needs `ref` sooner than it asked (a seek): a load in progress gives peers only what
   * fits the new deadline and goes on over HTTP. Does nothing when `ref` is not being loaded.
   */
  expedite(ref: SegmentRef, deadlineMs: number): void {
    this.acquisitions.expedite(ref, deadlineMs);
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
    this.swarmJoin.stop();
    this.summaries.stop();
    this.acquisitions.abortAll();
    this.announceWaiters.wakeAll();
    this.seeders.destroy();
    this.pool.destroy();
    this.tracker.destroy();
    this.store.clear();
    this.integrity.destroy();
    this.events.removeAllListeners();
  }

  private helloMessage(): PeerMessage {
    return { type: 'hello', version: PEER_PROTOCOL_VERSION, peerId: this.instanceId, uploadKbps: this.uplinkAnnouncer.kbps };
  }

  private isDesignatedFetcher(ref: SegmentRef): boolean {
    // Joining, no peer ready yet but the tracker's answer or connections on their way: we are not
    // alone, only not introduced. The segments a player starts with are a few target durations old,
    // so the swarm holds them; their HAVE-MAPs are waited for (up to the P2P deadline), not fetched
    // as the only member known.
    if (this.swarmJoin.joining() && this.pool.readyPeers().length === 0) return false;
    return this.sources.isFetcher(ref);
  }

  private onAvailability(peer: Peer, ref: SegmentRef, state: AvailabilityState | 'lost', key: string): void {
    if (state === 'lost') return;
    if (this.seeders.isSeeder(peer)) this.seeders.changed();
    this.announceWaiters.wake(key);
    if (state === 'have') this.prefetcher.announced(ref);
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
