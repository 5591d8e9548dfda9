import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute } from '../src/routes.js';

test('parseRoute: HLS routes, query strings ignored', () => {
  assert.deepEqual(parseRoute('/live/master.m3u8'), { kind: 'master', stream: 'live' });
  assert.deepEqual(parseRoute('/vod/master.m3u8?token=abc'), { kind: 'master', stream: 'vod' });
  assert.deepEqual(parseRoute('/live/0/playlist.m3u8?_HLS_msn=3'), { kind: 'playlist', stream: 'live' });
  assert.deepEqual(parseRoute('/live/0/seg-0.ts'), { kind: 'segment', stream: 'live', sn: 0 });
  assert.deepEqual(parseRoute('/vod/0/seg-39.ts?x=1#frag'), { kind: 'segment', stream: 'vod', sn: 39 });
  assert.deepEqual(parseRoute('/stats?x'), { kind: 'stats' });
  assert.deepEqual(parseRoute('/favicon.ico'), { kind: 'favicon' });
});

test('parseRoute: non-canonical or unknown HLS paths are not found', () => {
  for (const path of ['/live/0/seg-01.ts', '/live/0/seg--1.ts', '/live/0/seg-1.5.ts', '/live/1/playlist.m3u8', '/vod/0/', '/live', '/live/0/seg-1.ts/x', '/live/0/seg-1234567890123456.ts']) {
    assert.deepEqual(parseRoute(path), { kind: 'not-found' }, path);
  }
});

test('parseRoute: everything else is static, percent-decoded; bad encoding is a bad request', () => {
  assert.deepEqual(parseRoute('/'), { kind: 'static', path: '/' });
  assert.deepEqual(parseRoute('/app%20x.js?v=2'), { kind: 'static', path: '/app x.js' });
  assert.deepEqual(parseRoute('/..%2fetc/passwd'), { kind: 'static', path: '/../etc/passwd' });
  assert.deepEqual(parseRoute('/%E0%A4%A'), { kind: 'bad-request' });
});
