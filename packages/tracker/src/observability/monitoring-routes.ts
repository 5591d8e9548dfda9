/**
 * HTTP routes for operators: GET /metrics (Prometheus text), GET /dashboard (the page, its script
 * and style, uPlot's prebuilt files from node_modules: no CDN, works offline) and
 * GET /dashboard/data.json?since=<epoch seconds> (the feed the page polls). With a monitoring
 * token, /metrics and data.json need `Authorization: Bearer <token>` (or `?token=<token>`); the
 * page and its static files are public (they hold no data).
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import type { HistorySeries } from './stream-history.js';

/** One stream on the dashboard. */
export interface DashboardStream {
  id: string;
  /** Members of the swarm now. */
  viewers: number;
  /** Connected members that sent a summary. */
  reporters: number;
  p2pShare: number;
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  stalls: number;
  stalledMs: number;
  liveLatencyMs: number | null;
  peersMean: number | null;
  /** null when the stream has no history ring yet. */
  history: HistorySeries | null;
}

/** GET /dashboard/data.json. */
export interface MonitoringData {
  nowSec: number;
  sampleMs: number;
  connections: number;
  swarms: number;
  totals: { httpBytes: number; p2pBytes: number; uploadedBytes: number; p2pShare: number };
  streams: DashboardStream[];
}

export interface MonitoringSources {
  metrics(): Promise<string>;
  readonly metricsContentType: string;
  data(sinceSec: number | undefined): MonitoringData;
  /** A route failed (a bug, or a missing static file). */
  fail(error: unknown): void;
}

const PUBLIC_DIR = join(import.meta.dirname, '..', 'dashboard', 'public');
const UPLOT_DIST = dirname(createRequire(import.meta.url).resolve('uplot'));

/** Static files by path: where they are and their type. */
const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/dashboard': { file: join(PUBLIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard/': { file: join(PUBLIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard/dashboard.js': { file: join(PUBLIC_DIR, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard.css': { file: join(PUBLIC_DIR, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  '/dashboard/uplot.js': { file: join(UPLOT_DIST, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard/uplot.css': { file: join(UPLOT_DIST, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** Read once, kept: a handful of small files. */
const fileCache = new Map<string, Promise<Buffer>>();

/** Handles the monitoring paths; false for any other path (the caller answers it). */
export function handleMonitoringRequest(req: IncomingMessage, res: ServerResponse, token: string | undefined, sources: MonitoringSources): boolean {
  const target = req.url ?? '/';
  const path = target.split('?', 1)[0] ?? '/';
  const isData = path === '/dashboard/data.json';
  if (path !== '/metrics' && !isData && STATIC_FILES[path] === undefined) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain', 'method not allowed\n', { Allow: 'GET, HEAD' });
    return true;
  }
  const query = new URLSearchParams(target.includes('?') ? target.slice(target.indexOf('?') + 1) : '');
  if ((path === '/metrics' || isData) && !authorized(req, query, token)) {
    send(res, 401, 'text/plain', 'monitoring token required: Authorization: Bearer <token> or ?token=<token>\n', { 'WWW-Authenticate': 'Bearer' });
    return true;
  }
  if (path === '/metrics') {
    sources.metrics().then(
      (text) => { send(res, 200, sources.metricsContentType, text); },
      (error: unknown) => { sources.fail(error); send(res, 500, 'text/plain', 'metrics failed\n'); },
    );
  } else if (isData) {
    const since = Number(query.get('since') ?? Number.NaN);
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(sources.data(Number.isFinite(since) ? since : undefined)));
  } else {
    const entry = STATIC_FILES[path];
    if (entry !== undefined) serveStatic(res, entry, sources);
  }
  return true;
}

function serveStatic(res: ServerResponse, entry: { file: string; type: string }, sources: MonitoringSources): void {
  let content = fileCache.get(entry.file);
  if (content === undefined) {
    content = readFile(entry.file);
    fileCache.set(entry.file, content);
    // A failed read is retried next time.
    content.catch(() => fileCache.delete(entry.file));
  }
  content.then(
    (bytes) => { send(res, 200, entry.type, bytes, { 'Cache-Control': 'public, max-age=300' }); },
    (error: unknown) => { sources.fail(error); send(res, 500, 'text/plain', 'dashboard file missing\n'); },
  );
}

function authorized(req: IncomingMessage, query: URLSearchParams, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization;
  const given = header?.startsWith('Bearer ') === true ? header.slice(7) : query.get('token');
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Cache-Control': 'no-store',
    ...headers,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
