/**
 * The formats catalog over HTTP, from a real origin: ffmpeg generates it once into the OS temp dir
 * (this test fails when ffmpeg is missing: the catalog needs it).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FORMAT_TYPES, startOrigin, type OriginFormats, type OriginServer } from '../src/index.js';
import { fetchBytes, fetchText, parseMasterPlaylist } from './helpers.js';

/** First generation on a busy 2-core machine: ~45 s. */
const GENERATION_TIMEOUT_MS = 180_000;

describe('formats catalog over HTTP', () => {
  let origin: OriginServer;
  let formats: OriginFormats;
  before(async () => {
    origin = await startOrigin({ port: 0, liveSource: 'loop', formats: true });
    assert.ok(origin.formats);
    formats = origin.formats;
  }, { timeout: GENERATION_TIMEOUT_MS });
  after(() => origin.close());

  test('every type, live and VOD: master lists its renditions; each media playlist names segments that are the bytes segmentBytes() gives', async () => {
    for (const type of FORMAT_TYPES) {
      for (const mode of ['vod', 'live'] as const) {
        const token = type === 'tokens' ? 'unit' : undefined;
        const suffix = token === undefined ? '' : `?token=${token}`;
        const master = parseMasterPlaylist((await fetchText(formats.masterUrl(type, mode, token))).text);
        const names = formats.renditions(type);
        assert.deepEqual(master.variants.map((v) => v.uri), names.map((n) => `${n}/index.m3u8${suffix}`), `${type} ${mode}`);
        const bandwidths = master.variants.map((v) => Number(v.attributes.BANDWIDTH));
        assert.deepEqual(bandwidths, [...bandwidths].sort((a, b) => a - b), 'ladder lowest first');
        assert.equal(new Set(bandwidths).size, bandwidths.length, 'distinct BANDWIDTH');
        const name = names[0] ?? '';
        const media = (await fetchText(`${formats.mediaPlaylistUrl(type, mode, name)}${suffix}`)).text;
        assert.equal(media.includes('#EXT-X-ENDLIST'), mode === 'vod', `${type} ${mode} ENDLIST`);
        const sn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(media)?.[1]);
        const uri = media.split('\n').find((l) => l !== '' && !l.startsWith('#')) ?? '';
        const url = new URL(uri, formats.mediaPlaylistUrl(type, mode, name));
        const range = /#EXT-X-BYTERANGE:(\d+)@(\d+)/.exec(media);
        const headers: Record<string, string> = range === null ? {} : { range: `bytes=${range[2]}-${Number(range[2]) + Number(range[1]) - 1}` };
        const { res, bytes } = await fetchBytes(`${url.origin}${url.pathname}${suffix}`, { headers });
        assert.equal(res.status, range === null ? 200 : 206, `${type} ${mode} ${uri}`);
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.deepEqual(bytes, formats.segmentBytes(type, mode, name, sn), `${type} ${mode} sn ${sn}: GET is segmentBytes()`);
      }
    }
  });

  test('ladders: ts-abr, fmp4 and tokens have 3 renditions; the others 1', () => {
    for (const type of FORMAT_TYPES) {
      assert.equal(formats.renditions(type).length, ['ts-abr', 'fmp4', 'tokens'].includes(type) ? 3 : 1, type);
    }
  });

  test('fmp4: EXT-X-MAP init segment served; TS-named and wrong-type URLs are not found', async () => {
    const media = (await fetchText(formats.mediaPlaylistUrl('fmp4', 'vod', '360p'))).text;
    assert.match(media, /#EXT-X-MAP:URI="init\.mp4"/);
    const init = await fetchBytes(`${origin.url}/formats/fmp4/vod/360p/init.mp4`);
    assert.equal(init.res.status, 200);
    assert.equal(new TextDecoder().decode(init.bytes.subarray(4, 8)), 'ftyp');
    assert.deepEqual(init.bytes, formats.initBytes('fmp4', '360p'));
    for (const path of ['/formats/fmp4/vod/360p/seg-0.ts', '/formats/ts-abr/vod/360p/seg-0.m4s', '/formats/ts-abr/vod/360p/init.mp4', '/formats/byterange/vod/360p/seg-0.ts', '/formats/ts-abr/vod/360p/media.ts', '/formats/ts-abr/vod/720p/index.m3u8', '/formats/ts-abr/vod/360p/seg-30.ts']) {
      assert.equal((await fetchBytes(`${origin.url}${path}`)).res.status, 404, path);
    }
  });

  test('aes128: the key comes from the origin key route, counted apart; segments are ciphertext', async () => {
    origin.resetStats();
    const media = (await fetchText(formats.mediaPlaylistUrl('aes128', 'live', '360p'))).text;
    const keyLine = /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)",IV=0x([0-9a-f]{32})/.exec(media);
    assert.ok(keyLine, 'EXT-X-KEY with URI and IV');
    const keyUrl = new URL(keyLine[1] ?? '', formats.mediaPlaylistUrl('aes128', 'live', '360p')).href;
    assert.equal(keyUrl, `${origin.url}/formats/aes128/live/key`);
    const key = await fetchBytes(keyUrl);
    assert.equal(key.res.status, 200);
    assert.equal(key.res.headers.get('cache-control'), 'no-store');
    assert.equal(key.bytes.length, 16);
    assert.equal((await fetchBytes(`${origin.url}/formats/ts-abr/live/key`)).res.status, 404, 'only aes128 has a key');
    const stats = origin.stats();
    assert.equal(stats.keyRequests, 1);
    assert.equal(stats.keyBytes, 16);
    assert.equal(stats.segmentBytes, 0, 'the key is not counted as segment bytes');
    const segment = formats.segmentBytes('aes128', 'vod', '360p', 0);
    assert.ok(segment);
    assert.notEqual(segment[0], 0x47, 'not a clear MPEG-TS packet');
    assert.equal(segment.length % 16, 0, 'AES-128-CBC with padding');
  });

  test('tokens: missing or malformed token is 403 on every resource; a valid one is copied into every URI', async () => {
    origin.resetStats();
    const paths = ['/formats/tokens/vod/master.m3u8', '/formats/tokens/vod/240p/index.m3u8', '/formats/tokens/vod/240p/seg-0.ts', '/formats/tokens/live/480p/index.m3u8'];
    for (const path of paths) {
      for (const query of ['', '?token=', '?token=a%20b', `?token=${'x'.repeat(65)}`]) {
        assert.equal((await fetchBytes(`${origin.url}${path}${query}`)).res.status, 403, `${path}${query}`);
      }
    }
    assert.equal(origin.stats().forbidden, paths.length * 4);
    assert.equal(origin.stats().segmentBytes, 0);
    const media = (await fetchText(`${origin.url}/formats/tokens/vod/240p/index.m3u8?token=v-7`)).text;
    const uris = media.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    assert.ok(uris.length > 0 && uris.every((u) => u.endsWith('?token=v-7')), 'every segment URI carries the token');
    assert.equal((await fetchBytes(`${origin.url}/formats/tokens/vod/240p/${uris[0] ?? ''}`)).res.status, 200);
    assert.equal((await fetchBytes(`${origin.url}/formats/ts-abr/vod/master.m3u8`)).res.status, 200, 'other types need no token');
  });

  test('byterange: one file with Range, segment i is its sub-range', async () => {
    const media = (await fetchText(formats.mediaPlaylistUrl('byterange', 'vod', '360p'))).text;
    const ranges = [...media.matchAll(/#EXT-X-BYTERANGE:(\d+)@(\d+)\nmedia\.ts\n/g)].map((m) => ({ length: Number(m[1]), offset: Number(m[2]) }));
    assert.ok(ranges.length >= 25, `${ranges.length} ranges`);
    ranges.forEach((r, i) => { assert.equal(r.offset, i === 0 ? 0 : (ranges[i - 1]?.offset ?? 0) + (ranges[i - 1]?.length ?? 0), `contiguous at ${i}`); });
    const whole = await fetchBytes(`${origin.url}/formats/byterange/vod/360p/media.ts`);
    const last = ranges[ranges.length - 1];
    assert.ok(last);
    assert.equal(whole.bytes.length, last.offset + last.length);
    assert.deepEqual(whole.bytes.subarray(last.offset), formats.segmentBytes('byterange', 'vod', '360p', ranges.length - 1));
  });

  test('discontinuity: one EXT-X-DISCONTINUITY between the two encodes, whose timestamps do not follow', async () => {
    const media = (await fetchText(formats.mediaPlaylistUrl('discontinuity', 'vod', '360p'))).text;
    const lines = media.split('\n');
    assert.equal(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length, 1);
    const count = lines.filter((l) => l.startsWith('#EXTINF')).length;
    const before = lines.slice(0, lines.indexOf('#EXT-X-DISCONTINUITY')).filter((l) => l.startsWith('#EXTINF')).length;
    assert.equal(before, count / 2, 'in the middle');
  });

  test('live: segments outside the window are 404 and segmentBytes() undefined', async () => {
    const media = (await fetchText(formats.mediaPlaylistUrl('ts-abr', 'live', '240p'))).text;
    const first = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(media)?.[1]);
    assert.equal(formats.segmentBytes('ts-abr', 'live', '240p', first + 6), undefined);
    assert.equal((await fetchBytes(`${origin.url}/formats/ts-abr/live/240p/seg-${first + 6}.ts`)).res.status, 404);
  });

  test('a second origin reuses the cached catalog: same bytes', async () => {
    const again = await startOrigin({ port: 0, liveSource: 'loop', formats: true });
    try {
      const digest = (f: OriginFormats | undefined) => createHash('sha256').update(f?.segmentBytes('fmp4', 'vod', '480p', 7) ?? new Uint8Array()).digest('hex');
      assert.equal(digest(again.formats), digest(formats));
    } finally {
      await again.close();
    }
  });
});

test('formats need ffmpeg: a clear error when it is not on PATH', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    await assert.rejects(startOrigin({ port: 0, liveSource: 'loop', formats: true }), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /^ORIGIN_FFMPEG_NOT_FOUND: .*apt-get install ffmpeg/);
      return true;
    });
  } finally {
    process.env.PATH = path;
  }
});
