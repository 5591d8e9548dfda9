import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renditionIdFromUrl } from '@swarmcast/protocol';
import { IntegrityAuthority, IntegrityError, generateSigningKey, resolveAuthorityConfig } from '../src/index.js';
import { eventually, startAuthority, startFakeOrigin } from './helpers.js';

const SEGMENT = new Uint8Array(188).fill(0x47);

function media(lines: string[], { targetDuration = 1, sequence = 0, end = false } = {}): string {
  return ['#EXTM3U', `#EXT-X-TARGETDURATION:${targetDuration}`, `#EXT-X-MEDIA-SEQUENCE:${sequence}`, ...lines, ...(end ? ['#EXT-X-ENDLIST'] : []), ''].join('\n');
}

void describe('IntegrityAuthority against a hostile or broken origin', () => {
  void test('garbage, huge, tag-less and missing playlists are survived with counted errors, and retried until they become valid', async (t) => {
    const origin = await startFakeOrigin(t);
    origin.routes.set('/garbage.m3u8', () => ({ body: '\u0000\u00ff<html>definitely not HLS' }));
    origin.routes.set('/huge.m3u8', () => ({ body: `#EXTM3U\n#${'x'.repeat(1024 * 1024 + 10)}\n` }));
    origin.routes.set('/notags.m3u8', () => ({ body: '#EXTM3U\n#EXTINF:2,\nseg.ts\n' }));
    origin.routes.set('/ok.m3u8', () => ({ body: media(['#EXTINF:1,', 'seg.ts']) }));
    origin.routes.set('/seg.ts', () => ({ body: SEGMENT }));
    const streams = ['garbage', 'huge', 'notags', 'missing', 'ok'].map((name) => `${origin.url}/${name}.m3u8`);
    const { authority, records, errors } = startAuthority(t, streams);

    await eventually(() => records.length === 1, 'the valid stream to be signed');
    await eventually(() => (origin.hits.get('/garbage.m3u8') ?? 0) >= 3, 'retries of the garbage playlist');
    // Each stream fails on its own schedule: wait for every kind rather than assume an order.
    await eventually(() => errors.some((e) => e.code === 'PLAYLIST_TOO_LARGE'), 'the huge playlist to be refused');
    const codes = new Set(errors.map((e) => e.code));
    assert.deepEqual([...codes].sort(), ['PLAYLIST_FETCH_FAILED', 'PLAYLIST_INVALID', 'PLAYLIST_TOO_LARGE']);
    const stats = authority.stats();
    assert.ok(stats.fetchErrors >= 2, 'huge and missing count as fetch errors');
    assert.ok((stats.errors.PLAYLIST_INVALID ?? 0) >= 2, 'garbage and notags');
    assert.equal(records[0]?.swarm, `${origin.url}/ok.m3u8`);
    assert.ok(errors.every((e) => e instanceof IntegrityError && e.url !== undefined));

    // The garbage playlist turns valid: picked up on the next retry.
    origin.routes.set('/garbage.m3u8', () => ({ body: media(['#EXTINF:1,', 'seg.ts'], { end: true }) }));
    await eventually(() => records.some((r) => r.swarm === `${origin.url}/garbage.m3u8`), 'the repaired stream to be signed');
  });

  void test('live: polled every targetDuration/2, new segments signed once, a SAMPLE-AES segment counted once, and polling stops at ENDLIST', async (t) => {
    const origin = await startFakeOrigin(t);
    let lines = ['#EXTINF:1,', 'a.ts', '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k"', '#EXTINF:1,', 'a.ts', '#EXT-X-KEY:METHOD=NONE'];
    let end = false;
    origin.routes.set('/live.m3u8', () => ({ body: media(lines, { sequence: 7, end }) }));
    for (const name of ['a', 'b', 'c']) origin.routes.set(`/${name}.ts`, () => ({ body: new TextEncoder().encode(name) }));
    const { authority, records } = startAuthority(t, [`${origin.url}/live.m3u8`], { minPollIntervalMs: 100 });
    await eventually(() => records.length === 1, 'the first segment');
    const started = origin.hits.get('/live.m3u8') ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const polls = (origin.hits.get('/live.m3u8') ?? 0) - started;
    assert.ok(polls >= 2 && polls <= 3, `${polls} polls in 1.1 s at TARGETDURATION 1`);

    lines = [...lines, '#EXTINF:1,', 'b.ts', '#EXTINF:1,', 'c.ts'];
    end = true;
    await eventually(() => records.length === 3, 'the new segments');
    assert.deepEqual(
      records.map((r) => r.record.sn),
      [7, 9, 10],
    );
    assert.equal(origin.hits.get('/a.ts'), 1);
    assert.equal(authority.stats().unsupportedSegments, 1);
    const after = origin.hits.get('/live.m3u8');
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(origin.hits.get('/live.m3u8'), after, 'no polling after ENDLIST');
  });

  void test('segments that fail, time out or are empty are retried a bounded number of times, then left unsigned', async (t) => {
    const origin = await startFakeOrigin(t);
    origin.routes.set('/vod.m3u8', () => ({ body: media(['#EXTINF:1,', 'gone.ts', '#EXTINF:1,', 'slow.ts', '#EXTINF:1,', 'empty.ts', '#EXTINF:1,', 'ok.ts'], { end: true }) }));
    origin.routes.set('/slow.ts', () => ({ body: SEGMENT, delayMs: 2_000 }));
    origin.routes.set('/empty.ts', () => ({ body: '' }));
    origin.routes.set('/ok.ts', () => ({ body: SEGMENT }));
    const { authority, records } = startAuthority(t, [`${origin.url}/vod.m3u8`], { segmentTimeoutMs: 100, segmentAttempts: 2 });
    await eventually(() => records.length === 1 && origin.hits.get('/gone.ts') === 2 && origin.hits.get('/slow.ts') === 2, 'two tries of each');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(origin.hits.get('/gone.ts'), 2);
    assert.equal(origin.hits.get('/ok.ts'), 1);
    assert.deepEqual(
      records.map((r) => [r.record.sn, r.record.rendition]),
      [[3, renditionIdFromUrl(`${origin.url}/vod.m3u8`)]],
    );
    const { errors, fetchErrors } = authority.stats();
    assert.deepEqual(errors, { SEGMENT_FETCH_FAILED: 4, FETCH_TIMEOUT: 2 });
    assert.equal(fetchErrors, 6);
  });

  void test('a packager restart (media sequence going back) re-signs the reused sequence numbers', async (t) => {
    const origin = await startFakeOrigin(t);
    let body = media(['#EXTINF:1,', 'a.ts'], { sequence: 50 });
    origin.routes.set('/live.m3u8', () => ({ body }));
    origin.routes.set('/a.ts', () => ({ body: 'first' }));
    const { records } = startAuthority(t, [`${origin.url}/live.m3u8`], { minPollIntervalMs: 50 });
    await eventually(() => records.length === 1, 'sn 50');
    origin.routes.set('/a.ts', () => ({ body: 'second run' }));
    body = media(['#EXTINF:1,', 'a.ts'], { sequence: 0 });
    await eventually(() => records.length === 2, 'sn 0 of the new run');
    body = media(['#EXTINF:1,', 'a.ts'], { sequence: 50 });
    await eventually(() => records.length === 3, 'sn 50 again, with the new bytes');
    assert.equal(records[2]?.record.sizeBytes, 'second run'.length);
  });

  void test('invalid options are refused with every problem listed', () => {
    const key = generateSigningKey().privateKeyPkcs8;
    assert.throws(
      () => new IntegrityAuthority({ signingKeyPkcs8: 'nope', streams: ['ftp://x/y.m3u8', 'http://a/m.m3u8?x', 'http://a/m.m3u8?y'], retryMinMs: 0 }),
      (error: unknown) =>
        error instanceof IntegrityError &&
        error.code === 'INTEGRITY_INVALID_CONFIG' &&
        /signingKeyPkcs8: /.test(error.message) &&
        /streams\[0\] must be an absolute http\(s\) URL/.test(error.message) &&
        /streams\[2\] is the same swarm as an earlier stream/.test(error.message) &&
        /retryMinMs must be an integer from 1/.test(error.message),
    );
    assert.throws(() => resolveAuthorityConfig({ signingKeyPkcs8: key, streams: [] }), /streams must be an array of 1 to 64/);
    assert.throws(() => resolveAuthorityConfig({ signingKeyPkcs8: key, streams: ['http://a/b'], bogus: 1 } as never), /unknown option 'bogus'/);
    assert.equal(resolveAuthorityConfig({ signingKeyPkcs8: key, streams: ['http://a/b'] }).liveHistoryRecords, 256);
  });
});
