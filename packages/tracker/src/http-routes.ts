import type { IncomingMessage, ServerResponse } from 'node:http';
import { ID_PATTERN, LIMITS } from '@swarmcast/protocol';
import type { VodList } from '@swarmcast/protocol';
import { LIVE_RECORDS_PATH, liveRecordsAnswer } from '@swarmcast/integrity';
import type { LiveRecordsSource } from '@swarmcast/integrity';
import type { TrackerStats } from './stats.js';

/** Where the HTTP routes read their answers from. */
export interface HttpRouteSources {
  /** The cheap gauges, without the per-swarm detail. */
  health(): Pick<TrackerStats, 'connections' | 'swarms'>;
  stats(): TrackerStats;
  /** Whether the tracker takes peers now (and, in cluster mode, reaches Redis); /ready answers 503 when not. */
  ready?(): { ready: boolean; reason?: string };
  /** The signed hash list of a VOD rendition, if the tracker's authority has one. */
  vodList?(swarm: string, rendition: string): VodList | undefined;
  /** The latest records of live renditions (GET /integrity/live): what a sidecar's records server serves. */
  liveRecords?: LiveRecordsSource;
}

/** Path of the signed VOD hash lists: `?swarm=<url-encoded swarm id>&rendition=<id>`. */
export const VOD_LIST_PATH = '/integrity/vod';
/** Longest request target accepted on VOD_LIST_PATH: a swarm id encoded at 3 characters per byte, and room. */
const MAX_VOD_LIST_TARGET = 3 * LIMITS.maxSwarmIdLength + 256;

const BASE_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cache-Control': 'no-store',
} as const;

/** Plain HTTP on the tracker's port: /health (alive), /ready (serving), /stats for monitoring, 404 for the rest. */
export function handleHttpRequest(req: IncomingMessage, res: ServerResponse, sources: HttpRouteSources): void {
  // Splitting cannot throw on a malformed target the way new URL() can.
  const target = req.url ?? '/';
  const path = target.split('?', 1)[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD' });
    return;
  }
  switch (path) {
    case '/health': {
      sendJson(res, 200, { status: 'ok', ...sources.health() });
      return;
    }
    case '/ready': {
      const state = sources.ready?.() ?? { ready: true };
      sendJson(res, state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'not ready', ...state });
      return;
    }
    case '/stats':
      sendJson(res, 200, sources.stats());
      return;
    case VOD_LIST_PATH:
      sendVodList(res, target, sources);
      return;
    case LIVE_RECORDS_PATH: {
      const answer = sources.liveRecords === undefined ? { status: 404, body: { error: 'no integrity records here' }, cacheSec: 0 } : liveRecordsAnswer(target, sources.liveRecords);
      sendJson(res, answer.status, answer.body, answer.cacheSec > 0 ? { 'Cache-Control': `public, max-age=${answer.cacheSec}` } : {});
      return;
    }
    case '/favicon.ico':
      // Browsers opening the URL ask for it; answer without a 404 in their console.
      res.writeHead(204, BASE_HEADERS).end();
      return;
    default:
      sendJson(res, 404, { error: 'not found' });
  }
}

/** 200 with the list (cacheable: a list never changes once signed), 400 on a bad query, 404 when none is held. */
function sendVodList(res: ServerResponse, target: string, sources: HttpRouteSources): void {
  if (target.length > MAX_VOD_LIST_TARGET) {
    sendJson(res, 414, { error: 'request target too long' });
    return;
  }
  const query = new URLSearchParams(target.slice(target.indexOf('?') + 1));
  const swarm = query.get('swarm');
  const rendition = query.get('rendition');
  if (swarm === null || swarm.length === 0 || swarm.length > LIMITS.maxSwarmIdLength || rendition === null || !ID_PATTERN.test(rendition)) {
    sendJson(res, 400, { error: `expected ?swarm=<swarm id, 1-${LIMITS.maxSwarmIdLength} chars>&rendition=<id>` });
    return;
  }
  const list = sources.vodList?.(swarm, rendition);
  if (list === undefined) {
    sendJson(res, 404, { error: 'no VOD list for this swarm and rendition' });
    return;
  }
  sendJson(res, 200, list, { 'Cache-Control': 'public, max-age=60' });
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
