import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { startOrigin } from '@swarmcast/origin';
import type { OriginServer } from '@swarmcast/origin';
import { renditionIdFromUrl } from '@swarmcast/protocol';
import type { TestContext } from 'node:test';
import { verifyRecord } from '../src/index.js';
import { eventually, startAuthority } from './helpers.js';

/** The loop origin's target duration. */
const TARGET_DURATION_MS = 2_000;

async function origin(t: TestContext): Promise<OriginServer> {
  const o = await startOrigin({ port: 0, liveSource: 'loop' });
  t.after(() => o.close());
  return o;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The highest sn in the origin's live media playlist. */
async function liveEdge(o: OriginServer): Promise<number> {
  const text = await (await fetch(`${o.url}/live/0/playlist.m3u8`)).text();
  const sequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1]);
  return sequence + (text.match(/^#EXTINF/gm)?.length ?? 0) - 1;
}

void describe('IntegrityAuthority on the real origin', () => {
  void test('live: the window is signed at once, and each new segment within one target duration; records verify and match the bytes', async (t) => {
    const o = await origin(t);
    const { authority, key, records } = startAuthority(t, [o.liveMasterUrl]);
    const rendition = renditionIdFromUrl(`${o.url}/live/0/playlist.m3u8`);
    const edge = await liveEdge(o);
    await eventually(() => records.some((r) => r.record.sn === edge), 'the live window to be signed');

    // Publication time of the next segment, seen by polling the playlist as fast as a player could.
    while ((await liveEdge(o)) === edge) await new Promise((resolve) => setTimeout(resolve, 20));
    const publishedMs = Date.now();
    await eventually(() => records.some((r) => r.record.sn === edge + 1), 'the new segment to be signed', 2 * TARGET_DURATION_MS);
    const delayMs = (records.find((r) => r.record.sn === edge + 1)?.atMs ?? Number.POSITIVE_INFINITY) - publishedMs;
    assert.ok(delayMs <= TARGET_DURATION_MS, `signed ${delayMs} ms after publication`);

    for (const { swarm, record } of records) {
      assert.equal(swarm, o.liveMasterUrl);
      assert.equal(record.rendition, rendition);
      assert.equal(record.keyId, key.keyId);
      assert.ok(verifyRecord(swarm, record, key.publicKey), `sn ${record.sn} verifies`);
      const bytes = await o.segmentBytes('live', record.sn);
      if (bytes === undefined) continue; // slid out of the window meanwhile
      assert.equal(record.sha256, sha256(bytes), `sn ${record.sn} hash`);
      assert.equal(record.sizeBytes, bytes.byteLength);
    }
    const one = records.at(-1)?.record;
    assert.ok(one !== undefined);
    assert.equal(verifyRecord(o.liveMasterUrl, { ...one, sha256: sha256(new Uint8Array([1])) }, key.publicKey), false, 'a tampered record fails');

    assert.deepEqual(authority.recordsFor(o.liveMasterUrl, rendition, [edge + 1, 999_999, edge]), [
      records.find((r) => r.record.sn === edge + 1)?.record,
      records.find((r) => r.record.sn === edge)?.record,
    ]);
    assert.deepEqual(
      authority.recent(o.liveMasterUrl, 2).map((r) => r.sn),
      [edge, edge + 1],
    );
    assert.deepEqual(authority.keys(), [{ keyId: key.keyId, publicKey: key.publicKey }]);
    const stats = authority.stats();
    assert.equal(stats.segmentsSigned, records.length);
    assert.equal(stats.renditions, 1);
    assert.equal(stats.fetchErrors, 0);
    assert.ok(stats.bytesHashed > 0 && stats.hashMs > 0 && stats.signMs > 0);
  });

  void test('VOD: every segment is hashed once, in order, and the playlist is not polled afterwards', async (t) => {
    const o = await origin(t);
    const { authority, key, records } = startAuthority(t, [o.vodMasterUrl]);
    const text = await (await fetch(`${o.url}/vod/0/playlist.m3u8`)).text();
    const count = text.match(/^#EXTINF/gm)?.length ?? 0;
    assert.equal(count, 40);
    await eventually(() => records.length === count, 'the whole VOD to be signed');
    assert.deepEqual(
      records.map((r) => r.record.sn),
      Array.from({ length: count }, (_, i) => i),
    );
    const rendition = renditionIdFromUrl(`${o.url}/vod/0/playlist.m3u8`);
    for (const { swarm, record } of records) {
      assert.equal(record.rendition, rendition);
      assert.ok(verifyRecord(swarm, record, key.publicKey));
      assert.equal(record.sha256, sha256((await o.segmentBytes('vod', record.sn)) ?? new Uint8Array()));
    }
    assert.equal(authority.records(o.vodMasterUrl).length, count);
    const playlistsBefore = o.stats().playlistRequests;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.equal(o.stats().playlistRequests, playlistsBefore);
    // Counted apart from viewers' traffic by the authority's User-Agent.
    assert.equal(o.stats().authoritySegmentRequests, count, 'each segment fetched exactly once');
    assert.equal(o.stats().segmentRequests, 0);
  });

  void test('a media playlist given directly is its own swarm, with the rendition id of its URL; query strings are not part of ids', async (t) => {
    const o = await origin(t);
    const bare = `${o.url}/vod/0/playlist.m3u8`;
    const { records } = startAuthority(t, [`${bare}?token=viewer1#frag`], { maxVodRecords: 5 });
    await eventually(() => records.length === 5, 'five records');
    for (const { swarm, record } of records) {
      assert.equal(swarm, bare);
      assert.equal(record.rendition, renditionIdFromUrl(bare));
    }
  });

  void test('a VOD longer than maxVodRecords gets its first maxVodRecords segments signed and one VOD_TOO_LONG error', async (t) => {
    const o = await origin(t);
    const { authority, records, errors } = startAuthority(t, [o.vodMasterUrl], { maxVodRecords: 15 });
    await eventually(() => records.length === 15, '15 records');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      records.map((r) => r.record.sn),
      Array.from({ length: 15 }, (_, i) => i),
    );
    assert.deepEqual(
      errors.map((e) => e.code),
      ['VOD_TOO_LONG'],
    );
    assert.match(errors[0]?.message ?? '', /lists 40 segments; only the first 15 \(maxVodRecords\) are signed/);
    assert.deepEqual(authority.stats().errors, { VOD_TOO_LONG: 1 });
  });
});
