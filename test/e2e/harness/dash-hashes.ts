/**
 * The DASH fixture's own SHA-256 of every media segment, by identity {rendition, sn} as the MPD
 * parser (shared by the authority and the Shaka integration) names it, and the check of what
 * viewers reported against them. DASH renditions (video, audio) share sns, so the key is both.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMpd } from '@swarmcast/integrity';
import type { SegmentRecord } from '@swarmcast/web';
import type { SegmentCheck } from './origin-hashes.js';

export type DashHashes = ReadonlyMap<string, string>;

function key(rendition: string, sn: number): string {
  return `${rendition}/${String(sn)}`;
}

/** Hashes every media segment the MPD at `mpdUrl` (served from `dir`) lists. */
export async function hashDashFixture(dir: string, mpdName: string, mpdUrl: string): Promise<DashHashes> {
  const mpd = parseMpd(await readFile(join(dir, mpdName), 'utf8'), mpdUrl);
  const hashes = new Map<string, string>();
  for (const rep of mpd.representations) {
    for (const s of rep.segments) {
      const file = new URL(s.url).pathname.split('/').pop() ?? '';
      const bytes = await readFile(join(dir, file)).catch(() => undefined);
      if (bytes) hashes.set(key(rep.rendition, s.sn), createHash('sha256').update(bytes).digest('hex'));
    }
  }
  return hashes;
}

export function checkDashSegments(hashes: DashHashes, viewers: readonly { readonly segments: readonly SegmentRecord[] }[]): SegmentCheck {
  let verified = 0;
  let verifiedP2p = 0;
  const mismatches: string[] = [];
  const unavailable: string[] = [];
  viewers.forEach((viewer, i) => {
    for (const s of viewer.segments) {
      const expected = hashes.get(key(s.rendition, s.sn));
      const label = `viewer#${i} ${s.rendition} sn=${s.sn} source=${s.source}`;
      if (expected === undefined) unavailable.push(label);
      else if (expected !== s.sha256) mismatches.push(`${label}: page ${s.sha256} != origin ${expected}`);
      else {
        verified += 1;
        if (s.source === 'p2p') verifiedP2p += 1;
      }
    }
  });
  return { verified, verifiedP2p, mismatches, unavailable };
}
