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

/** A segment as a viewer reports it: a plain sn is one of the single-rendition stream's. */
export type SegmentKey = number | { readonly rendition: string; readonly sn: number };

/** The origin's bytes of a rendition's segment (renditions as viewers name them), for multi-rendition streams. */
export type RenditionBytes = (rendition: string, sn: number) => Promise<Uint8Array | undefined>;

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
  /** key -> hex hash, or null when the origin had no such segment when asked. */
  private readonly hashes = new Map<string, string | null>();
  private readonly pending = new Map<string, Promise<void>>();
  /** The origin's bytes of a segment; `rendition` is ignored by single-rendition streams. */
  private readonly bytesOf: (rendition: string, sn: number) => Promise<Uint8Array | undefined>;
  private readonly byRendition: boolean;

  constructor(origin: SegmentSourceOfTruth, kind: StreamKind);
  constructor(renditionBytes: RenditionBytes);
  constructor(source: SegmentSourceOfTruth | RenditionBytes, kind?: StreamKind) {
    if (typeof source === 'function') {
      this.bytesOf = source;
      this.byRendition = true;
    } else {
      const streamKind = kind ?? 'live';
      this.bytesOf = (_rendition, sn) => source.segmentBytes(streamKind, sn);
      this.byRendition = false;
    }
  }

  /** Fetches and hashes the origin's copy of every segment not seen yet. */
  async add(segments: Iterable<SegmentKey>): Promise<void> {
    const work: Promise<void>[] = [];
    for (const segment of segments) {
      const rendition = typeof segment === 'number' ? '' : segment.rendition;
      const sn = typeof segment === 'number' ? segment : segment.sn;
      const key = this.key(rendition, sn);
      if (this.hashes.has(key)) continue;
      let job = this.pending.get(key);
      if (!job) {
        job = this.fetch(key, rendition, sn).finally(() => this.pending.delete(key));
        this.pending.set(key, job);
      }
      work.push(job);
    }
    await Promise.all(work);
  }

  get(sn: number, rendition = ''): string | null | undefined {
    return this.hashes.get(this.key(rendition, sn));
  }

  /** Compares every segment of every viewer with the origin's copy (call add() for them first). */
  check(viewers: readonly { readonly segments: readonly SegmentRecord[] }[]): SegmentCheck {
    let verified = 0;
    let verifiedP2p = 0;
    const mismatches: string[] = [];
    const unavailable: string[] = [];
    viewers.forEach((viewer, i) => {
      for (const s of viewer.segments) {
        const expected = this.hashes.get(this.key(s.rendition, s.sn));
        const label = `viewer#${i}${this.byRendition ? ` rendition=${s.rendition}` : ''} sn=${s.sn} source=${s.source}`;
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

  private key(rendition: string, sn: number): string {
    return this.byRendition ? `${rendition}/${sn}` : `${sn}`;
  }

  private async fetch(key: string, rendition: string, sn: number): Promise<void> {
    const bytes = await this.bytesOf(rendition, sn);
    this.hashes.set(key, bytes ? createHash('sha256').update(bytes).digest('hex') : null);
  }
}
