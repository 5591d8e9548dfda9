/** How a peer's deliveries to us went: its late ones (forgiven with time) and its last one in time. */
import type { Clock } from './ports.js';

/** A late delivery is forgiven this long after the peer's last one. */
const LATE_FORGIVEN_AFTER_MS = 10_000;

export class DeliveryRecord {
  /** Late deliveries counted (see lateDeliveries), and when the last one was. */
  private late = 0;
  private lastLateAtMs = 0;
  private inTimeAtMs = Number.NEGATIVE_INFINITY;
  private lateSince = false;

  constructor(private readonly clock: Clock) {}

  /**
   * Our requests to it that stalled or ran out of time, less those it then completed, less one for
   * every LATE_FORGIVEN_AFTER_MS since its last late one (>= 0). A late peer is asked last, so
   * without forgiveness one congested moment would rank it down for good (an office's edge peer
   * below the capped browsers).
   */
  get lateDeliveries(): number {
    if (this.late === 0) return 0;
    const forgiven = Math.floor((this.clock.now() - this.lastLateAtMs) / LATE_FORGIVEN_AFTER_MS);
    return Math.max(0, this.late - forgiven);
  }

  /** A request to it stalled or ran out of time. */
  deliveredLate(): void {
    this.late = this.lateDeliveries + 1;
    this.lastLateAtMs = this.clock.now();
    this.lateSince = true;
  }

  /** A request to it completed in time. */
  deliveredInTime(): void {
    // The forgiveness clock runs on from the last late one: lateDeliveries drops by one.
    this.late = Math.max(0, this.late - 1);
    this.inTimeAtMs = this.clock.now();
    this.lateSince = false;
  }

  /** When a request of ours to it last completed in time (-Infinity: never). */
  get lastInTimeAtMs(): number {
    return this.inTimeAtMs;
  }

  /** A request of ours to it ended late (or stalled) after the last one it completed in time. */
  get lateSinceInTime(): boolean {
    return this.lateSince;
  }
}
