import type { HttpPort } from './ports.js';

/**
 * Fetches a small document (a signed list, live records) through the HttpPort: cut off past
 * `maxBytes` as it arrives, rather than taken whole and refused then, and when `lifetime` aborts
 * (the engine is destroyed). Resolves with the body as text, for the caller's parser; rejects on
 * either cut-off and on any HTTP failure.
 */
export async function fetchBoundedText(http: HttpPort, url: string, maxBytes: number, lifetime: AbortSignal): Promise<string> {
  const download = new AbortController();
  const stop = (): void => {
    download.abort();
  };
  if (lifetime.aborted) stop();
  lifetime.addEventListener('abort', stop);
  const onProgress = (loadedBytes: number): void => {
    if (loadedBytes > maxBytes) download.abort();
  };
  try {
    const response = await http.fetch({ url, onProgress }, download.signal);
    return new TextDecoder().decode(response.bytes);
  } finally {
    lifetime.removeEventListener('abort', stop);
  }
}
