import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { startOrigin } from '@swarmcast/origin';
import { IntegrityAuthority, generateSigningKey } from '../src/index.js';
import { eventually, startFakeOrigin } from './helpers.js';

const fixture = fileURLToPath(new URL('fixtures/close-leaves-no-handles.ts', import.meta.url));

void describe('IntegrityAuthority lifecycle', () => {
  void test('close() aborts requests in flight, is idempotent, and nothing is signed or reported after it', async (t) => {
    const origin = await startFakeOrigin(t);
    origin.routes.set('/vod.m3u8', () => ({ body: '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nslow.ts\n#EXT-X-ENDLIST\n' }));
    origin.routes.set('/slow.ts', () => ({ body: 'x', delayMs: 10_000 }));
    const authority = new IntegrityAuthority({ signingKeyPkcs8: generateSigningKey().privateKeyPkcs8, streams: [`${origin.url}/vod.m3u8`] });
    let reported = 0;
    authority.onRecords(() => reported++);
    authority.onError(() => reported++);
    authority.start();
    authority.start();
    await eventually(() => origin.hits.get('/slow.ts') === 1, 'the segment request');
    const started = Date.now();
    const closing = authority.close();
    assert.equal(authority.close(), closing);
    await closing;
    assert.ok(Date.now() - started < 1_000, 'close() does not wait for the slow response');
    authority.start(); // a no-op once closed
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(reported, 0);
    assert.equal(origin.hits.get('/vod.m3u8'), 1);
  });

  void test('a listener that throws is logged and does not stop the authority', async (t) => {
    const origin = await startOrigin({ port: 0, liveSource: 'loop' });
    t.after(() => origin.close());
    const authority = new IntegrityAuthority({ signingKeyPkcs8: generateSigningKey().privateKeyPkcs8, streams: [origin.vodMasterUrl] });
    t.after(() => authority.close());
    const logged: unknown[] = [];
    t.mock.method(console, 'error', (...args: unknown[]) => logged.push(args));
    authority.onRecords(() => {
      throw new Error('listener bug');
    });
    let seen = 0;
    const off = authority.onRecords(() => seen++);
    authority.start();
    await eventually(() => seen === 40, 'all VOD records despite the throwing listener');
    assert.equal(logged.length, 40);
    off();
  });

  void test('after close() of the authority and the origin, the process has no handle left and exits by itself', async () => {
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', fixture], { timeout: 20_000 }, (error, out) => {
        if (error !== null) reject(new Error(`child failed: ${error.message}; stdout: ${out}`));
        else resolve({ stdout: out });
      });
    });
    assert.match(stdout, /^closed after 10 records\n$/);
  });
});
