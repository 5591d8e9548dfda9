/**
 * An acquisition's deadlines: the player's, and the P2P deadline before it that keeps time for
 * HTTP (its safety margin, measured, and the timers' lag).
 */
import type { AcquisitionHost } from './acquisition-host.js';
import type { EngineConfig } from './config.js';

/** The HTTP margin is this many times a whole segment's measured fetch time (see safetyMs). */
const HTTP_SAFETY_FACTOR = 3;

/** When one segment is due, and by when peers must have delivered it. */
export class AcquisitionDeadlines {
  /** Set while a seeder or a holder is asked for a segment with little slack: the P2P deadline of that attempt. */
  urgentUntilMs: number | undefined;

  /** When the player needs the segment (adopt() and expedite() move it). */
  deadlineMs: number;

  constructor(
    deadlineMs: number,
    private readonly config: Pick<EngineConfig, 'httpSafetyMs' | 'minHttpSafetyMs' | 'minP2pSlackMs'>,
    private readonly host: AcquisitionHost,
  ) {
    this.deadlineMs = deadlineMs;
  }

  /** Peers must have delivered by then, so HTTP still makes the deadline (or a seeder's short try ends). */
  p2pDeadlineMs(): number {
    return this.urgentUntilMs ?? this.deadlineMs - this.safetyMs();
  }

  /**
   * Time kept for HTTP before the deadline: httpSafetyMs until this viewer's HTTP fetches are
   * measured, then HTTP_SAFETY_FACTOR times what a whole segment's fetch takes, within
   * [minHttpSafetyMs, httpSafetyMs]; plus the timers' lag. Every ms not kept for a fast CDN is a
   * ms more for peers.
   */
  safetyMs(): number {
    const fetchMs = this.host.httpFetchMs();
    const measured = fetchMs === undefined ? this.config.httpSafetyMs : Math.min(this.config.httpSafetyMs, Math.max(this.config.minHttpSafetyMs, HTTP_SAFETY_FACTOR * fetchMs));
    return measured + this.lagMs();
  }

  /** The timers' lag, at most httpSafetyMs: a starved page falls back that much earlier. */
  lagMs(): number {
    return Math.min(this.config.httpSafetyMs, this.host.timerLagMs());
  }

  /** The last moment to ask peers (or wait for them): minP2pSlackMs and the timers' lag before the deadline. */
  lastAskMs(): number {
    return this.deadlineMs - this.config.minP2pSlackMs - this.lagMs();
  }
}
