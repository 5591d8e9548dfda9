/**
 * The swarm's seeders: peers the tracker names as fetching every new segment over HTTP as it
 * appears (edge peers). A load with no time for the usual P2P attempt (startup, a thin buffer) may
 * wait a short, bounded time for one of them to be connected and hold the segment: it delivers about
 * as fast as the CDN, and every segment it serves is one the CDN does not.
 */
import type { SegmentRef } from '@swarmcast/protocol';
import type { Peer } from './peer.js';
import type { Clock } from './ports.js';

/**
 * A seeder with this many late deliveries against it is not waited for: one is forgiven (a short
 * seederWaitMs on a busy machine ends a sound transfer), two are not (a seeder that sends nothing).
 */
const MAX_LATE = 2;

/** Most seeder ids remembered (tracker ids: a tracker reconnect brings new ones), oldest forgotten first. */
const MAX_KNOWN_SEEDERS = 64;

export interface SeederWatchHost {
  readonly clock: Clock;
  /** Every peer connection, ready or still being made. */
  peers(): Iterable<Peer>;
}

export class SeederWatch {
  private readonly known = new Set<string>();
  private readonly waiters = new Set<() => void>();
  /** The tracker answered (a peer list, with or without seeders). */
  private answered = false;
  /** With expectSeeder: until when loads wait for the tracker's first answer (set by the first one). */
  private answerWaitUntilMs: number | undefined;

  /**
   * @param waitMs the longest wait for a seeder, per load and per seeder connection (EngineConfig.seederWaitMs).
   * @param expect wait for the tracker's first answer too, waitMs in all (EngineConfig.expectSeeder).
   */
  constructor(
    private readonly waitMs: number,
    private readonly host: SeederWatchHost,
    private readonly expect = false,
  ) {}

  /** The tracker answered with a peer list; `seeders` are the listed peers that seed. */
  listed(seeders: readonly string[]): void {
    this.answered = true;
    for (const id of seeders) {
      this.known.delete(id);
      if (this.known.size >= MAX_KNOWN_SEEDERS) {
        const oldest = this.known.keys().next();
        if (oldest.done !== true) this.known.delete(oldest.value);
      }
      this.known.add(id);
    }
    this.changed();
  }

  isSeeder(peer: Peer): boolean {
    return this.known.has(peer.id);
  }

  /** What a waiter looks at may have changed: a peer became ready or closed, or announced a segment. */
  changed(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * A ready seeder that holds `ref` or is receiving it, with at most one late delivery against it.
   * Waits for one until `untilMs` at most, and only while one may still come: while a listed
   * seeder's connection, begun less than waitMs ago, is being made or has not sent its HAVE-MAP yet.
   * Never waits when no seeder is known, before the tracker's answer too (a swarm without seeders
   * must not pay for them at startup), unless a seeder is expected: then the tracker's first answer
   * is waited for, waitMs in all.
   */
  async holding(ref: SegmentRef, untilMs: number, signal: AbortSignal): Promise<Peer | undefined> {
    const { clock } = this.host;
    for (;;) {
      if (signal.aborted) return undefined;
      let pendingUntilMs = Number.NEGATIVE_INFINITY;
      if (this.expect && !this.answered) {
        this.answerWaitUntilMs ??= clock.now() + this.waitMs;
        pendingUntilMs = this.answerWaitUntilMs;
      }
      for (const peer of this.host.peers()) {
        // An interrupted seeder (its path broke) gets no requests and is not waited for.
        if (peer.closed || !this.known.has(peer.id) || (peer.ready && !peer.usable)) continue;
        if (peer.ready && peer.sentHaveMap) {
          if (peer.stateOf(ref) !== undefined && peer.lateDeliveries < MAX_LATE) return peer;
        } else {
          pendingUntilMs = Math.max(pendingUntilMs, peer.connectedAtMs + this.waitMs);
        }
      }
      const stopMs = Math.min(untilMs, pendingUntilMs);
      if (clock.now() >= stopMs) return undefined;
      await this.wait(stopMs, signal);
    }
  }

  /** Resolves at the next change, at `untilMs`, or on abort. */
  private wait(untilMs: number, signal: AbortSignal): Promise<void> {
    const { clock } = this.host;
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = clock.setTimeout(wake, Math.max(0, untilMs - clock.now()));
      signal.addEventListener('abort', wake);
      this.waiters.add(wake);
    });
  }

  /** Wakes every waiter (they find nothing and go to HTTP). */
  destroy(): void {
    this.changed();
    this.known.clear();
  }
}
