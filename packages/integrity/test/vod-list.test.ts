import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { startOrigin } from '@swarmcast/origin';
import { parseVodList, renditionIdFromUrl } from '@swarmcast/protocol';
import { generateSigningKey, loadSigningKey, signVodList, verifyVodList } from '../src/index.js';
import { eventually, startAuthority } from './helpers.js';

void describe('signed VOD hash lists', () => {
  void test('a fully hashed VOD rendition gets one signed list that verifies; live renditions get none; a tampered entry fails', async (t) => {
    const o = await startOrigin({ port: 0, liveSource: 'loop' });
    t.after(() => o.close());
    const { authority, key, records } = startAuthority(t, [o.vodMasterUrl, o.liveMasterUrl]);
    const vod = renditionIdFromUrl(`${o.url}/vod/0/playlist.m3u8`);
    const live = renditionIdFromUrl(`${o.url}/live/0/playlist.m3u8`);
    await eventually(() => authority.vodList(o.vodMasterUrl, vod) !== undefined, 'the VOD list');
    const list = authority.vodList(o.vodMasterUrl, vod);
    assert.ok(list !== undefined);
    assert.equal(list.swarm, o.vodMasterUrl);
    assert.equal(list.rendition, vod);
    assert.equal(list.keyId, key.keyId);
    assert.deepEqual(
      list.segments.map(([sn]) => sn),
      Array.from({ length: 40 }, (_, i) => i),
    );
    for (const [sn, sizeBytes, sha256] of list.segments) {
      const bytes = (await o.segmentBytes('vod', sn)) ?? new Uint8Array();
      assert.equal(sizeBytes, bytes.byteLength);
      assert.equal(sha256, createHash('sha256').update(bytes).digest('hex'));
    }
    assert.ok(verifyVodList(list, key.publicKey));
    // The wire form parses back to the same list, which still verifies.
    assert.ok(verifyVodList(parseVodList(JSON.stringify(list)), key.publicKey));

    const [first, ...rest] = list.segments;
    assert.ok(first !== undefined);
    const tampered = { ...list, segments: [[first[0], first[1], '0'.repeat(64)] as [number, number, string], ...rest] };
    assert.equal(verifyVodList(tampered, key.publicKey), false, 'a tampered hash fails');
    assert.equal(verifyVodList({ ...list, segments: rest }, key.publicKey), false, 'a dropped entry fails');
    assert.equal(verifyVodList({ ...list, rendition: live }, key.publicKey), false, 'another rendition fails');
    assert.equal(verifyVodList({ ...list, swarm: o.liveMasterUrl }, key.publicKey), false, 'another swarm fails');
    assert.equal(verifyVodList(list, generateSigningKey().publicKey), false, 'another key fails');

    await eventually(() => records.some((r) => r.swarm === o.liveMasterUrl), 'live records');
    assert.equal(authority.vodList(o.liveMasterUrl, live), undefined, 'live has no list');
    assert.equal(authority.vodList(o.vodMasterUrl, 'r-unknown'), undefined);
  });

  void test('signVodList covers the entries in their order', () => {
    const key = generateSigningKey();
    const a: [number, number, string] = [0, 10, 'a'.repeat(64)];
    const b: [number, number, string] = [1, 20, 'b'.repeat(64)];
    const list = signVodList('s', 'r', [a, b], loadSigningKey(key.privateKeyPkcs8));
    assert.ok(verifyVodList(list, key.publicKey));
    assert.equal(verifyVodList({ ...list, segments: [b, a] }, key.publicKey), false);
  });
});
