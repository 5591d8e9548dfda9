import type { HttpPort, HttpRequest, HttpResponse } from '@swarmcast/core';
import { LIMITS } from '@swarmcast/protocol';

/** Segment downloads with fetch(): Range requests, progress, abort, and a size bound. */
export function createFetchHttp(maxBytes: number = LIMITS.maxSegmentBytes): HttpPort {
  return {
    async fetch(request: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
      const headers: Record<string, string> = {};
      if (request.range) {
        const end = request.range.endBytes === undefined ? '' : String(request.range.endBytes - 1);
        headers.Range = `bytes=${request.range.startBytes}-${end}`;
      }
      const response = await fetch(request.url, { headers, signal });
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${request.url}`);
      const length = Number(response.headers.get('Content-Length') ?? NaN);
      if (length > maxBytes) throw new Error(`response of ${length} bytes exceeds ${maxBytes}`);
      const totalBytes = parseTotal(response.headers.get('Content-Range')) ?? (Number.isFinite(length) ? length : undefined);
      // A body of known, allowed size (not compressed: Content-Length would not bound what it
      // inflates to) with nobody watching its progress is read in one go: each streamed chunk costs
      // a main-thread task, which a busy page (a seek, a startup) waits for.
      const whole = Number.isFinite(length) && response.headers.get('Content-Encoding') === null && request.onProgress === undefined;
      const bytes = whole ? await readWhole(response, length) : await readBody(response, maxBytes, request.onProgress);
      return totalBytes === undefined ? { bytes } : { bytes, totalBytes };
    },
  };
}

function parseTotal(contentRange: string | null): number | undefined {
  const match = contentRange ? /\/(\d+)$/.exec(contentRange) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The whole body, which must be the `length` bytes the Content-Length header announced. */
async function readWhole(response: Response, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length !== length) throw new Error(`body of ${bytes.length} bytes, Content-Length ${length}`);
  return bytes;
}

async function readBody(response: Response, maxBytes: number, onProgress?: (loadedBytes: number) => void): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.length;
    if (loaded > maxBytes) {
      await reader.cancel();
      throw new Error(`body exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
    onProgress?.(loaded);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
