import { setBounded } from './bounded-map.js';

/**
 * Which renditions a peer plays, as its announcements show: a peer that announced a segment of a
 * rendition lately is fetching that rendition. HTTP fetchers of a segment are chosen among the
 * peers that play its rendition (viewers of one ladder are one swarm, each on its own rung).
 */

/** A rendition is played if a segment of it was announced within this long. */
const RENDITION_ACTIVE_MS = 20_000;
/** Renditions remembered per peer (a ladder has a handful; the oldest is forgotten first). */
const MAX_RENDITIONS = 32;

export class RenditionActivity {
  /** Rendition → when a segment of it was last announced, oldest first. */
  private readonly lastAtMs = new Map<string, number>();

  /** A segment of `rendition` was announced at `nowMs`. */
  note(rendition: string, nowMs: number): void {
    setBounded(this.lastAtMs, rendition, nowMs, MAX_RENDITIONS);
  }

  /** Announced a segment of `rendition` within RENDITION_ACTIVE_MS of `nowMs`. */
  plays(rendition: string, nowMs: number): boolean {
    const at = this.lastAtMs.get(rendition);
    return at !== undefined && nowMs - at <= RENDITION_ACTIVE_MS;
  }

  /**
   * Whether the peer may fetch segments of `rendition`: it plays it, or nothing is known of what it
   * plays (it announced nothing lately: joining, or quiet). False only for a peer known to be on
   * other renditions.
   */
  mayPlay(rendition: string, nowMs: number): boolean {
    if (this.plays(rendition, nowMs)) return true;
    for (const at of this.lastAtMs.values()) if (nowMs - at <= RENDITION_ACTIVE_MS) return false;
    return true;
  }
}
