/**
 * What the hostile page reports through `window.__hostileReport()`: the contract between the page
 * (test/e2e/hostile/main.ts) and the e2e test and benchmark. Plain JSON; times are ms since the
 * epoch on the browser's clock (performance.timeOrigin + performance.now()), the same clock the
 * viewer page stamps its disconnects with.
 */

/** The attacks the page can run, one per page (`?attack=`). */
export const ATTACKS = ['corrupt', 'wrongSequence', 'falseHave', 'flood'] as const;
export type AttackName = (typeof ATTACKS)[number];

/** One connection of the hostile page to an honest viewer, and what it did there. */
export interface VictimLog {
  /** The hostile page's tracker id on this connection (flood uses a new one per round). */
  readonly identity: string;
  /** The viewer's tracker id. */
  readonly victim: string;
  /** Which form of the attack this victim got, e.g. 'flipped', 'absent', 'controlFlood'. */
  readonly variant: string;
  /** When the DataChannel opened; null if it never did. */
  readonly openedAtMs: number | null;
  /** When the first bad byte or message left (or a request was left unanswered); null if none yet. */
  readonly firstBadAtMs: number | null;
  /** What that first bad thing was. */
  readonly firstBad: string | null;
  /** Requests received from the victim. */
  readonly requests: number;
  /** Bad messages sent (segments served wrong, floods counted per message). */
  readonly badSent: number;
  /** When the page saw the connection end, and why; null while open. */
  readonly closedAtMs: number | null;
  readonly closeReason: string | null;
}

export interface HostileReport {
  readonly attack: AttackName;
  /** Tracker ids the page used, in order. */
  readonly identities: readonly string[];
  readonly victims: readonly VictimLog[];
  /** Live segments the page has seen in the playlist. */
  readonly segmentsSeen: number;
  /** false while the attack still runs (flood: rounds left). */
  readonly done: boolean;
  readonly errors: readonly string[];
}

declare global {
  interface Window {
    __hostileReport?: () => HostileReport;
  }
}
