import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidToken, parseFormatRoute } from '../src/formats/format-routes.js';
import { parseRoute } from '../src/routes.js';

test('parseRoute: /formats/ paths become format routes with their token', () => {
  assert.deepEqual(parseRoute('/formats/tokens/live/master.m3u8?token=v1'), {
    kind: 'format',
    route: { type: 'tokens', mode: 'live', resource: { kind: 'master' }, token: 'v1' },
  });
  assert.deepEqual(parseRoute('/formats/fmp4/vod/480p/seg-12.m4s'), {
    kind: 'format',
    route: { type: 'fmp4', mode: 'vod', resource: { kind: 'segment', rendition: '480p', sn: 12, ext: 'm4s' }, token: undefined },
  });
  assert.deepEqual(parseRoute('/formats/aes128/live/key'), { kind: 'format', route: { type: 'aes128', mode: 'live', resource: { kind: 'key' }, token: undefined } });
  assert.equal(parseFormatRoute('/formats/fmp4/vod/240p/init.mp4', '')?.resource.kind, 'init');
  assert.equal(parseFormatRoute('/formats/byterange/vod/360p/media.ts', '')?.resource.kind, 'single-file');
  assert.equal(parseFormatRoute('/formats/ts-abr/vod/360p/index.m3u8', 'token=a&x=1')?.token, 'a');
});

test('parseRoute: unknown types, modes, files and non-canonical numbers under /formats/ are not found', () => {
  for (const path of [
    '/formats/',
    '/formats/dash/vod/master.m3u8',
    '/formats/fmp4/dvr/master.m3u8',
    '/formats/fmp4/vod/master.m3u8/x',
    '/formats/fmp4/vod/360p/seg-01.m4s',
    '/formats/fmp4/vod/360p/seg-1.mp4',
    '/formats/fmp4/vod/../360p/index.m3u8',
    '/formats/fmp4/vod/hd/index.m3u8',
    '/formats/fmp4/vod/360p/x/index.m3u8',
  ]) {
    assert.deepEqual(parseRoute(path), { kind: 'not-found' }, path);
  }
});

test('isValidToken: short URL-safe tokens only', () => {
  for (const ok of ['a', 'viewer-1', 'A_b-9', 'x'.repeat(64)]) assert.ok(isValidToken(ok), ok);
  for (const bad of [undefined, '', 'x'.repeat(65), 'a b', 'a/b', 'a"b', 'é']) assert.ok(!isValidToken(bad), String(bad));
});
