import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOrigin, type OriginServer } from '../src/index.js';
import { fetchBytes, fetchText, loopSegmentsFromDisk, parseMasterPlaylist, parseMediaPlaylist } from './helpers.js';

describe('VOD over HTTP', () => {
  let origin: OriginServer;
  const loop = loopSegmentsFromDisk();
  const seg3 = loop[3] ?? new Uint8Array();
  before(async () => {
    origin = await startOrigin({ port: 0, liveSource: 'loop', vodLoops: 4 });
  });
  after(() => origin.close());

  test('master and media playlist: VOD, ENDLIST, the loop 4 times with a discontinuity between loops', async () => {
    const master = parseMasterPlaylist((await fetchText(origin.vodMasterUrl)).text);
    assert.equal(master.variants[0]?.uri, '0/playlist.m3u8');
    assert.equal(master.variants[0].attributes.CODECS, 'avc1.4d401e,mp4a.40.2');
    const p = parseMediaPlaylist((await fetchText(`${origin.url}/vod/0/playlist.m3u8`)).text);
    assert.equal(p.playlistType, 'VOD');
    assert.equal(p.endList, true);
    assert.equal(p.mediaSequence, 0);
    assert.equal(p.targetDurationSec, 2);
    assert.equal(p.segments.length, 40);
    p.segments.forEach((s, i) => {
      assert.equal(s.uri, `seg-${i}.ts`);
      assert.equal(s.durationSec, 2);
      assert.equal(s.discontinuity, i > 0 && i % 10 === 0, `discontinuity at ${i}`);
    });
  });

  test('segments are the loop bytes; past the end is 404', async () => {
    for (const i of [0, 9, 10, 23, 39]) {
      const { res, bytes } = await fetchBytes(`${origin.url}/vod/0/seg-${i}.ts`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('accept-ranges'), 'bytes');
      assert.equal(res.headers.get('content-length'), String(bytes.length));
      assert.deepEqual(bytes, loop[i % 10]);
      assert.deepEqual(await origin.segmentBytes('vod', i), bytes, 'segmentBytes() is what GET returns');
    }
    const { res } = await fetchBytes(`${origin.url}/vod/0/seg-40.ts`);
    assert.equal(res.status, 404);
    assert.equal(await origin.segmentBytes('vod', 40), undefined);
  });

  test('segmentBytes returns a copy', async () => {
    const a = await origin.segmentBytes('vod', 0);
    assert.ok(a !== undefined);
    a.fill(0);
    assert.deepEqual(await origin.segmentBytes('vod', 0), loop[0]);
  });

  test('Range: 206 with Content-Range and exact bytes', async () => {
    const size = seg3.length;
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=1000-', 1000, size - 1],
      ['bytes=-188', size - 188, size - 1],
      [`bytes=${size - 10}-${size + 500}`, size - 10, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const { res, bytes } = await fetchBytes(`${origin.url}/vod/0/seg-3.ts`, { headers: { range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${size}`);
      assert.equal(res.headers.get('content-length'), String(end - start + 1));
      assert.deepEqual(bytes, seg3.subarray(start, end + 1));
    }
  });

  test('Range: unsatisfiable is 416 with bytes */size; multi-range gets the whole segment as 200', async () => {
    const size = seg3.length;
    for (const range of [`bytes=${size}-`, 'bytes=-0']) {
      const { res, bytes } = await fetchBytes(`${origin.url}/vod/0/seg-3.ts`, { headers: { range } });
      assert.equal(res.status, 416, range);
      assert.equal(res.headers.get('content-range'), `bytes */${size}`);
      assert.equal(bytes.length, 0);
    }
    const { res, bytes } = await fetchBytes(`${origin.url}/vod/0/seg-3.ts`, { headers: { range: 'bytes=0-9,20-29' } });
    assert.equal(res.status, 200);
    assert.deepEqual(bytes, seg3);
  });

  test('HEAD: headers with Content-Length, no body', async () => {
    const { res, bytes } = await fetchBytes(`${origin.url}/vod/0/seg-3.ts`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(seg3.length));
    assert.equal(bytes.length, 0);
    const ranged = await fetchBytes(`${origin.url}/vod/0/seg-3.ts`, { method: 'HEAD', headers: { range: 'bytes=0-9' } });
    assert.equal(ranged.res.status, 206);
    assert.equal(ranged.res.headers.get('content-length'), '10');
    assert.equal(ranged.bytes.length, 0);
    const playlist = await fetchBytes(`${origin.url}/vod/0/playlist.m3u8`, { method: 'HEAD' });
    assert.equal(playlist.res.status, 200);
    assert.ok(Number(playlist.res.headers.get('content-length')) > 0);
  });
});
