/**
 * The upload we announce to peers (HELLO's uploadKbps, then UPLINK, protocol 7). A configured
 * figure (EngineConfig.uploadKbps) stands; without one, the best the upload meter measured in the
 * last 40 s, in steps of two (uplinkStep), told again when the step changes, at most every few
 * seconds. Peers weigh who fetches a new segment from the CDN, whom to ask first and who may take over a slow relay's
 * transfer by these figures: a viewer that announces nothing counts as the slowest uplink of all
 * (the simulator's issue mix, 300 peers x 120 s, seeds 7-9: 0.58-0.68 of the bytes from peers when
 * no viewer announced one, against 0.77-0.85 announcing what they measure).
 * Pure: time and the measure are passed in.
 */

/** Least time between two announcements: each goes to every peer, and each moves the swarm's choice of fetchers. */
export const UPLINK_ANNOUNCE_MIN_INTERVAL_MS = 2_000;

/**
 * Until the meter measures the uplink (only a backlog that lasts measures it, and a fast uplink
 * seldom holds one), what left it over an interval of at least this long is a lower bound of it.
 */
const GOODPUT_MIN_INTERVAL_MS = 1_000;
/**
 * What is announced is the best figure of the last ANNOUNCED_PEAK_MEMORY_MS. A meter reads low when
 * the uplink idles between uploads or the browser is short of CPU, seldom above what the uplink
 * carries (twelve viewers behind one 600 kbit/s shaper read 29-683 kbit/s at one moment),
 * so the best of the last 40 s is nearer the uplink than the reading of the moment: the
 * simulator's issue mix, 300 peers x 120 s, seeds 7-12: 0.814 of the bytes from peers, against
 * 0.803 (30 s: 0.811, 60 s: 0.813).
 */
const ANNOUNCED_PEAK_MEMORY_MS = 40_000;

/**
 * A measure in kbit/s as the power of two nearest it (at least 1): what is announced. Uplinks alike
 * measure a little apart, and ranked by the raw figures every peer asks the same few first and
 * picks different HTTP fetchers than its neighbours (the simulator's model of 12 browsers with equal
 * 600 kbit/s uplinks: 0.72 of the bytes from peers, against 0.78 announcing all the same); in
 * steps of two they announce the same (0.78), and uplinks that differ by 2.5x and more, as in the
 * issue's mix, stay apart (0.81 there, against 0.78 with raw figures).
 */
export function uplinkStep(kbps: number): number {
  return 2 ** Math.max(0, Math.round(Math.log2(kbps)));
}

export class UplinkAnnouncer {
  private announced: number;
  private announcedAtMs = Number.NEGATIVE_INFINITY;
  /** Where the present goodput interval began. */
  private intervalStart: { atMs: number; sentBytes: number } | undefined;
  /** The goodput of the last interval that ended, bytes per ms. */
  private goodput = 0;
  /**
   * The figures of the last ANNOUNCED_PEAK_MEMORY_MS that no later one equals or beats, oldest (and
   * so best) first: the sliding maximum. One entry a second at most (a VOD prefetch may update many
   * times a second): a lower figure within a second of a higher one is left out.
   */
  private readonly recent: { bytesPerMs: number; atMs: number }[] = [];

  /** @param configuredKbps EngineConfig.uploadKbps: above 0 it is announced and never replaced by a measure. */
  constructor(private readonly configuredKbps: number) {
    this.announced = configuredKbps;
  }

  /** What we announce now, kbit/s (0: nothing known yet). */
  get kbps(): number {
    return this.announced;
  }

  /**
   * The meter's reading at `nowMs` (bytes per ms; undefined: not measured yet) and the DATA bytes that
   * left our channels so far. Returns the figure to tell peers, kbit/s, when it is time to, else
   * undefined. What is announced is the best of the last 40 s of the larger of the meter's reading
   * and the goodput of the last interval of a second or more: a peer ranked last for announcing
   * nothing is asked too little to fill its uplink, so the meter alone would leave a fast uplink
   * unknown (and unused) for good.
   */
  update(nowMs: number, measuredBytesPerMs: number | undefined, sentBytes: number): number | undefined {
    if (this.configuredKbps > 0) return undefined;
    const start = this.intervalStart;
    if (start === undefined || sentBytes < start.sentBytes) this.intervalStart = { atMs: nowMs, sentBytes };
    else if (nowMs - start.atMs >= GOODPUT_MIN_INTERVAL_MS) {
      this.goodput = (sentBytes - start.sentBytes) / (nowMs - start.atMs);
      this.intervalStart = { atMs: nowMs, sentBytes };
    }
    const current = Math.max(measuredBytesPerMs ?? 0, this.goodput);
    const recent = this.recent;
    while (recent.length > 0 && (recent.at(-1)?.bytesPerMs ?? 0) <= current) recent.pop();
    if (nowMs - (recent.at(-1)?.atMs ?? Number.NEGATIVE_INFINITY) >= 1_000) recent.push({ bytesPerMs: current, atMs: nowMs });
    while (nowMs - (recent[0]?.atMs ?? nowMs) > ANNOUNCED_PEAK_MEMORY_MS) recent.shift();
    const bytesPerMs = recent[0]?.bytesPerMs ?? 0;
    if (!(bytesPerMs > 0) || nowMs - this.announcedAtMs < UPLINK_ANNOUNCE_MIN_INTERVAL_MS) return undefined;
    // bytes per ms x 8 = kbit/s; a step is at least 1, so a measured uplink never reads as "unknown".
    const kbps = uplinkStep(bytesPerMs * 8);
    if (kbps === this.announced) return undefined;
    this.announced = kbps;
    this.announcedAtMs = nowMs;
    return kbps;
  }
}
