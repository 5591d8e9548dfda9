/**
 * Paces our uploads a little under the uplink the meter measured, so the bytes wait in our own
 * queue and not in the network's. A browser's SCTP associations, one per peer, each grow their
 * congestion window until the router's queue overflows, then lose packets and back off; several
 * of them on one uplink keep its queue full and drop ~7 % of packets (bench:live constrained,
 * 720 kbit/s and a 200 ms tbf queue), and uploads that were admitted in time end late. Paced at
 * 89 % of that link, the same run dropped 93 packets instead of ~1,200 and carried 72 % from peers
 * instead of ~47 %.
 *
 * The meter only measures the link when the channels themselves back up; paced below the link they
 * never do, so the pace creeps up while it is what holds uploads back and the channels keep up,
 * until they back up, the meter reads the link again, and the pace starts again under it. Pure:
 * time and the measurement are passed in.
 */
export class UplinkPace {
  private bytesPerMs: number | undefined;
  /** When the measurement the pace derives from was taken. */
  private fromMeasuredAtMs: number | undefined;
  private grownAtMs = 0;
  /** The pace made an upload wait since it last grew: the uploads want more than it lets out. */
  private limited = false;

  /**
   * @param gain the pace as a share of a new measurement.
   * @param growth the factor the pace grows by, at most once per `growthIntervalMs`, while it holds
   *   uploads back and the channels keep up.
   * @param holdMs no growth this long after a measurement: the link was just found.
   */
  constructor(
    private readonly gain = PACE_GAIN,
    private readonly growth = PACE_GROWTH,
    private readonly growthIntervalMs = PACE_GROWTH_INTERVAL_MS,
    private readonly holdMs = PACE_HOLD_MS,
  ) {}

  /**
   * The pace now, bytes per ms; undefined before the first measurement (nothing to pace against:
   * the uplink must back up once to be measured).
   * @param measured the meter's rate and when it was taken, undefined until measured.
   * @param keptUp whether the channels hold no more than the messages just handed to them.
   */
  update(nowMs: number, measured: { readonly bytesPerMs: number; readonly atMs: number } | undefined, keptUp: () => boolean): number | undefined {
    if (measured === undefined) return undefined;
    if (measured.atMs !== this.fromMeasuredAtMs || this.bytesPerMs === undefined) {
      this.bytesPerMs = this.gain * measured.bytesPerMs;
      this.fromMeasuredAtMs = measured.atMs;
      this.grownAtMs = nowMs;
      this.limited = false;
    } else if (this.limited && nowMs - this.grownAtMs >= this.growthIntervalMs && nowMs - measured.atMs >= this.holdMs && keptUp()) {
      this.bytesPerMs *= this.growth;
      this.grownAtMs = nowMs;
      this.limited = false;
    }
    return this.bytesPerMs;
  }

  /** The pace made an upload wait. */
  waited(): void {
    this.limited = true;
  }
}

/** A new measurement's share the pace starts at: under the link, with room for the meter's error. */
const PACE_GAIN = 0.9;
/** 4 % per growth interval: from 0.9 to 1.0 of the link in ~0.7 s of uploads held back. */
const PACE_GROWTH = 1.04;
const PACE_GROWTH_INTERVAL_MS = 250;
const PACE_HOLD_MS = 1_000;
