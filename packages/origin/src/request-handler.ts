import { INTEGRITY_AUTHORITY_USER_AGENT } from '@swarmcast/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderMasterPlaylist } from './hls-playlist.js';
import { formatReply } from './formats/format-handler.js';
import type { FormatsSource } from './formats/formats-source.js';
import { sendReply, textReply, type Reply } from './http-send.js';
import type { LiveSource } from './live-source.js';
import type { VariantInfo } from './loop-assets.js';
import { parseRoute, type Route, type Stream } from './routes.js';
import { playlistReply, segmentReply } from './media-replies.js';
import { readStaticFile } from './static-files.js';
import type { StatsCounter } from './stats.js';
import type { VodAsset } from './vod.js';

/** Everything a request may need; built once by startOrigin. */
export interface HandlerContext {
  live: LiveSource;
  vod: VodAsset;
  vodVariant: VariantInfo;
  stats: StatsCounter;
  staticDir: string | undefined;
  /** The formats catalog, when the origin serves it. */
  formats: FormatsSource | undefined;
}

const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Range',
  'access-control-max-age': '600',
} as const;

const encoder = new TextEncoder();

async function segmentBytes(ctx: HandlerContext, stream: Stream, sn: number): Promise<Uint8Array | undefined> {
  return stream === 'live' ? ctx.live.segment(sn) : ctx.vod.segment(sn);
}

async function replyFor(route: Route, req: IncomingMessage, ctx: HandlerContext): Promise<Reply> {
  switch (route.kind) {
    case 'stats': {
      const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
      return { status: 200, kind: 'other', headers, body: encoder.encode(JSON.stringify(ctx.stats.snapshot())) };
    }
    case 'favicon':
      return { status: 204, kind: 'other' };
    case 'master': {
      const variant = route.stream === 'live' ? ctx.live.variant : ctx.vodVariant;
      return playlistReply(renderMasterPlaylist(variant, '0/playlist.m3u8'));
    }
    case 'playlist':
      return playlistReply(route.stream === 'live' ? await ctx.live.playlist() : ctx.vod.playlist());
    case 'segment': {
      const bytes = await segmentBytes(ctx, route.stream, route.sn);
      return bytes === undefined ? textReply(404, 'Not Found') : segmentReply(bytes, req.headers.range);
    }
    case 'static': {
      const file = ctx.staticDir === undefined ? undefined : await readStaticFile(ctx.staticDir, route.path);
      if (file === undefined) return textReply(404, 'Not Found');
      return { status: 200, kind: 'other', headers: { 'content-type': file.contentType, 'cache-control': 'no-cache' }, body: file.body };
    }
    case 'format':
      return ctx.formats === undefined ? textReply(404, 'Not Found') : formatReply(route.route, req.headers.range, ctx.formats);
    case 'not-found':
      return textReply(404, 'Not Found');
    case 'bad-request':
      return textReply(400, 'Bad Request');
  }
}

/** Answers one request; never rejects. */
export async function handleRequest(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void> {
  const route = parseRoute(req.url ?? '/');
  const method = req.method ?? 'GET';
  const options = {
    head: method === 'HEAD',
    rangeHeader: (route.kind === 'segment' || route.kind === 'format') && req.headers.range !== undefined,
    stats: route.kind === 'stats' ? undefined : ctx.stats, // /stats must not change what it reports
  };
  try {
    if (method === 'OPTIONS') {
      sendReply(res, { status: 204, kind: 'other', headers: PREFLIGHT_HEADERS }, options);
    } else if (method !== 'GET' && method !== 'HEAD') {
      sendReply(res, textReply(405, 'Method Not Allowed', { allow: 'GET, HEAD, OPTIONS' }), options);
    } else {
      const reply = await replyFor(route, req, ctx);
      // The integrity authority's one copy per segment is counted apart from viewers' traffic.
      if (reply.kind === 'segment' && req.headers['user-agent'] === INTEGRITY_AUTHORITY_USER_AGENT) reply.kind = 'authority-segment';
      sendReply(res, reply, options);
    }
  } catch (error) {
    console.error(`swarmcast:origin ${method} ${req.url ?? ''} failed:`, error);
    if (!res.headersSent) sendReply(res, textReply(500, 'Internal Server Error'), options);
    else res.destroy();
  }
}
