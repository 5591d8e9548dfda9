/** A segment's bytes over HTTP, whole or a part of it, as an acquisition fetches them. */
import type { SegmentRef } from '@swarmcast/protocol';
import type { AcquisitionHost } from './acquisition-host.js';
import { EngineError } from './errors.js';
import type { ByteRange } from './ports.js';

/** Where a segment lies: its URL and, for an EXT-X-BYTERANGE segment, its range in that resource. */
export interface SegmentLocation {
  readonly ref: SegmentRef;
  readonly url: string;
  readonly range: ByteRange | undefined;
}

/**
 * GETs the segment from `offsetBytes` (of the segment, not of the resource) to `endBytes` or its
 * end, or whole when offsetBytes is undefined. A byte-range segment's offsets are added to its
 * start in the resource. Counts the bytes and samples the fetch time (a whole segment's) for the host.
 */
export async function fetchSegmentBytes(host: AcquisitionHost, at: SegmentLocation, signal: AbortSignal, offsetBytes: number | undefined, endBytes?: number): Promise<Uint8Array> {
  host.downloading(at.ref);
  const { clock } = host;
  try {
    const segment = at.range;
    const end = endBytes === undefined ? segment?.endBytes : (segment?.startBytes ?? 0) + endBytes;
    const range: ByteRange | undefined =
      segment === undefined && offsetBytes === undefined && end === undefined
        ? undefined
        : { startBytes: (segment?.startBytes ?? 0) + (offsetBytes ?? 0), ...(end === undefined ? {} : { endBytes: end }) };
    const startedMs = clock.now();
    const response = await host.http.fetch(range === undefined ? { url: at.url } : { url: at.url, range }, signal);
    host.countBytes('http', response.bytes.length);
    host.httpSample(response.bytes.length, clock.now() - startedMs, offsetBytes === undefined);
    return range?.endBytes === undefined ? response.bytes : fitRange(response.bytes, range);
  } catch (cause) {
    if (signal.aborted) throw new EngineError('LOAD_ABORTED', 'segment load aborted', { cause });
    throw new EngineError('HTTP_FAILED', `GET ${at.url} failed: ${String(cause)}`, { cause });
  }
}

/**
 * The bytes of `range` from a response to a Range request: the body itself, or the range cut from
 * it when the server ignored Range and sent the whole file. Anything else cannot be the range.
 */
function fitRange(body: Uint8Array, range: ByteRange): Uint8Array {
  if (range.endBytes === undefined) return body;
  const expected = range.endBytes - range.startBytes;
  if (body.length === expected) return body;
  if (body.length >= range.endBytes) return body.subarray(range.startBytes, range.endBytes);
  throw new Error(`expected bytes ${range.startBytes}-${range.endBytes - 1} (${expected} bytes), got ${body.length} bytes`);
}

export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** A promise that never rejects: its failure waits, handled, until it is looked at. */
export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}
