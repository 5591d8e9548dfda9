import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ResponseKind, StatsCounter } from './stats.js';

/** On every response: any page may fetch segments, and read the headers a segment loader needs. */
export const CORS_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Length, Content-Range',
};

/** A response, before it is sent. */
export interface Reply {
  status: number;
  kind: ResponseKind;
  headers?: OutgoingHttpHeaders;
  /** Omitted: empty body. */
  body?: Uint8Array;
}

/** Bytes handed to the socket per write; small enough that an abort leaves little unaccounted. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Writes `body` chunk by chunk, each after the previous one reached the socket. Each chunk is
 * counted as it is handed over (so a client that has read a whole body always finds it counted),
 * and taken back if the connection closes before that chunk was written.
 */
function writeCounted(res: ServerResponse, body: Uint8Array, onBytes: (delta: number) => void): void {
  let offset = 0;
  let inFlight = 0;
  res.once('close', () => {
    if (!res.writableFinished && inFlight > 0) onBytes(-inFlight);
    inFlight = 0;
  });
  const next = (error?: Error | null): void => {
    if (error != null || res.destroyed) return; // 'close' takes the chunk back
    inFlight = 0;
    if (offset >= body.length) {
      res.end();
      return;
    }
    const chunk = body.subarray(offset, offset + CHUNK_BYTES);
    offset += chunk.length;
    inFlight = chunk.length;
    onBytes(chunk.length);
    res.write(chunk, next);
  };
  next();
}

/** Sends a reply with CORS headers and Content-Length; counts it in `stats` unless stats is undefined. */
export function sendReply(res: ServerResponse, reply: Reply, options: { head: boolean; rangeHeader: boolean; stats: StatsCounter | undefined }): void {
  const body = reply.body ?? new Uint8Array(0);
  // RFC 9110 8.6: no Content-Length on a 204.
  const length = reply.status === 204 ? {} : { 'content-length': body.length };
  res.writeHead(reply.status, { ...CORS_HEADERS, ...reply.headers, ...length });
  const stats = options.stats;
  stats?.countResponse(reply.kind, reply.status, options.rangeHeader);
  if (options.head || body.length === 0) {
    res.end();
    return;
  }
  const epoch = stats?.epoch ?? 0;
  writeCounted(res, body, (delta) => stats?.countBytes(reply.kind, delta, epoch));
}

/** A short plain-text reply, for errors. */
export function textReply(status: number, text: string, headers?: OutgoingHttpHeaders): Reply {
  return {
    status,
    kind: 'other',
    headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
    body: new TextEncoder().encode(`${text}\n`),
  };
}
