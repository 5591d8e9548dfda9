/**
 * SHA-256 of the origin's own copy of each segment, fetched while the run goes on (a live window
 * slides: a segment a viewer played a minute ago may be gone from the origin by the end).
 */
import { createHash } from 'node:crypto';
import type { SegmentRecord } from '@swarmcast/web';

export type StreamKind = 'live' | 'vod';

/** What this needs from the origin. */
export interface SegmentSourceOfTruth {
  segmentBytes(kind: StreamKind, sn: number): Promise<Uint8Array | undefined>;
}

export interface SegmentCheck {
  /** Segments whose hash matched the origin's. */
  readonly verified: number;
  /** Of which received from peers. */
  readonly verifiedP2p: number;
  /** `viewer#i sn=N source=...: page HASH != origin HASH`. */
  readonly mismatches: readonly string[];
  /** Segments the origin no longer (or never) had, so they could not be checked. */
  readonly unavailable: readonly string[];
}

export class OriginHashes {
  /** sn -> hex hash, or null when the origin had no such segment when asked. */
  private readonly hashes = new Map<number, string | null>();
  private readonly pending = new Map<number, Promise<void>>();

  constructor(
    private readonly origin: SegmentSourceOfTruth,
    private readonly kind: StreamKind,
  ) {}

  /** Fetches and hashes the origin's copy of every sn not seen yet. */
  async add(sns: Iterable<number>): Promise<void> {
    const work: Promise<void>[] = [];
    for (const sn of new Set(sns)) {
      if (this.hashes.has(sn)) continue;
      let job = this.pending.get(sn);
      if (!job) {
        job = this.fetch(sn).finally(() => this.pending.delete(sn));
        this.pending.set(sn, job);
      }
      work.push(job);
    }
    await Promise.all(work);
  }

  get(sn: number): string | null | undefined {
    return this.hashes.get(sn);
  }

  /** Compares every segment of every viewer with the origin's copy (call add() for them first). */
  check(viewers: readonly { readonly segments: readonly SegmentRecord[] }[]): SegmentCheck {
    let verified = 0;
    let verifiedP2p = 0;
    const mismatches: string[] = [];
    const unavailable: string[] = [];
    viewers.forEach((viewer, i) => {
      for (const s of viewer.segments) {
        const expected = this.hashes.get(s.sn);
        const label = `viewer#${i} sn=${s.sn} source=${s.source}`;
        if (expected === undefined || expected === null) unavailable.push(label);
        else if (expected !== s.sha256) mismatches.push(`${label}: page ${s.sha256} != origin ${expected}`);
        else {
          verified += 1;
          if (s.source === 'p2p') verifiedP2p += 1;
        }
      }
    });
    return { verified, verifiedP2p, mismatches, unavailable };
  }

  private async fetch(sn: number): Promise<void> {
    const bytes = await this.origin.segmentBytes(this.kind, sn);
    this.hashes.set(sn, bytes ? createHash('sha256').update(bytes).digest('hex') : null);
  }
}
