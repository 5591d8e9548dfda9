import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OriginError, startOrigin, type OriginServer } from '../src/index.js';
import { fetchBytes, fetchText, loopSegmentsFromDisk, rawGet } from './helpers.js';

describe('HTTP behaviour', () => {
  let origin: OriginServer;
  let tmp: string;
  let www: string;
  const loop = loopSegmentsFromDisk();
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'origin-test-'));
    www = join(tmp, 'www');
    await mkdir(join(www, 'sub'), { recursive: true });
    await writeFile(join(tmp, 'secret.txt'), 'outside the static root');
    await writeFile(join(www, 'index.html'), '<!doctype html><title>demo</title>');
    await writeFile(join(www, 'app.js'), 'console.log(1);');
    await writeFile(join(www, 'app.js.map'), '{"version":3}');
    await writeFile(join(www, 'style.css'), 'body{}');
    await writeFile(join(www, 'data.json'), '{}');
    await writeFile(join(www, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(www, 'sub', 'index.html'), 'sub');
    await symlink(join(tmp, 'secret.txt'), join(www, 'link.txt'));
    origin = await startOrigin({ port: 0, liveSource: 'loop', staticDir: www });
  });
  after(async () => {
    await origin.close();
    await rm(tmp, { recursive: true, force: true });
  });

  test('CORS headers on every response', async () => {
    for (const path of ['/live/master.m3u8', '/live/0/playlist.m3u8', '/vod/0/seg-0.ts', '/nope', '/stats', '/favicon.ico', '/']) {
      const { res } = await fetchBytes(`${origin.url}${path}`);
      assert.equal(res.headers.get('access-control-allow-origin'), '*', path);
      assert.equal(res.headers.get('access-control-expose-headers'), 'Content-Length, Content-Range', path);
    }
  });

  test('OPTIONS preflight allows GET, HEAD and the Range header', async () => {
    const res = await fetch(`${origin.url}/vod/0/seg-0.ts`, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
    });
    assert.equal(res.status, 204);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /GET.*HEAD/);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Range/i);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    await res.arrayBuffer();
  });

  test('query strings are ignored for routing', async () => {
    const { res, bytes } = await fetchBytes(`${origin.url}/vod/0/seg-1.ts?token=abc&exp=123`);
    assert.equal(res.status, 200);
    assert.deepEqual(bytes, loop[1]);
    assert.equal((await fetchText(`${origin.url}/live/master.m3u8?viewer=7`)).res.status, 200);
    assert.equal((await fetchText(`${origin.url}/vod/0/playlist.m3u8?x`)).res.status, 200);
  });

  test('favicon is 204; other methods are 405; bad percent-encoding is 400', async () => {
    const fav = await fetchBytes(`${origin.url}/favicon.ico`);
    assert.equal(fav.res.status, 204);
    const post = await fetchBytes(`${origin.url}/vod/0/seg-0.ts`, { method: 'POST', body: 'x' });
    assert.equal(post.res.status, 405);
    assert.match(post.res.headers.get('allow') ?? '', /GET/);
    assert.equal((await rawGet(origin.url, '/%E0%A4%A')).status, 400);
  });

  test('static files with their content types', async () => {
    const expected: [string, string, string][] = [
      ['/', 'text/html; charset=utf-8', '<!doctype html><title>demo</title>'],
      ['/index.html?v=1', 'text/html; charset=utf-8', '<!doctype html><title>demo</title>'],
      ['/app.js', 'text/javascript; charset=utf-8', 'console.log(1);'],
      ['/app.js.map', 'application/json; charset=utf-8', '{"version":3}'],
      ['/style.css', 'text/css; charset=utf-8', 'body{}'],
      ['/data.json', 'application/json; charset=utf-8', '{}'],
      ['/logo.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
      ['/sub/', 'text/html; charset=utf-8', 'sub'],
    ];
    for (const [path, type, body] of expected) {
      const { res, text } = await fetchText(`${origin.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), type, path);
      assert.equal(text, body, path);
    }
    for (const path of ['/missing.js', '/sub', '/live/0/missing']) assert.equal((await fetchText(`${origin.url}${path}`)).res.status, 404, path);
  });

  test('directory traversal is rejected, raw or encoded, and symlinks out of the root are not followed', async () => {
    for (const path of ['/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/sub%2f..%2f..%2fsecret.txt', '/link.txt', '/%00']) {
      const res = await rawGet(origin.url, path);
      assert.equal(res.status, 404, path);
      assert.ok(!res.body.includes('outside'), path);
    }
  });

  test('an origin without staticDir answers 404 for static paths; a missing staticDir is a config error', async () => {
    const bare = await startOrigin({ port: 0, liveSource: 'loop' });
    try {
      assert.equal((await fetchText(`${bare.url}/index.html`)).res.status, 404);
    } finally {
      await bare.close();
    }
    await assert.rejects(
      startOrigin({ port: 0, liveSource: 'loop', staticDir: join(tmp, 'nope') }),
      (e: unknown) => e instanceof OriginError && e.code === 'ORIGIN_INVALID_CONFIG',
    );
  });

  test('a port in use fails startOrigin with the listen error', async () => {
    await assert.rejects(startOrigin({ port: Number(new URL(origin.url).port), liveSource: 'loop' }), /EADDRINUSE/);
  });

  test('close() is idempotent and closes keep-alive sockets', async () => {
    const o = await startOrigin({ port: 0, liveSource: 'loop' });
    await fetchBytes(`${o.url}/vod/0/seg-0.ts`); // leaves a pooled keep-alive connection
    await Promise.all([o.close(), o.close()]);
    await o.close();
    await assert.rejects(fetch(`${o.url}/stats`));
  });
});
