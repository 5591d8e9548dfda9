/**
 * Rendezvous (highest-random-weight) hashing: every peer ranks the same candidates the same way
 * for a given segment, so the swarm agrees on who fetches a new segment over HTTP without talking.
 */

import { hash32 } from '@swarmcast/protocol';

/** Defined in protocol since rendition ids use it too; re-exported for core's public API. */
export { hash32 };

export interface RendezvousCandidate {
  readonly id: string;
  /** Relative capacity (e.g. upload kbit/s); <= 0 counts as 1. */
  readonly weight: number;
}

/** Weighted score: -weight / ln(u) with u uniform in (0,1) from the hash; higher wins. */
function score(candidate: RendezvousCandidate, key: string): number {
  const u = (hash32(`${candidate.id}|${key}`) + 0.5) / 4294967296;
  const w = candidate.weight > 0 ? candidate.weight : 1;
  return -w / Math.log(u);
}

/** The ids of the top `count` candidates for `key`, best first. */
export function rendezvousTop(candidates: readonly RendezvousCandidate[], key: string, count: number): string[] {
  return candidates
    .map((c) => ({ id: c.id, s: score(c, key) }))
    .sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1))
    .slice(0, count)
    .map((c) => c.id);
}
