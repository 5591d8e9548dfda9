/**
 * Whether a peer's connection can take requests now: the connector's reports of a broken path
 * (PeerLinkEvents.interrupted/resumed) and the verdict on a peer gone silent on a request (see
 * EngineConfig.silentPeerVerdictMs). A dead path and a peer that lies about holding a segment look
 * the same from here at first (nothing arrives); the transport or the peer's next words tell them apart.
 */
import type { Clock, TimerHandle } from './ports.js';

interface Silence {
  readonly requestId: number;
  /** The violation to report if the peer turns out to be lying. */
  readonly reason: string;
  readonly timer: TimerHandle;
}

export class PeerPath {
  private down = false;
  private silence: Silence | undefined;

  constructor(
    private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
    private readonly verdictMs: number,
    /** The peer lied: cut it off with `reason`. */
    private readonly guilty: (reason: string) => void,
  ) {}

  /** Neither interrupted nor awaiting a silence verdict. */
  get usable(): boolean {
    return !this.down && this.silence === undefined;
  }

  /** The connector reported the path broken, and not back yet. */
  get interrupted(): boolean {
    return this.down;
  }

  /**
   * Request `requestId`, for a segment the peer announced as held, met total silence (`reason`
   * says so). The peer is not used until the verdict.
   */
  silent(requestId: number, reason: string): void {
    if (this.down || this.silence !== undefined) return;
    const timer = this.clock.setTimeout(() => {
      this.silence = undefined;
      this.guilty(reason);
    }, this.verdictMs);
    this.silence = { requestId, reason, timer };
  }

  /**
   * A message arrived (`dataRequestId`: the request a DATA message is for). After a silence, DATA
   * for the silent request clears the peer (its answer was held up on the way); anything else shows
   * a working path to a peer that did not serve what it announced. False when the peer was found guilty.
   */
  heard(dataRequestId: number | undefined): boolean {
    const s = this.silence;
    if (s === undefined) return true;
    this.clearSilence();
    if (dataRequestId === s.requestId) return true;
    this.guilty(s.reason);
    return false;
  }

  /** The path carried packets after request `requestId` left: a silence on it was the peer's choice. */
  alive(requestId: number): void {
    const s = this.silence;
    if (s?.requestId !== requestId) return;
    this.clearSilence();
    this.guilty(s.reason);
  }

  /** The connector reports the path broken; false if it already was. A broken path explains a silence. */
  interrupt(): boolean {
    if (this.down) return false;
    this.down = true;
    this.clearSilence();
    return true;
  }

  /** The connector reports the path back; false if it was not down. */
  resume(): boolean {
    if (!this.down) return false;
    this.down = false;
    return true;
  }

  /** Clears the verdict timer; idempotent. */
  destroy(): void {
    this.clearSilence();
  }

  private clearSilence(): void {
    if (this.silence === undefined) return;
    this.clock.clearTimeout(this.silence.timer);
    this.silence = undefined;
  }
}
