/**
 * Fetches and parses one HLS playlist with a size cap and a timeout: playlists come from the
 * network and are untrusted. The parser is the integrity authority's (strict, bounded: at most
 * MAX_VARIANTS variants, u32 sequence numbers), so the edge peer reads a playlist exactly as the
 * authority that signs its segments does.
 */
import { parsePlaylist, type ParsedPlaylist } from '@swarmcast/integrity';

export interface PlaylistLimits {
  /** Largest playlist body accepted, bytes. */
  readonly maxBytes: number;
  /** The whole request, body included, must end within this, ms. */
  readonly timeoutMs: number;
}

export interface FetchedPlaylist {
  readonly playlist: ParsedPlaylist;
  /** The URL after redirects: what relative URIs resolve against and what rendition ids are made of (as hls.js does). */
  readonly finalUrl: string;
}

/** GETs and parses `url`; throws an Error naming the URL on any failure, or the signal's reason once `signal` aborts. */
export async function fetchPlaylist(url: string, limits: PlaylistLimits, signal: AbortSignal): Promise<FetchedPlaylist> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  try {
    const response = await fetch(url, { signal: combined, redirect: 'follow' });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > limits.maxBytes) {
      await response.body?.cancel();
      throw new Error(`playlist of ${declared} bytes, limit ${limits.maxBytes}`);
    }
    const text = await readText(response, limits.maxBytes);
    const finalUrl = response.url === '' ? url : response.url;
    return { playlist: parsePlaylist(text, finalUrl), finalUrl };
  } catch (error) {
    signal.throwIfAborted();
    const why = timeout.aborted ? `not received within ${limits.timeoutMs} ms` : error instanceof Error ? error.message : String(error);
    throw new Error(`playlist ${url}: ${why}`, { cause: error });
  }
}

async function readText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`playlist larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
