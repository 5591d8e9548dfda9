import { parseFormatRoute, type FormatRoute } from './formats/format-routes.js';

/** What a request path asks for. Query strings are ignored: real CDNs carry per-viewer tokens there. */
export type Route =
  | { kind: 'stats' }
  | { kind: 'favicon' }
  | { kind: 'master'; stream: Stream }
  | { kind: 'playlist'; stream: Stream }
  | { kind: 'segment'; stream: Stream; sn: number }
  /** Under /formats/: the formats catalog (its query string is kept: it carries the token). */
  | { kind: 'format'; route: FormatRoute }
  /** A path under /live/ or /vod/ that names nothing. */
  | { kind: 'not-found' }
  /** Anything else: a static file; `path` is percent-decoded. */
  | { kind: 'static'; path: string }
  /** Undecodable percent-encoding. */
  | { kind: 'bad-request' };

export type Stream = 'live' | 'vod';

/** seg-<sn>.ts with sn in canonical decimal form, so one segment has one URL. */
const SEGMENT = /^seg-(0|[1-9]\d{0,14})\.ts$/;

/** Maps a request target (path plus optional query) to a route. */
export function parseRoute(target: string): Route {
  const rawPath = target.split(/[?#]/, 1)[0] ?? '';
  const query = /\?([^#]*)/.exec(target)?.[1] ?? '';
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'bad-request' };
  }
  if (path === '/stats') return { kind: 'stats' };
  if (path === '/favicon.ico') return { kind: 'favicon' };
  const parts = path.split('/');
  const stream = parts[1];
  if (stream === 'formats') {
    const route = parseFormatRoute(path, query);
    return route === undefined ? { kind: 'not-found' } : { kind: 'format', route };
  }
  if (stream !== 'live' && stream !== 'vod') return { kind: 'static', path };
  if (parts.length === 3 && parts[2] === 'master.m3u8') return { kind: 'master', stream };
  if (parts.length === 4 && parts[2] === '0') {
    if (parts[3] === 'playlist.m3u8') return { kind: 'playlist', stream };
    const m = SEGMENT.exec(parts[3] ?? '');
    if (m !== null) return { kind: 'segment', stream, sn: Number(m[1]) };
  }
  return { kind: 'not-found' };
}
