import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyVodList } from '@swarmcast/integrity';
import { LIMITS, parseVodList, renditionIdFromUrl } from '@swarmcast/protocol';
import { startTracker } from '../src/index.js';
import { loopOrigin, newKey, until } from './integrity-support.js';

void describe('GET /integrity/vod', () => {
  void test('serves the signed list of a hashed VOD rendition, cacheable, with CORS; 404 for live and unknown; 400/414 on bad queries', async (t) => {
    const origin = await loopOrigin(t);
    const key = newKey();
    const tracker = await startTracker({ port: 0, integrity: { signingKeyPkcs8: key.privateKeyPkcs8, streams: [origin.liveMasterUrl, origin.vodMasterUrl] } });
    t.after(() => tracker.close());
    const vod = renditionIdFromUrl(`${origin.url}/vod/0/playlist.m3u8`);
    const live = renditionIdFromUrl(`${origin.url}/live/0/playlist.m3u8`);
    const url = (swarm: string, rendition: string): string =>
      `${tracker.httpUrl}/integrity/vod?swarm=${encodeURIComponent(swarm)}&rendition=${encodeURIComponent(rendition)}`;

    await until(() => (tracker.stats().integrity?.segmentsSigned ?? 0) >= 40, 'the VOD to be signed');
    let res = await fetch(url(origin.vodMasterUrl, vod));
    for (let i = 0; res.status === 404 && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      res = await fetch(url(origin.vodMasterUrl, vod));
    }
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const list = parseVodList(await res.text());
    assert.equal(list.swarm, origin.vodMasterUrl);
    assert.equal(list.rendition, vod);
    assert.equal(list.segments.length, 40);
    assert.ok(verifyVodList(list, key.publicKey));

    const notFound = await fetch(url(origin.liveMasterUrl, live));
    assert.equal(notFound.status, 404, 'live renditions have no list');
    assert.equal(notFound.headers.get('access-control-allow-origin'), '*');
    assert.equal((await fetch(url(origin.vodMasterUrl, 'r-unknown'))).status, 404);
    assert.equal((await fetch(url('x'.repeat(LIMITS.maxSwarmIdLength + 1), vod))).status, 400);
    assert.equal((await fetch(url(origin.vodMasterUrl, 'bad id!'))).status, 400);
    assert.equal((await fetch(`${tracker.httpUrl}/integrity/vod?rendition=${vod}`)).status, 400);
    assert.equal((await fetch(`${tracker.httpUrl}/integrity/vod?swarm=${'%41'.repeat(2_000)}&rendition=${vod}`)).status, 414);
  });

  void test('a tracker without an authority answers 404', async (t) => {
    const tracker = await startTracker({ port: 0 });
    t.after(() => tracker.close());
    const res = await fetch(`${tracker.httpUrl}/integrity/vod?swarm=s&rendition=r`);
    assert.equal(res.status, 404);
  });
});
