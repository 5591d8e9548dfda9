/**
 * Serves one directory of DASH files over HTTP on 127.0.0.1 (port 0) for the Shaka e2e test, the
 * way a CDN would: GET/HEAD with single Range requests, CORS for the viewer page on another
 * origin, flat file names only. Counts the media segment bytes it sends to viewers.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { INTEGRITY_AUTHORITY_USER_AGENT } from '@swarmcast/protocol';

const CONTENT_TYPES: Readonly<Record<string, string>> = { '.mpd': 'application/dash+xml', '.m4s': 'video/iso.segment' };
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Range',
  'access-control-expose-headers': 'Content-Length, Content-Range',
};

export interface DashServer {
  /** Base URL, ending in '/'. */
  readonly url: string;
  /** Media segment bytes sent to viewers so far (init segments, the MPD and the integrity authority's copies excluded). */
  segmentBytesSent(): number;
  /** Idempotent. */
  close(): Promise<void>;
}

export async function startDashServer(dir: string): Promise<DashServer> {
  let segmentBytes = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET, HEAD, OPTIONS' }).end();
      return;
    }
    const name = (req.url ?? '/').split('?')[0]?.slice(1) ?? '';
    const type = CONTENT_TYPES[extname(name)];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !/^[\w.-]+$/.test(name) || type === undefined) {
      res.writeHead(404, CORS).end();
      return;
    }
    const body = await readFile(join(dir, name)).catch(() => undefined);
    if (body === undefined) {
      res.writeHead(404, CORS).end();
      return;
    }
    let start = 0;
    let end = body.length - 1;
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (req.headers.range !== undefined) {
      if (!range || Number(range[1]) >= body.length) {
        res.writeHead(416, { ...CORS, 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      start = Number(range[1]);
      end = range[2] === '' || range[2] === undefined ? end : Math.min(end, Number(range[2]));
      status = 206;
    }
    const slice = body.subarray(start, end + 1);
    const headers = { ...CORS, 'content-type': type, 'content-length': String(slice.length), 'accept-ranges': 'bytes', 'cache-control': 'no-cache' };
    res.writeHead(status, status === 206 ? { ...headers, 'content-range': `bytes ${start}-${end}/${body.length}` } : headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (name.startsWith('chunk-') && req.headers['user-agent'] !== INTEGRITY_AUTHORITY_USER_AGENT) segmentBytes += slice.length;
    res.end(slice);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => { res.destroy(); });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/`,
    segmentBytesSent: () => segmentBytes,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => { resolve(); });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
