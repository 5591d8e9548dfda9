/** Replies for /formats/ routes: token check (tokens type), then playlists, segments, key. */
import { textReply, type Reply } from '../http-send.js';
import { playlistReply, segmentReply } from '../media-replies.js';
import { isValidToken, type FormatRoute } from './format-routes.js';
import type { FormatsSource } from './formats-source.js';

const NOT_FOUND = (): Reply => textReply(404, 'Not Found');
/** The key must never be cached by anything between the origin and the player. */
const KEY_HEADERS = { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' } as const;

export function formatReply(route: FormatRoute, rangeHeader: string | undefined, source: FormatsSource): Reply {
  const { type, mode, resource } = route;
  // The tokens type stands for a CDN that signs URLs per viewer: no valid token, no bytes.
  if (type === 'tokens' && !isValidToken(route.token)) return textReply(403, 'Forbidden');
  const token = type === 'tokens' ? route.token : undefined;
  switch (resource.kind) {
    case 'master':
      return playlistReply(source.master(type, token));
    case 'media':
      return playlistReply(source.media(type, mode, resource.rendition, token));
    case 'key': {
      const key = source.type(type).key;
      return key === undefined ? NOT_FOUND() : { status: 200, kind: 'key', headers: KEY_HEADERS, body: key.bytes };
    }
    case 'init': {
      const init = source.rendition(type, resource.rendition)?.init;
      return init === undefined ? NOT_FOUND() : segmentReply(init, rangeHeader, 'video/mp4');
    }
    case 'single-file': {
      const file = source.rendition(type, resource.rendition)?.singleFile;
      return file === undefined ? NOT_FOUND() : segmentReply(file, rangeHeader);
    }
    case 'segment': {
      // One URL per segment: .m4s for fmp4, .ts for the others; byterange has none of its own.
      const expected = type === 'fmp4' ? 'm4s' : 'ts';
      if (type === 'byterange' || resource.ext !== expected) return NOT_FOUND();
      const bytes = source.segment(type, mode, resource.rendition, resource.sn);
      return bytes === undefined ? NOT_FOUND() : segmentReply(bytes, rangeHeader, resource.ext === 'm4s' ? 'video/iso.segment' : 'video/mp2t');
    }
  }
}
