/**
 * When the engine joins the swarm (start(), then the player's first segment or maxJoinDelayMs), the
 * peer refill timer that runs from then on, and whether the engine counts as still joining.
 */
import type { AnnounceWaiters } from './announce-waiters.js';
import type { EngineConfig } from './config.js';
import type { PeerPool } from './peer-pool.js';
import type { Clock } from './ports.js';
import type { SummaryReporter } from './summary-reporter.js';
import type { TrackerClient } from './tracker-client.js';

/**
 * How long after joining the tracker's first answer counts as on its way (see joining()): a tracker
 * answers within a round trip; one that does not by then is treated as absent.
 */
const TRACKER_ANSWER_WAIT_MS = 2_000;

/** What SwarmJoin needs from the engine. */
export interface SwarmJoinHost {
  readonly clock: Clock;
  readonly config: Pick<EngineConfig, 'maxJoinDelayMs' | 'seeder' | 'expectSeeder' | 'peerRefillIntervalMs'>;
  readonly tracker: Pick<TrackerClient, 'start'>;
  readonly pool: Pick<PeerPool, 'connecting' | 'maybeRefill'>;
  readonly summaries: Pick<SummaryReporter, 'start'>;
  readonly announceWaiters: Pick<AnnounceWaiters, 'wakeAll'>;
  isDestroyed(): boolean;
}

/** The engine's way into the swarm: when it joins, and what it does from then on (see EngineConfig.maxJoinDelayMs). */
export class SwarmJoin {
  private refillTimer: unknown;
  /** Armed by start() until the swarm is joined (see EngineConfig.maxJoinDelayMs). */
  private joinTimer: unknown;
  /** When start() ran (clock ms). */
  private startedAtMs: number | undefined;
  /** How long after start() the swarm was joined, once it was. */
  private joinedAfter: number | undefined;
  /** The tracker's first answer to our join came (or the join failed). */
  private trackerHasAnswered = false;
  private playerHasStarted = false;

  constructor(private readonly host: SwarmJoinHost) {}

  /** How long after start() the swarm was joined, once it was. */
  get joinedAfterMs(): number | undefined {
    return this.joinedAfter;
  }

  /** See Engine.start(): joins now, or once the player started, or maxJoinDelayMs later at most. Once. */
  start(): void {
    if (this.startedAtMs !== undefined) return;
    this.startedAtMs = this.host.clock.now();
    const { maxJoinDelayMs, seeder, expectSeeder } = this.host.config;
    if (this.playerHasStarted || maxJoinDelayMs === 0 || seeder || expectSeeder) this.join();
    else this.joinTimer = this.host.clock.setTimeout(() => { this.join(); }, maxJoinDelayMs);
  }

  /** See Engine.playerStarted(): the swarm is joined now if start() was waiting. */
  playerStarted(): void {
    if (this.playerHasStarted || this.host.isDestroyed()) return;
    this.playerHasStarted = true;
    if (this.startedAtMs !== undefined) this.join();
  }

  /**
   * Peers may come soon: the join waits for the player's first fragment (playerStarted), the
   * tracker's first answer is on its way, or connections are being made. Loads of a joiner wait for
   * their HAVE-MAPs rather than fetch over HTTP as if alone: hls.js asks for its second fragment a
   * few ms before the first is buffered, that is before the join.
   */
  joining(): boolean {
    return this.host.pool.connecting() || this.trackerComing();
  }

  /** The join waits for playerStarted(), or the tracker's first answer is on its way. */
  trackerComing(): boolean {
    if (this.startedAtMs === undefined || this.host.isDestroyed()) return false;
    if (this.joinedAfter === undefined) return true;
    if (this.trackerHasAnswered) return false;
    return this.host.clock.now() - (this.startedAtMs + this.joinedAfter) < TRACKER_ANSWER_WAIT_MS;
  }

  /**
   * The first answer to our join came (or the join failed): loads waiting for HAVE-MAPs wake if no
   * connection is being made, as we are alone (they wait on for their peers otherwise).
   */
  trackerAnswered(): void {
    if (this.trackerHasAnswered) return;
    this.trackerHasAnswered = true;
    if (this.host.pool.connecting()) return;
    this.host.announceWaiters.wakeAll();
  }

  /** P2P is off (the connector refused the tracker's ICE servers): no more looking for peers. */
  stopRefill(): void {
    this.host.clock.clearTimeout(this.refillTimer);
  }

  /** Clears both timers (the engine is destroyed). */
  stop(): void {
    this.host.clock.clearTimeout(this.refillTimer);
    this.host.clock.clearTimeout(this.joinTimer);
  }

  private join(): void {
    if (this.joinedAfter !== undefined || this.startedAtMs === undefined || this.host.isDestroyed()) return;
    this.host.clock.clearTimeout(this.joinTimer);
    this.joinedAfter = this.host.clock.now() - this.startedAtMs;
    this.host.tracker.start();
    this.scheduleRefill();
    this.host.summaries.start();
  }

  private scheduleRefill(): void {
    this.refillTimer = this.host.clock.setTimeout(() => {
      this.host.pool.maybeRefill();
      this.scheduleRefill();
    }, this.host.config.peerRefillIntervalMs);
  }
}
