/**
 * Paths of the formats catalog:
 *   /formats/<type>/<live|vod>/master.m3u8
 *   /formats/<type>/<live|vod>/key                         (aes128: the AES-128 key)
 *   /formats/<type>/<live|vod>/<rendition>/index.m3u8
 *   /formats/<type>/<live|vod>/<rendition>/init.mp4        (fmp4: EXT-X-MAP)
 *   /formats/<type>/<live|vod>/<rendition>/seg-<sn>.ts|m4s
 *   /formats/<type>/<live|vod>/<rendition>/media.ts        (byterange: the single file)
 * plus the per-viewer `token` query parameter, checked by the handler for the tokens type.
 */
import { isFormatType, type FormatMode, type FormatType } from './format-types.js';

export type FormatResource =
  | { readonly kind: 'master' }
  | { readonly kind: 'key' }
  | { readonly kind: 'media'; readonly rendition: string }
  | { readonly kind: 'init'; readonly rendition: string }
  | { readonly kind: 'segment'; readonly rendition: string; readonly sn: number; readonly ext: 'ts' | 'm4s' }
  | { readonly kind: 'single-file'; readonly rendition: string };

export interface FormatRoute {
  readonly type: FormatType;
  readonly mode: FormatMode;
  readonly resource: FormatResource;
  /** The `token` query parameter as sent; undefined when absent. Not checked here. */
  readonly token: string | undefined;
}

/** Canonical decimal, as the loop's routes: one segment, one URL. */
const SEGMENT = /^seg-(0|[1-9]\d{0,14})\.(ts|m4s)$/;
const RENDITION = /^\d{3,4}p$/;

function resource(rest: readonly string[]): FormatResource | undefined {
  if (rest.length === 1) {
    if (rest[0] === 'master.m3u8') return { kind: 'master' };
    if (rest[0] === 'key') return { kind: 'key' };
    return undefined;
  }
  const [rendition = '', file = ''] = rest;
  if (rest.length !== 2 || !RENDITION.test(rendition)) return undefined;
  if (file === 'index.m3u8') return { kind: 'media', rendition };
  if (file === 'init.mp4') return { kind: 'init', rendition };
  if (file === 'media.ts') return { kind: 'single-file', rendition };
  const m = SEGMENT.exec(file);
  return m === null ? undefined : { kind: 'segment', rendition, sn: Number(m[1]), ext: m[2] === 'm4s' ? 'm4s' : 'ts' };
}

/**
 * The route of a decoded path under /formats/ (`query` is the raw query string), or undefined
 * when it names nothing. Whether the type serves that resource is the handler's business.
 */
export function parseFormatRoute(path: string, query: string): FormatRoute | undefined {
  const parts = path.split('/');
  const [, prefix, type = '', mode, ...rest] = parts;
  if (prefix !== 'formats' || !isFormatType(type) || (mode !== 'live' && mode !== 'vod')) return undefined;
  const r = resource(rest);
  if (r === undefined) return undefined;
  const token = new URLSearchParams(query).get('token') ?? undefined;
  return { type, mode, resource: r, token };
}

/** A token a viewer may carry: short and URL-safe, so it is copied into URIs as is. */
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidToken(token: string | undefined): token is string {
  return token !== undefined && TOKEN.test(token);
}
