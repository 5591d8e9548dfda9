/**
 * A low-latency HLS origin (LL-HLS: parts, preload hints, blocking playlist reload) for one live
 * rendition of fMP4, served on its own port. Answers like a real LL-HLS origin: a playlist request
 * with _HLS_msn/_HLS_part is held until that part exists, and so is a request for the hinted part.
 *
 * GET /ll/master.m3u8, /ll/0/playlist.m3u8[?_HLS_msn=M[&_HLS_part=K]], /ll/0/init.mp4,
 * /ll/0/part-M.K.m4s, /ll/0/seg-M.m4s, /stats.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTEGRITY_AUTHORITY_USER_AGENT } from '@swarmcast/protocol';
import { OriginError } from '../errors.js';
import { contentRange, decideRange } from '../http-range.js';
import { sendReply, textReply, type Reply } from '../http-send.js';
import { StatsCounter, type OriginStats } from '../stats.js';
import { loadLlAsset } from './ll-asset.js';
import { LlTimeline, type LlShape } from './ll-timeline.js';

export interface LlOriginConfig extends LlShape {
  /** @default '127.0.0.1' */
  readonly host: string;
  /** 0 picks a free port. @default 0 */
  readonly port: number;
  /** Length of the encoded clip the stream loops over, seconds (whole segments). @default 20 */
  readonly loopSec: number;
  /** Longest a blocking request is held before 503, ms (RFC 8216bis: 3 target durations). @default 6000 */
  readonly maxBlockMs: number;
}

export const llOriginDefaults: LlOriginConfig = {
  host: '127.0.0.1',
  port: 0,
  partMs: 500,
  partsPerSegment: 4,
  windowSegments: 6,
  loopSec: 20,
  maxBlockMs: 6000,
};

export interface LlOrigin {
  readonly url: string;
  /** `${url}/ll/master.m3u8` */
  readonly masterUrl: string;
  /** The bytes the origin serves for segment `msn` (its parts in order), while in the window. */
  segmentBytes(msn: number): Uint8Array | undefined;
  /** The bytes the origin serves for part `part` (0-based) of segment `msn`, once it exists and while in the window. */
  partBytes(msn: number, part: number): Uint8Array | undefined;
  stats(): OriginStats;
  resetStats(): void;
  close(): Promise<void>;
}

const PLAYLIST_HEADERS = { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-cache' } as const;
const MEDIA_HEADERS = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'cache-control': 'no-store' } as const;
const PREFLIGHT_HEADERS = { 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-allow-headers': 'Range', 'access-control-max-age': '600' } as const;
const MASTER = ['#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-STREAM-INF:BANDWIDTH=700000,CODECS="avc1.4d401e",RESOLUTION=426x240', '0/playlist.m3u8', ''].join('\n');
const PART = /^\/ll\/0\/part-(0|[1-9]\d{0,9})\.(\d)\.m4s$/;
const SEGMENT = /^\/ll\/0\/seg-(0|[1-9]\d{0,9})\.m4s$/;
const DECIMAL = /^(0|[1-9]\d{0,9})$/;

function validate(c: LlOriginConfig): void {
  const int = (name: keyof LlOriginConfig, min: number, max: number): void => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new OriginError('ORIGIN_INVALID_CONFIG', `Invalid LL-HLS config: ${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
    }
  };
  int('port', 0, 65_535);
  int('partMs', 100, 2000);
  int('partsPerSegment', 2, 10);
  int('windowSegments', 3, 100);
  int('loopSec', 4, 600);
  int('maxBlockMs', 100, 60_000);
}

function mediaReply(bytes: Uint8Array, range: string | undefined, kind: Reply['kind']): Reply {
  const decided = decideRange(range, bytes.length);
  if (decided.kind === 'unsatisfiable') return { status: 416, kind, headers: { ...MEDIA_HEADERS, 'content-range': `bytes */${bytes.length}` } };
  if (decided.kind === 'partial') {
    return { status: 206, kind, headers: { ...MEDIA_HEADERS, 'content-range': contentRange(decided.start, decided.end, bytes.length) }, body: bytes.subarray(decided.start, decided.end + 1) };
  }
  return { status: 200, kind, headers: MEDIA_HEADERS, body: bytes };
}

/** Starts the LL-HLS origin; the clip is encoded by ffmpeg on first use (a few seconds) and cached. */
export async function startLlOrigin(config: Partial<LlOriginConfig> = {}): Promise<LlOrigin> {
  // Fields set to undefined keep their default.
  const defined = Object.fromEntries(Object.entries(config as Record<string, unknown>).filter(([, v]) => v !== undefined)) as Partial<LlOriginConfig>;
  const c: LlOriginConfig = { ...llOriginDefaults, ...defined };
  validate(c);
  const mp4 = await loadLlAsset({ partMs: c.partMs, loopSec: c.loopSec });
  const now = (): number => performance.now();
  // Started a window ago: the first playlist already lists windowSegments whole segments.
  const timeline = new LlTimeline(mp4, c, now() - c.windowSegments * c.partsPerSegment * c.partMs);
  const stats = new StatsCounter();
  const waits = new Set<() => void>();
  let closed = false;

  /** Resolves once `msn`/`part` exists (or at once), false when too far ahead or held too long. */
  const blockUntil = (msn: number, part: number | undefined): Promise<boolean> => {
    const answer = timeline.whenAvailable(msn, part, now());
    if (answer.kind !== 'wait') return Promise.resolve(answer.kind === 'ready');
    if (answer.ms > c.maxBlockMs) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waits.delete(done);
        resolve(!closed);
      };
      const timer = setTimeout(done, answer.ms + 1);
      waits.add(done);
    });
  };

  const replyFor = async (req: IncomingMessage): Promise<Reply> => {
    const url = new URL(req.url ?? '/', 'http://origin');
    const path = url.pathname;
    const authority = req.headers['user-agent'] === INTEGRITY_AUTHORITY_USER_AGENT;
    const mediaKind = authority ? 'authority-segment' : 'segment';
    if (path === '/stats') return { status: 200, kind: 'other', headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: new TextEncoder().encode(JSON.stringify(stats.snapshot())) };
    if (path === '/ll/master.m3u8') return { status: 200, kind: 'playlist', headers: PLAYLIST_HEADERS, body: new TextEncoder().encode(MASTER) };
    if (path === '/ll/0/playlist.m3u8') {
      const msnParam = url.searchParams.get('_HLS_msn');
      const partParam = url.searchParams.get('_HLS_part');
      if (msnParam !== null || partParam !== null) {
        if (msnParam === null || !DECIMAL.test(msnParam) || (partParam !== null && !DECIMAL.test(partParam))) return textReply(400, 'Bad _HLS_msn/_HLS_part');
        const msn = Number(msnParam);
        const part = partParam === null ? undefined : Number(partParam);
        // A part index past the segment's last means the next segment's first part.
        const [m, k] = part !== undefined && part >= c.partsPerSegment ? [msn + 1, 0] : [msn, part];
        if (!(await blockUntil(m, k))) return textReply(timeline.whenAvailable(m, k, now()).kind === 'too-far' ? 400 : 503, 'Not available');
      }
      return { status: 200, kind: 'playlist', headers: PLAYLIST_HEADERS, body: new TextEncoder().encode(timeline.playlist(now())) };
    }
    if (path === '/ll/0/init.mp4') return mediaReply(timeline.init, req.headers.range, 'other');
    const part = PART.exec(path);
    if (part) {
      const msn = Number(part[1]);
      const k = Number(part[2]);
      // The hinted part (or one just after): held until it exists, as LL-HLS clients expect.
      if (k < c.partsPerSegment && !(await blockUntil(msn, k))) return textReply(404, 'Not Found');
      const bytes = timeline.part(msn, k, now());
      return bytes ? mediaReply(bytes, req.headers.range, mediaKind) : textReply(404, 'Not Found');
    }
    const segment = SEGMENT.exec(path);
    if (segment) {
      const bytes = timeline.segment(Number(segment[1]), now());
      return bytes ? mediaReply(bytes, req.headers.range, mediaKind) : textReply(404, 'Not Found');
    }
    return textReply(404, 'Not Found');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const isStats = (req.url ?? '').startsWith('/stats');
    const options = { head: method === 'HEAD', rangeHeader: req.headers.range !== undefined, stats: isStats ? undefined : stats };
    try {
      if (method === 'OPTIONS') sendReply(res, { status: 204, kind: 'other', headers: PREFLIGHT_HEADERS }, options);
      else if (method !== 'GET' && method !== 'HEAD') sendReply(res, textReply(405, 'Method Not Allowed', { allow: 'GET, HEAD, OPTIONS' }), options);
      else {
        const reply = await replyFor(req);
        if (!res.destroyed) sendReply(res, reply, { ...options, rangeHeader: options.rangeHeader && reply.kind !== 'playlist' });
      }
    } catch (error) {
      console.error(`swarmcast:ll-origin ${method} ${req.url ?? ''} failed:`, error);
      if (!res.headersSent) sendReply(res, textReply(500, 'Internal Server Error'), options);
      else res.destroy();
    }
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(c.port, c.host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    masterUrl: `${url}/ll/master.m3u8`,
    segmentBytes: (msn) => timeline.segment(msn, now()),
    partBytes: (msn, part) => timeline.part(msn, part, now()),
    stats: () => stats.snapshot(),
    resetStats: () => {
      stats.reset();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const wake of [...waits]) wake();
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
