/**
 * An acquisition's HTTP part: what peers left of the segment, with a Range request from the offset
 * they reached, or the tail of a late peer's transfer while the peer sends the head.
 */
import type { AcquiredSegment } from './acquisition-host.js';
import type { AcquisitionParts } from './acquisition-parts.js';
import { throwIfLoadAborted } from './errors.js';
import type { LateHead } from './late-split.js';
import { PartialSegment } from './partial-segment.js';
import { fetchSegmentBytes, settle, type SegmentLocation, type Settled } from './segment-http.js';

/** GETs the segment, whole (offsetBytes undefined) or a part of it: see fetchSegmentBytes. */
type HttpGet = (offsetBytes: number | undefined, endBytes?: number) => Promise<Uint8Array>;

/** The segment at `at` by HTTP, completing what peers assembled when it fits and passes the check. */
export async function fromHttp(parts: Pick<AcquisitionParts, 'host' | 'signal' | 'assembly' | 'fallback'>, at: SegmentLocation): Promise<AcquiredSegment> {
  const { host, signal, assembly } = parts;
  const httpGet: HttpGet = (offsetBytes, endBytes) => fetchSegmentBytes(host, at, signal, offsetBytes, endBytes);
  // Once per segment, when its first HTTP request leaves (a late peer may bring all of it).
  const countFetch = parts.fallback.fetchCounter();
  const head = assembly.lateHead;
  if (head && assembly.partial) {
    assembly.lateHead = undefined;
    const split = await fromHttpWithHead(parts, httpGet, head, assembly.partial.totalBytes, countFetch);
    if (split) return split;
    countFetch();
    return { bytes: await httpGet(undefined), source: 'http' };
  }
  countFetch();
  const partial = assembly.partial;
  if (partial && partial.receivedBytes > 0) {
    const rest = await httpGet(partial.receivedBytes);
    if (rest.length === partial.totalBytes - partial.receivedBytes) {
      partial.append(partial.receivedBytes, rest);
      if ((await assembly.checked(partial.bytes, host.clock.now())) === 'ok') return { bytes: partial.bytes, source: 'p2p' };
      return { bytes: await httpGet(undefined), source: 'http' };
    }
    // The server ignored the range, or the peers' size was wrong: a full body is the segment.
    if (rest.length !== partial.totalBytes) return { bytes: await httpGet(undefined), source: 'http' };
    return { bytes: rest, source: 'http' };
  }
  return { bytes: await httpGet(undefined), source: 'http' };
}

/**
 * The tail of a late transfer over HTTP while its peer sends the head (see late-split.ts); the
 * gap too if the peer fell short. Undefined when the bytes do not fit (then a whole fetch).
 */
async function fromHttpWithHead(parts: Pick<AcquisitionParts, 'host' | 'signal' | 'assembly'>, httpGet: HttpGet, head: LateHead, totalBytes: number, countFetch: () => void): Promise<AcquiredSegment | undefined> {
  const { host, assembly } = parts;
  const { splitBytes } = head;
  let tail: Promise<Settled<Uint8Array>> | undefined;
  if (splitBytes < totalBytes) {
    countFetch();
    tail = settle(httpGet(splitBytes));
  }
  await head.ended;
  throwIfLoadAborted(parts.signal);
  // The peer's bytes may have been thrown away meanwhile (a relay answering absent).
  const partial = assembly.partial ?? new PartialSegment(totalBytes);
  assembly.partial = partial;
  if (partial.receivedBytes < splitBytes) {
    countFetch();
    host.countLateSplit('gaps', 1);
    const gap = await httpGet(partial.receivedBytes, splitBytes);
    if (gap.length !== splitBytes - partial.receivedBytes) return undefined;
    partial.append(partial.receivedBytes, gap);
  }
  if (tail) {
    const rest = await tail;
    if (!rest.ok) throw rest.error;
    if (rest.value.length !== totalBytes - splitBytes) return undefined;
    partial.append(splitBytes, rest.value);
  }
  if ((await assembly.checked(partial.bytes, host.clock.now())) !== 'ok') return undefined;
  return { bytes: partial.bytes, source: assembly.fromPeers ? 'p2p' : 'http' };
}
