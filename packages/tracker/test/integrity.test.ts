import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { verifyRecord } from '@swarmcast/integrity';
import type { OriginServer } from '@swarmcast/origin';
import { LIMITS, renditionIdFromUrl } from '@swarmcast/protocol';
import { resolveTrackerConfig, startTracker } from '../src/index.js';
import type { TrackerServer } from '../src/index.js';
import { loopOrigin, newKey, recordsUntil, until } from './integrity-support.js';
import { connect, joined, openClient } from './test-client.js';

/** Live sns the origin lists now: the window a fresh authority signs first. */
const WINDOW = 6;

async function signingTracker(t: TestContext, origin: OriginServer): Promise<{ tracker: TrackerServer; key: ReturnType<typeof newKey> }> {
  const key = newKey();
  const tracker = await startTracker({ port: 0, integrity: { signingKeyPkcs8: key.privateKeyPkcs8, streams: [origin.liveMasterUrl, origin.vodMasterUrl] } });
  t.after(() => tracker.close());
  return { tracker, key };
}

function signed(tracker: TrackerServer): number {
  return tracker.stats().integrity?.segmentsSigned ?? 0;
}

void describe('tracker as integrity authority', () => {
  void test('welcome announces the key; a joiner gets the recent records, which verify; new records reach every member', async (t) => {
    const origin = await loopOrigin(t);
    const { tracker, key } = await signingTracker(t, origin);
    const swarm = origin.liveMasterUrl;
    const client = await connect(t, tracker.url);
    await until(() => (tracker.stats().integrity?.recordsHeld ?? 0) >= WINDOW + 40, 'the live window and the VOD to be signed');

    client.join(swarm);
    await client.expect('joined');
    const recent = await recordsUntil(client, swarm, (r) => r.length >= WINDOW);
    const rendition = renditionIdFromUrl(`${origin.url}/live/0/playlist.m3u8`);
    for (const record of recent) {
      assert.equal(record.rendition, rendition);
      assert.ok(verifyRecord(swarm, record, key.publicKey));
    }
    const edge = Math.max(...recent.map((r) => r.sn));

    const other = await joined(t, tracker.url, swarm);
    await recordsUntil(other, swarm, (r) => r.some((x) => x.sn === edge));
    const [fresh] = await Promise.all([
      recordsUntil(client, swarm, (r) => r.some((x) => x.sn === edge + 1)),
      recordsUntil(other, swarm, (r) => r.some((x) => x.sn === edge + 1)),
    ]);
    const record = fresh.find((r) => r.sn === edge + 1);
    assert.ok(record !== undefined && verifyRecord(swarm, record, key.publicKey));
    assert.ok(!fresh.some((r) => r.sn <= edge), 'members get only new records pushed');
  });

  void test('welcome carries integrityKeys: the authority key with its keyId', async (t) => {
    const origin = await loopOrigin(t);
    const { tracker, key } = await signingTracker(t, origin);
    const welcome = await (await openClient(t, tracker.url)).expect('welcome');
    assert.deepEqual(welcome.integrityKeys, [{ keyId: key.keyId, publicKey: key.publicKey }]);
  });

  void test('get-records answers what is held, unknown sns absent; VOD records are all available', async (t) => {
    const origin = await loopOrigin(t);
    const { tracker, key } = await signingTracker(t, origin);
    const vod = origin.vodMasterUrl;
    const rendition = renditionIdFromUrl(`${origin.url}/vod/0/playlist.m3u8`);
    await until(() => signed(tracker) >= WINDOW + 40, 'the VOD to be signed');
    const client = await joined(t, tracker.url, vod);
    // The joiner first gets the most recent records: the whole 40-segment VOD fits maxRecordsOnJoin.
    await recordsUntil(client, vod, (r) => r.length === 40);
    client.send({ type: 'get-records', swarm: vod, rendition, sns: [0, 39, 40, 12, 0] });
    const answer = await client.expect('records');
    assert.equal(answer.swarm, vod);
    assert.deepEqual(
      answer.records.map((r) => r.sn),
      [0, 39, 12],
    );
    for (const record of answer.records) assert.ok(verifyRecord(vod, record, key.publicKey));

    client.send({ type: 'get-records', swarm: vod, rendition: 'r-unknown', sns: [1] });
    assert.deepEqual((await client.skipTo('records')).records, []);
  });

  void test('get-records for a swarm not joined is NOT_IN_SWARM, fatal', async (t) => {
    const origin = await loopOrigin(t);
    const { tracker } = await signingTracker(t, origin);
    const client = await connect(t, tracker.url);
    client.send({ type: 'get-records', swarm: origin.liveMasterUrl, rendition: 'r1', sns: [1] });
    assert.equal((await client.expect('error')).code, 'NOT_IN_SWARM');
    assert.equal((await client.closed).code, 1008);
  });

  void test('without integrity config: no keys in welcome, get-records gets an empty records, stats.integrity is null', async (t) => {
    const tracker = await startTracker({ port: 0 });
    t.after(() => tracker.close());
    const client = await joined(t, tracker.url, 's');
    client.send({ type: 'get-records', swarm: 's', rendition: 'r1', sns: [1, 2] });
    assert.deepEqual(await client.expect('records'), { type: 'records', swarm: 's', records: [] });
    assert.equal(tracker.stats().integrity, null);
  });

  void test('stats report signing, and /stats serves them; close() stops the authority', async (t) => {
    const origin = await loopOrigin(t);
    const { tracker } = await signingTracker(t, origin);
    await until(() => signed(tracker) >= WINDOW + 40, 'signing');
    const client = await joined(t, tracker.url, origin.liveMasterUrl);
    await recordsUntil(client, origin.liveMasterUrl, (r) => r.length >= WINDOW);
    const stats = tracker.stats().integrity;
    assert.ok(stats !== null);
    assert.equal(stats.streams, 2);
    assert.equal(stats.renditions, 2);
    assert.ok(stats.bytesHashed > 0 && stats.hashMs > 0);
    assert.equal(stats.fetchErrors, 0);
    assert.equal(stats.publishers, 0);
    assert.ok(stats.recordsSent >= WINDOW && stats.recordMessagesSent >= 1);
    const served = (await (await fetch(`${tracker.httpUrl}/stats`)).json()) as { integrity: { segmentsSigned: number } };
    assert.ok(served.integrity.segmentsSigned >= WINDOW + 40);

    await tracker.close();
    const before = origin.stats().playlistRequests;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(origin.stats().playlistRequests, before, 'no polling after close');
  });

  void test('config: integrity, authoritySecret and authorityPublicKeys are checked with clear messages', () => {
    const key = newKey();
    assert.throws(
      () => resolveTrackerConfig({ integrity: { signingKeyPkcs8: 'x', streams: ['nope'] } }),
      /Invalid tracker config: integrity\.signingKeyPkcs8: .*; integrity\.streams\[0\] must be an absolute http\(s\) URL/,
    );
    assert.throws(() => resolveTrackerConfig({ authoritySecret: 'short' }), /authoritySecret must be 16 to 1024 printable ASCII characters/);
    assert.throws(
      () => resolveTrackerConfig({ authorityPublicKeys: [{ keyId: key.keyId, publicKey: key.publicKey }] }),
      /authorityPublicKeys is set but authoritySecret is not/,
    );
    const five = Array.from({ length: LIMITS.maxIntegrityKeys + 1 }, () => ({ keyId: key.keyId, publicKey: key.publicKey }));
    assert.throws(() => resolveTrackerConfig({ authoritySecret: 's'.repeat(16), authorityPublicKeys: five }), /authorityPublicKeys: at most 4 keys/);
    assert.throws(
      () => resolveTrackerConfig({ authoritySecret: 's'.repeat(16), authorityPublicKeys: [{ keyId: '!', publicKey: 'x' }] }),
      /authorityPublicKeys must be an array of \{ keyId, publicKey \}/,
    );
    assert.throws(() => resolveTrackerConfig({ maxRecordsOnJoin: -1 }), /maxRecordsOnJoin must be an integer from 0 to 4096/);
    assert.equal(resolveTrackerConfig({ integrity: { signingKeyPkcs8: key.privateKeyPkcs8, streams: ['http://o/m.m3u8'] } }).maxRecordsOnJoin, 64);
  });
});
