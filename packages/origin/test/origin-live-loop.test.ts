import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOrigin, type OriginServer } from '../src/index.js';
import { fetchBytes, fetchText, loopSegmentsFromDisk, parseMasterPlaylist, parseMediaPlaylist } from './helpers.js';

describe('live loop over HTTP', () => {
  let origin: OriginServer;
  const loop = loopSegmentsFromDisk();
  before(async () => {
    origin = await startOrigin({ port: 0, liveSource: 'loop' });
  });
  after(() => origin.close());

  test('URLs and source', () => {
    assert.match(origin.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(origin.liveMasterUrl, `${origin.url}/live/master.m3u8`);
    assert.equal(origin.vodMasterUrl, `${origin.url}/vod/master.m3u8`);
    assert.equal(origin.liveSource, 'loop');
  });

  test('master playlist: one variant with the loop\'s BANDWIDTH, RESOLUTION, CODECS', async () => {
    const { res, text } = await fetchText(origin.liveMasterUrl);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const master = parseMasterPlaylist(text);
    assert.equal(master.variants.length, 1);
    const [variant] = master.variants;
    assert.equal(variant?.uri, '0/playlist.m3u8');
    assert.equal(variant.attributes.CODECS, 'avc1.4d401e,mp4a.40.2');
    assert.equal(variant.attributes.RESOLUTION, '426x240');
    assert.match(variant.attributes.BANDWIDTH ?? '', /^\d+$/);
  });

  test('media playlist: window full from the start, live (no ENDLIST), segments play the loop', async () => {
    const { res, text } = await fetchText(`${origin.url}/live/0/playlist.m3u8`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const p = parseMediaPlaylist(text);
    assert.equal(p.segments.length, 6);
    assert.ok(p.mediaSequence <= 1, `started ${p.mediaSequence} segments ago`); // a slow machine may tick once
    assert.equal(p.endList, false);
    assert.equal(p.targetDurationSec, 2);
    const first = p.mediaSequence;
    for (const [i, s] of p.segments.entries()) {
      assert.equal(s.uri, `seg-${first + i}.ts`);
      const { res: segRes, bytes } = await fetchBytes(`${origin.url}/live/0/${s.uri}`);
      assert.equal(segRes.status, 200);
      assert.equal(segRes.headers.get('content-type'), 'video/mp2t');
      assert.deepEqual(bytes, loop[(first + i) % 10]);
      assert.deepEqual(await origin.segmentBytes('live', first + i), bytes);
    }
  });

  test('segments not yet published are 404, and segmentBytes says undefined', async () => {
    const p = parseMediaPlaylist((await fetchText(`${origin.url}/live/0/playlist.m3u8`)).text);
    const future = p.mediaSequence + p.segments.length + 3; // 6 s ahead of the live edge
    const res = await fetch(`${origin.url}/live/0/seg-${future}.ts`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
    assert.equal(await origin.segmentBytes('live', future), undefined);
  });
});

describe('live loop window size', () => {
  test('liveWindowSegments sets the playlist length', async () => {
    const origin = await startOrigin({ port: 0, liveSource: 'loop', liveWindowSegments: 3 });
    try {
      const p = parseMediaPlaylist((await fetchText(`${origin.url}/live/0/playlist.m3u8`)).text);
      assert.equal(p.segments.length, 3);
    } finally {
      await origin.close();
    }
  });
});
