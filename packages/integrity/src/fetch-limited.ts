import { INTEGRITY_AUTHORITY_USER_AGENT, type ResourceRange } from '@swarmcast/protocol';
import { IntegrityError } from './errors.js';
import type { IntegrityErrorCode } from './errors.js';
import { isAborted } from './sleep.js';

export interface FetchLimits {
  /** Bodies beyond this are refused, before or while reading them. */
  maxBytes: number;
  /** The whole request, body included, must end within this. */
  timeoutMs: number;
}

export interface FetchedBody {
  bytes: Uint8Array;
  /** The URL after redirects: the base that relative URIs in a playlist resolve against. */
  url: string;
}

const CODES = {
  playlist: { failed: 'PLAYLIST_FETCH_FAILED', tooLarge: 'PLAYLIST_TOO_LARGE' },
  segment: { failed: 'SEGMENT_FETCH_FAILED', tooLarge: 'SEGMENT_TOO_LARGE' },
} as const satisfies Record<string, { failed: IntegrityErrorCode; tooLarge: IntegrityErrorCode }>;

/**
 * GETs url with a size cap and a timeout; the body is streamed so an oversized one is cut off
 * early. With `range`, sends a Range request and returns exactly those bytes (cut from the body
 * when the server ignored Range and sent the whole resource, within the size cap).
 * Throws IntegrityError, or the signal's reason once `signal` aborts.
 */
export async function fetchLimited(
  url: string,
  kind: keyof typeof CODES,
  limits: FetchLimits,
  signal: AbortSignal,
  range?: ResourceRange,
): Promise<FetchedBody> {
  signal.throwIfAborted();
  const codes = CODES[kind];
  const controller = new AbortController();
  const onAbort = (): void => {
    controller.abort(signal.reason);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    controller.abort();
  }, limits.timeoutMs);
  try {
    const headers: Record<string, string> = { 'user-agent': INTEGRITY_AUTHORITY_USER_AGENT };
    if (range !== undefined) headers.range = `bytes=${range.startBytes}-${range.endBytes - 1}`;
    const res = await fetch(url, { signal: controller.signal, redirect: 'follow', headers });
    if (!res.ok) {
      await res.body?.cancel();
      throw new IntegrityError(codes.failed, `HTTP ${res.status} for ${kind}`, { url });
    }
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > limits.maxBytes) {
      await res.body?.cancel();
      throw new IntegrityError(codes.tooLarge, `${kind} of ${declared} bytes, limit ${limits.maxBytes}`, { url });
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body !== null) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > limits.maxBytes) {
          await reader.cancel();
          throw new IntegrityError(codes.tooLarge, `${kind} larger than ${limits.maxBytes} bytes`, { url });
        }
        chunks.push(value);
      }
    }
    const bytes = concat(chunks, total);
    return { bytes: range === undefined ? bytes : rangeOf(bytes, res.status, range, url), url: res.url === '' ? url : res.url };
  } catch (error) {
    if (error instanceof IntegrityError) throw error;
    if (isAborted(signal)) throw signal.reason;
    // Aborted, but not by the caller: the timer did it.
    if (controller.signal.aborted) throw new IntegrityError('FETCH_TIMEOUT', `${kind} not received within ${limits.timeoutMs} ms`, { url, cause: error });
    throw new IntegrityError(codes.failed, `${kind} request failed: ${error instanceof Error ? error.message : String(error)}`, { url, cause: error });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The bytes of `range` from a response to a Range request (206: the body; 200: cut from the whole resource). */
function rangeOf(body: Uint8Array, status: number, range: ResourceRange, url: string): Uint8Array {
  const expected = range.endBytes - range.startBytes;
  if (status === 206 && body.byteLength === expected) return body;
  if (status === 200 && body.byteLength >= range.endBytes) return body.subarray(range.startBytes, range.endBytes);
  throw new IntegrityError('SEGMENT_FETCH_FAILED', `bytes ${range.startBytes}-${range.endBytes - 1}: HTTP ${status} with ${body.byteLength} bytes`, { url });
}
