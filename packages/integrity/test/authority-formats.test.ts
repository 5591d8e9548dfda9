/** The authority signs byte-range segments, init segments and AES-128 ciphertext as the origin serves them. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { initSegmentRenditionId, renditionIdFromUrl } from '@swarmcast/protocol';
import { verifyRecord } from '../src/index.js';
import { eventually, startAuthority, startFakeOrigin } from './helpers.js';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

void describe('IntegrityAuthority: segment formats', () => {
  void test('fMP4 in one file: the init range and each EXT-X-BYTERANGE segment are fetched with Range and signed; the VOD list covers the media', async (t) => {
    const origin = await startFakeOrigin(t);
    const file = new Uint8Array(randomBytes(3_000));
    const playlist = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-MAP:URI="main.mp4?token=abc",BYTERANGE="500@0"',
      '#EXTINF:4,',
      '#EXT-X-BYTERANGE:1000@500',
      'main.mp4?token=abc',
      '#EXTINF:4,',
      '#EXT-X-BYTERANGE:1500',
      'main.mp4?token=abc',
      '#EXT-X-ENDLIST',
    ].join('\n');
    origin.routes.set('/v/media.m3u8', () => ({ body: playlist }));
    origin.routes.set('/v/main.mp4', () => ({ body: file }));
    const mediaUrl = `${origin.url}/v/media.m3u8`;
    const { authority, key, records, errors } = startAuthority(t, [mediaUrl]);
    const rendition = renditionIdFromUrl(mediaUrl);
    await eventually(() => authority.vodList(mediaUrl, rendition) !== undefined, 'the VOD list');
    const init = initSegmentRenditionId(`${origin.url}/v/main.mp4`, { startBytes: 0, endBytes: 500 });
    const byKey = new Map(records.map((r) => [`${r.record.rendition}/${r.record.sn}`, r.record]));
    assert.equal(byKey.get(`${init}/0`)?.sha256, sha256(file.subarray(0, 500)));
    assert.equal(byKey.get(`${rendition}/0`)?.sha256, sha256(file.subarray(500, 1500)));
    assert.equal(byKey.get(`${rendition}/1`)?.sha256, sha256(file.subarray(1500, 3000)));
    for (const { swarm, record } of records) assert.ok(verifyRecord(swarm, record, key.publicKey));
    assert.deepEqual(origin.ranges.get('/v/main.mp4')?.slice().sort(), ['bytes=0-499', 'bytes=1500-2999', 'bytes=500-1499']);
    assert.deepEqual(authority.vodList(mediaUrl, rendition)?.segments.map(([sn]) => sn), [0, 1]);
    assert.deepEqual(authority.recordsFor(mediaUrl, init, [0]).length, 1, 'peers can ask for the init record');
    assert.deepEqual(errors, []);
  });

  void test('a server that ignores Range: the range is cut from the whole body', async (t) => {
    const origin = await startFakeOrigin(t);
    const file = new Uint8Array(randomBytes(2_000));
    origin.routes.set('/v/media.m3u8', () => ({ body: '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:800@1200\nall.ts\n#EXT-X-ENDLIST\n' }));
    origin.routes.set('/v/all.ts', () => ({ body: file, ignoreRange: true }));
    const mediaUrl = `${origin.url}/v/media.m3u8`;
    const { records } = startAuthority(t, [mediaUrl]);
    await eventually(() => records.length === 1, 'the record');
    assert.equal(records[0]?.record.sha256, sha256(file.subarray(1200, 2000)));
  });

  void test('AES-128: the ciphertext is signed as served and the key is never fetched; SAMPLE-AES segments are counted as unsupported', async (t) => {
    const origin = await startFakeOrigin(t);
    const cipher = new Uint8Array(randomBytes(4_096));
    const playlist = [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-KEY:METHOD=AES-128,URI="/keys/k1?token=abc"',
      '#EXTINF:4,',
      'enc0.ts',
      '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="/keys/k2"',
      '#EXTINF:4,',
      'enc1.ts',
      '#EXT-X-ENDLIST',
    ].join('\n');
    origin.routes.set('/v/media.m3u8', () => ({ body: playlist }));
    origin.routes.set('/v/enc0.ts', () => ({ body: cipher }));
    origin.routes.set('/v/enc1.ts', () => ({ body: cipher }));
    origin.routes.set('/keys/k1', () => ({ body: new Uint8Array(16) }));
    const mediaUrl = `${origin.url}/v/media.m3u8`;
    const { authority, records } = startAuthority(t, [mediaUrl]);
    await eventually(() => records.length === 1 && authority.stats().unsupportedSegments === 1, 'the AES-128 record');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(records[0]?.record.sha256, sha256(cipher));
    assert.equal(records.length, 1);
    assert.equal(origin.hits.get('/keys/k1'), undefined, 'the key server is never asked');
    assert.equal(origin.hits.get('/v/enc1.ts'), undefined);
  });
});
