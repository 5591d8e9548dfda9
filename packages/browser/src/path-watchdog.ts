/**
 * What an open WebRTC connection does when its path breaks (ICE 'disconnected' or 'failed': a
 * network change, a NAT rebinding, a peer gone without goodbye). Shared by the browser and the Node
 * connector, timers injected so tests run it on a fake clock.
 *
 * 1. At once: the link is reported interrupted, so the engine sends that peer no new request.
 * 2. After `graceMs` (ICE often recovers by itself within it; 'failed' skips it):
 *    - role 'restart' (the side that made the offer, so only one side offers: no glare) performs
 *      an ICE restart and gives it `restartTimeoutMs` to connect;
 *    - role 'await' (the answerer) gives the offerer's restart as long;
 *    - role 'none' (a side that cannot restart: node-datachannel) gives up.
 * 3. Still not connected then: gives up (the connector closes the link, and the engine replaces it).
 * Connected again before that: the link is reported resumed, saying whether a restart was needed.
 */
import type { Clock, TimerHandle } from '@swarmcast/core';

export type PathRole = 'restart' | 'await' | 'none';

export interface PathWatchdogConfig {
  /** Wait after the path broke before an ICE restart (or, for role 'none', before giving up), ms. */
  readonly graceMs: number;
  /** Wait for a restart (ours, or the remote's for role 'await') to connect, ms. */
  readonly restartTimeoutMs: number;
  readonly role: PathRole;
}

export interface PathWatchdogActions {
  /** The path broke: no new requests to this peer. */
  interrupted(): void;
  /** The path is back; `restarted` when an ICE restart (ours or the remote's) brought it back. */
  resumed(restarted: boolean): void;
  /** Start an ICE restart (new offer through the tracker). Role 'restart' only. */
  restart(): void;
  /** The path did not come back in time: close the link with `reason`. */
  giveUp(reason: string): void;
}

type State = 'up' | 'grace' | 'restarting' | 'done';

export class PathWatchdog {
  private state: State = 'up';
  private timer: TimerHandle;
  private armed = false;
  /** An ICE restart ran (ours, or an offer from the remote) during this interruption. */
  private restarted = false;

  constructor(
    private readonly config: PathWatchdogConfig,
    private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
    private readonly actions: PathWatchdogActions,
  ) {}

  /** Whether the path is down now (between pathDown() and pathUp() or giving up). */
  get down(): boolean {
    return this.state === 'grace' || this.state === 'restarting';
  }

  /** ICE went 'disconnected' (`failed` false) or 'failed' (true). */
  pathDown(failed: boolean): void {
    if (this.state === 'up') {
      this.state = 'grace';
      this.restarted = false;
      this.actions.interrupted();
      if (!failed) {
        this.arm(this.config.graceMs, () => this.afterGrace());
        return;
      }
    } else if (this.state !== 'grace' || !failed) {
      // Restarting: the restart timeout bounds it. Done: nothing more to do.
      return;
    }
    this.afterGrace();
  }

  /** ICE is 'connected' or 'completed' again. */
  pathUp(): void {
    if (!this.down) return;
    this.disarm();
    this.state = 'up';
    this.actions.resumed(this.restarted);
  }

  /** The remote sent an ICE restart offer for this connection (and it was applied). */
  remoteRestarted(): void {
    if (this.down) this.restarted = true;
  }

  /** Stops the timers; no action runs after it. Idempotent. */
  destroy(): void {
    this.disarm();
    this.state = 'done';
  }

  private afterGrace(): void {
    this.disarm();
    if (this.config.role === 'none') {
      this.finish('ice disconnected (no ICE restart on this side)');
      return;
    }
    this.state = 'restarting';
    this.arm(this.config.restartTimeoutMs, () => {
      this.finish(this.config.role === 'restart' ? 'ice restart timed out' : 'ice disconnected, no restart from the offerer');
    });
    if (this.config.role === 'restart') {
      this.restarted = true;
      this.actions.restart();
    }
  }

  private finish(reason: string): void {
    this.disarm();
    this.state = 'done';
    this.actions.giveUp(reason);
  }

  private arm(ms: number, fn: () => void): void {
    this.disarm();
    this.armed = true;
    this.timer = this.clock.setTimeout(() => {
      this.armed = false;
      fn();
    }, ms);
  }

  private disarm(): void {
    if (!this.armed) return;
    this.armed = false;
    this.clock.clearTimeout(this.timer);
  }
}
