import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ID_PATTERN, LIMITS, type LiveRecords, type SegmentRecord } from '@swarmcast/protocol';
import { IntegrityError } from './errors.js';

/** Path of the live records document, on this server and on the tracker. */
export const LIVE_RECORDS_PATH = '/integrity/live';
/** Longest request target accepted: a swarm id encoded at 3 characters per byte, and room. */
const MAX_TARGET = 3 * LIMITS.maxSwarmIdLength + 256;

/** Where the records come from: an IntegrityAuthority, or the tracker's record hub. */
export interface LiveRecordsSource {
  /** Up to max records, lowest sn first: the latest, or with fromSn the first ones at or after it. */
  latestRecords(swarm: string, rendition: string, max: number, fromSn?: number): SegmentRecord[];
}

/** Records per answer: a live window's worth, a few KiB. */
export const LIVE_RECORDS_PER_ANSWER = 16;

export interface RecordsServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 = any free port. @default 0 */
  port?: number;
  /**
   * Requests answered per second, all clients together; past it 503 with Retry-After. Players ask
   * only while their tracker is down, once per new segment: put a CDN in front for large audiences
   * (the answers are cacheable for a second).
   * @default 2_000
   */
  maxRequestsPerSec?: number;
  /** Connections held at once; more are refused by the socket layer. @default 2_048 */
  maxConnections?: number;
  /** Wall clock, ms, for the request-rate window (tests pass their own). @default Date.now */
  nowMs?: () => number;
}

export interface RecordsServerStats {
  /** 200 answers. */
  served: number;
  /** 4xx answers: bad method, path or query. */
  refused: number;
  /** 503 answers past maxRequestsPerSec. */
  throttled: number;
}

export interface RecordsServer {
  /** Base URL of the live records, e.g. http://127.0.0.1:8090/integrity/live (a player's integrityRecordsUrl). */
  readonly url: string;
  stats(): RecordsServerStats;
  /** Stops listening and closes every connection; idempotent. */
  close(): Promise<void>;
}

/**
 * The answer to one request on LIVE_RECORDS_PATH (`?swarm=...&rendition=...[&from=SN]`): 200 with
 * up to LIVE_RECORDS_PER_ANSWER records of the rendition, the latest or (with `from`) the first ones
 * at or after sn `from`, so a player behind the live edge gets its own; cacheable for a second (a
 * new segment is signed at most every half target duration, and players at one position ask the
 * same URL). 400 on a bad query, 414 on an overlong target, 404 when none is held.
 */
export function liveRecordsAnswer(target: string, source: LiveRecordsSource): { status: number; body: unknown; cacheSec: number } {
  if (target.length > MAX_TARGET) return { status: 414, body: { error: 'request target too long' }, cacheSec: 0 };
  const query = new URLSearchParams(target.slice(target.indexOf('?') + 1));
  const swarm = query.get('swarm');
  const rendition = query.get('rendition');
  const from = query.get('from');
  const fromSn = from === null ? undefined : /^\d{1,10}$/.test(from) ? Number(from) : Number.NaN;
  if (swarm === null || swarm.length === 0 || swarm.length > LIMITS.maxSwarmIdLength || rendition === null || !ID_PATTERN.test(rendition) || Number.isNaN(fromSn) || (fromSn ?? 0) > 0xffff_ffff) {
    return { status: 400, body: { error: `expected ?swarm=<swarm id, 1-${LIMITS.maxSwarmIdLength} chars>&rendition=<id>[&from=<sn>]` }, cacheSec: 0 };
  }
  const records = source.latestRecords(swarm, rendition, LIVE_RECORDS_PER_ANSWER, fromSn);
  if (records.length === 0) return { status: 404, body: { error: 'no records for this swarm and rendition' }, cacheSec: 1 };
  const body: LiveRecords = { swarm, rendition, records };
  return { status: 200, body, cacheSec: 1 };
}

/**
 * Serves an authority's live records over HTTP (GET /integrity/live?swarm=...&rendition=...), so
 * players get them while the tracker is down. Records carry their own signatures: the server, and
 * any CDN in front of it, need no trust. Throws IntegrityError INTEGRITY_INVALID_CONFIG on bad options.
 */
export async function startRecordsServer(source: LiveRecordsSource, options: RecordsServerOptions = {}): Promise<RecordsServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const maxRequestsPerSec = options.maxRequestsPerSec ?? 2_000;
  const maxConnections = options.maxConnections ?? 2_048;
  const nowOf = options.nowMs ?? Date.now;
  const problems: string[] = [];
  if (!Number.isInteger(port) || port < 0 || port > 65_535) problems.push(`port must be 0-65535, got ${String(port)}`);
  if (!Number.isInteger(maxRequestsPerSec) || maxRequestsPerSec < 1) problems.push(`maxRequestsPerSec must be a positive integer, got ${String(maxRequestsPerSec)}`);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) problems.push(`maxConnections must be a positive integer, got ${String(maxConnections)}`);
  if (problems.length > 0) throw new IntegrityError('INTEGRITY_INVALID_CONFIG', `Invalid records server options: ${problems.join('; ')}`);

  const counters: RecordsServerStats = { served: 0, refused: 0, throttled: 0 };
  // A one-second window: cheap, and enough to keep a flood from taking the signer's CPU.
  let windowStartMs = -Infinity;
  let inWindow = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const nowMs = nowOf();
    if (nowMs - windowStartMs >= 1000) {
      windowStartMs = nowMs;
      inWindow = 0;
    }
    inWindow += 1;
    if (inWindow > maxRequestsPerSec) {
      counters.throttled += 1;
      sendJson(res, 503, { error: 'busy' }, 0, { 'Retry-After': '1' });
      return;
    }
    answer(req, res);
  });
  server.maxConnections = maxConnections;
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  function answer(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      counters.refused += 1;
      sendJson(res, 405, { error: 'method not allowed' }, 0, { Allow: 'GET, HEAD' });
      return;
    }
    if (target.split('?', 1)[0] !== LIVE_RECORDS_PATH) {
      counters.refused += 1;
      sendJson(res, 404, { error: 'not found' }, 0);
      return;
    }
    const { status, body, cacheSec } = liveRecordsAnswer(target, source);
    if (status === 200) counters.served += 1;
    else counters.refused += 1;
    sendJson(res, status, body, cacheSec);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPart}:${address.port}${LIVE_RECORDS_PATH}`,
    stats: () => ({ ...counters }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, cacheSec: number, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': cacheSec > 0 ? `public, max-age=${cacheSec}` : 'no-store',
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
