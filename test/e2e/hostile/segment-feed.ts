/**
 * What the hostile page knows of the stream: it reads the master playlist once, then polls the
 * first media playlist much faster than a player does, so it learns of each new live segment
 * before the viewers do. Optionally it fetches every new segment (to know its size and bytes).
 */
import { renditionIdFromUrl } from '@swarmcast/protocol';

/** How often the media playlist is read. */
const POLL_INTERVAL_MS = 200;
/** Segments kept in memory, newest last. */
const MAX_KEPT = 30;

export interface FeedSegment {
  readonly sn: number;
  readonly url: string;
  /** The origin's bytes (only when the feed fetches). */
  readonly bytes?: Uint8Array;
}

export interface SegmentFeedOptions {
  readonly masterUrl: string;
  /** Fetch each new segment before announcing it. */
  readonly fetchBytes: boolean;
  readonly onSegment: (segment: FeedSegment) => void;
  readonly onError: (message: string) => void;
}

export class SegmentFeed {
  /** The rendition id viewers use for this stream's (first) media playlist; '' until known. */
  rendition = '';
  /** Segments seen so far. */
  seen = 0;
  private mediaUrl = '';
  private readonly segments = new Map<number, FeedSegment>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly options: SegmentFeedOptions) {}

  /** Resolves once the media playlist is known and read once. */
  async start(): Promise<void> {
    const master = await fetchText(this.options.masterUrl);
    const uri = master.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
    if (uri === undefined) throw new Error(`no variant in ${this.options.masterUrl}`);
    this.mediaUrl = new URL(uri, this.options.masterUrl).href;
    this.rendition = renditionIdFromUrl(this.mediaUrl);
    await this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  get(sn: number): FeedSegment | undefined {
    return this.segments.get(sn);
  }

  /** Known segments, oldest first. */
  list(): FeedSegment[] {
    return [...this.segments.values()];
  }

  /** Fetches a segment's bytes from the origin (for attacks that fetch on demand). */
  async fetchSegment(sn: number): Promise<Uint8Array | undefined> {
    const known = this.segments.get(sn);
    if (!known) return undefined;
    if (known.bytes) return known.bytes;
    const response = await fetch(known.url);
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    try {
      const playlist = await fetchText(this.mediaUrl);
      const lines = playlist.split('\n').map((l) => l.trim());
      const sequence = Number(/^#EXT-X-MEDIA-SEQUENCE:(\d+)$/m.exec(playlist)?.[1] ?? 0);
      const uris = lines.filter((l) => l !== '' && !l.startsWith('#'));
      for (const [i, uri] of uris.entries()) {
        const sn = sequence + i;
        if (this.segments.has(sn) || this.isStopped()) continue;
        const url = new URL(uri, this.mediaUrl).href;
        const bytes = this.options.fetchBytes ? new Uint8Array(await (await fetch(url)).arrayBuffer()) : undefined;
        const segment: FeedSegment = bytes ? { sn, url, bytes } : { sn, url };
        this.segments.set(sn, segment);
        this.seen += 1;
        while (this.segments.size > MAX_KEPT) {
          const oldest = this.segments.keys().next().value;
          if (oldest === undefined) break;
          this.segments.delete(oldest);
        }
        this.options.onSegment(segment);
      }
    } catch (error) {
      this.options.onError(`playlist poll: ${String(error)}`);
    }
    if (!this.isStopped()) this.timer = setTimeout(() => void this.poll(), POLL_INTERVAL_MS);
  }

  /** A method, not the field: stop() may run while poll() awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return response.text();
}
