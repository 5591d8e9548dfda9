import type { SegmentRef } from '@swarmcast/protocol';

/** Renditions whose URL pattern is kept; past them, the least recently asked is forgotten. */
const MAX_RENDITIONS = 16;

interface Seen {
  readonly sn: number;
  readonly url: string;
}

interface Pattern {
  /** The URL before and after the digits that carry the sequence number. */
  readonly prefix: string;
  readonly suffix: string;
  /** Zero-padded to this many digits (0: not padded). */
  readonly width: number;
}

/**
 * Where the player will find a segment it has not asked for yet, from the URLs it asked for before:
 * when the last two segments of a rendition were named by their sequence numbers (seg-41.ts,
 * seg-42.ts; ffmpeg's and most packagers' live naming), the next is the same name with its number.
 * Anything else (timestamps, ids, byte ranges of one file) gives no prediction. Used for a fetch a
 * peer's WANT starts before our player asks (see Engine); a peer never names the URL.
 */
export class SegmentUrls {
  private readonly last = new Map<string, { previous: Seen | undefined; latest: Seen }>();

  /** The player asked for `ref` at `url` (whole resource: no byte range). */
  asked(ref: SegmentRef, url: string): void {
    const seen = this.last.get(ref.rendition);
    if (seen?.latest.sn === ref.sn) return;
    this.last.delete(ref.rendition);
    this.last.set(ref.rendition, { previous: seen?.latest, latest: { sn: ref.sn, url } });
    if (this.last.size > MAX_RENDITIONS) this.last.delete(this.last.keys().next().value ?? '');
  }

  /** The URL of `ref` by its rendition's naming, or undefined if the naming is not known. */
  predict(ref: SegmentRef): string | undefined {
    const seen = this.last.get(ref.rendition);
    if (seen?.previous === undefined) return undefined;
    const pattern = patternOf(seen.latest);
    if (pattern === undefined || nameOf(pattern, seen.previous.sn) !== seen.previous.url) return undefined;
    return nameOf(pattern, ref.sn);
  }
}

/** The last run of digits in the URL's path that reads as its sequence number (none: undefined). */
function patternOf(seen: Seen): Pattern | undefined {
  const path = seen.url.slice(0, pathEnd(seen.url));
  let found: RegExpExecArray | undefined;
  for (const digits of path.matchAll(/\d+/g)) if (Number(digits[0]) === seen.sn) found = digits;
  if (found === undefined) return undefined;
  const text = found[0];
  return {
    prefix: seen.url.slice(0, found.index),
    suffix: seen.url.slice(found.index + text.length),
    width: text.length > 1 && text.startsWith('0') ? text.length : 0,
  };
}

function nameOf(pattern: Pattern, sn: number): string {
  return `${pattern.prefix}${String(sn).padStart(pattern.width, '0')}${pattern.suffix}`;
}

/** Where the path ends: the query or fragment are not part of the name. */
function pathEnd(url: string): number {
  const q = url.search(/[?#]/);
  return q < 0 ? url.length : q;
}
