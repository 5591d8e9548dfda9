import { contentRange, decideRange } from './http-range.js';
import { textReply, type Reply } from './http-send.js';

const PLAYLIST_HEADERS = { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-cache' } as const;
const encoder = new TextEncoder();

/** 200 with the playlist, or 404 when there is none. */
export function playlistReply(text: string | undefined): Reply {
  if (text === undefined) return textReply(404, 'Not Found');
  return { status: 200, kind: 'playlist', headers: PLAYLIST_HEADERS, body: encoder.encode(text) };
}

/** no-store: every segment byte a viewer gets over HTTP comes from here and is counted. */
const segmentHeaders = (contentType: string) => ({ 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'no-store' }) as const;

/** 200, 206 or 416 for a segment, per its Range header. */
export function segmentReply(bytes: Uint8Array, rangeHeader: string | undefined, contentType = 'video/mp2t'): Reply {
  const headers = segmentHeaders(contentType);
  const range = decideRange(rangeHeader, bytes.length);
  if (range.kind === 'unsatisfiable') {
    return { status: 416, kind: 'segment', headers: { ...headers, 'content-range': `bytes */${bytes.length}` } };
  }
  if (range.kind === 'partial') {
    return { status: 206, kind: 'segment', headers: { ...headers, 'content-range': contentRange(range.start, range.end, bytes.length) }, body: bytes.subarray(range.start, range.end + 1) };
  }
  return { status: 200, kind: 'segment', headers, body: bytes };
}
