import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TrackerStats } from './stats.js';

/** Where the HTTP routes read their answers from. */
export interface HttpRouteSources {
  /** The cheap gauges, without the per-swarm detail. */
  health(): Pick<TrackerStats, 'connections' | 'swarms'>;
  stats(): TrackerStats;
}

const BASE_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cache-Control': 'no-store',
} as const;

/** Plain HTTP on the tracker's port: /health and /stats for monitoring, 404 for the rest. */
export function handleHttpRequest(req: IncomingMessage, res: ServerResponse, sources: HttpRouteSources): void {
  // Only the path matters; splitting cannot throw on a malformed target the way new URL() can.
  const path = (req.url ?? '/').split('?', 1)[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD' });
    return;
  }
  switch (path) {
    case '/health': {
      sendJson(res, 200, { status: 'ok', ...sources.health() });
      return;
    }
    case '/stats':
      sendJson(res, 200, sources.stats());
      return;
    case '/favicon.ico':
      // Browsers opening the URL ask for it; answer without a 404 in their console.
      res.writeHead(204, BASE_HEADERS).end();
      return;
    default:
      sendJson(res, 404, { error: 'not found' });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
