import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyRecord } from '@swarmcast/integrity';
import { parseLiveRecords, renditionIdFromUrl } from '@swarmcast/protocol';
import { startTracker } from '../src/index.js';
import { loopOrigin, newKey, until } from './integrity-support.js';

void describe('GET /integrity/live on the tracker', () => {
  void test("serves its authority's latest live records, cacheable for a second; 404 for unknown; 400 on a bad query", async (t) => {
    const origin = await loopOrigin(t);
    const key = newKey();
    const tracker = await startTracker({ port: 0, integrity: { signingKeyPkcs8: key.privateKeyPkcs8, streams: [origin.liveMasterUrl] } });
    t.after(() => tracker.close());
    const live = renditionIdFromUrl(`${origin.url}/live/0/playlist.m3u8`);
    const url = (swarm: string, rendition: string): string =>
      `${tracker.httpUrl}/integrity/live?swarm=${encodeURIComponent(swarm)}&rendition=${encodeURIComponent(rendition)}`;
    await until(() => (tracker.stats().integrity?.segmentsSigned ?? 0) >= 3, 'live segments to be signed');
    const res = await fetch(url(origin.liveMasterUrl, live));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=1');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const doc = parseLiveRecords(await res.text());
    assert.equal(doc.swarm, origin.liveMasterUrl);
    assert.ok(doc.records.length >= 1);
    const sns = doc.records.map((r) => r.sn);
    assert.deepEqual(sns, [...sns].sort((a, b) => a - b), 'lowest sn first');
    assert.ok(doc.records.every((r) => r.rendition === live && verifyRecord(origin.liveMasterUrl, r, key.publicKey)));
    assert.equal((await fetch(url(origin.liveMasterUrl, 'r-unknown'))).status, 404);
    assert.equal((await fetch(url(origin.liveMasterUrl, 'bad id!'))).status, 400);
  });

  void test('a tracker without records answers 404', async (t) => {
    const tracker = await startTracker({ port: 0 });
    t.after(() => tracker.close());
    assert.equal((await fetch(`${tracker.httpUrl}/integrity/live?swarm=s&rendition=r`)).status, 404);
  });
});
