import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { loadSigningKey, signRecord, startSigningSidecar, verifyRecord } from '@swarmcast/integrity';
import type { SigningSidecar } from '@swarmcast/integrity';
import { renditionIdFromUrl } from '@swarmcast/protocol';
import { WebSocket } from 'ws';
import { startTracker } from '../src/index.js';
import type { TrackerConfig, TrackerServer } from '../src/index.js';
import { loopOrigin, newKey, recordsUntil, until } from './integrity-support.js';
import { joined, openClient } from './test-client.js';

const SECRET = 'correct-horse-battery-staple';

async function tracker(t: TestContext, config: Partial<TrackerConfig>): Promise<TrackerServer> {
  const server = await startTracker({ port: 0, ...config });
  t.after(() => server.close());
  return server;
}

function sidecar(t: TestContext, server: TrackerServer, streams: string[], signingKeyPkcs8: string, secret = SECRET): SigningSidecar {
  const running = startSigningSidecar({ publishUrl: `${server.url}authority`, secret, reconnectMinMs: 50, authority: { signingKeyPkcs8, streams } });
  t.after(() => running.close());
  return running;
}

/** A raw publisher socket with the given Authorization header; resolves once open. */
async function publisher(t: TestContext, server: TrackerServer, authorization: string): Promise<WebSocket> {
  const socket = new WebSocket(`${server.url}authority`, { headers: { Authorization: authorization } });
  t.after(() => {
    socket.terminate();
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

void describe('signing sidecar publishing to /authority', () => {
  void test('records signed by the sidecar reach members, are announced with its key, and answer get-records', async (t) => {
    const origin = await loopOrigin(t);
    const key = newKey();
    const server = await tracker(t, { authoritySecret: SECRET, authorityPublicKeys: [{ keyId: key.keyId, publicKey: key.publicKey }] });
    const swarm = origin.liveMasterUrl;
    const welcome = await (await openClient(t, server.url)).expect('welcome');
    assert.deepEqual(welcome.integrityKeys, [{ keyId: key.keyId, publicKey: key.publicKey }]);
    const member = await joined(t, server.url, swarm);

    const running = sidecar(t, server, [swarm], key.privateKeyPkcs8);
    const records = await recordsUntil(member, swarm, (r) => r.length >= 6);
    for (const record of records) assert.ok(verifyRecord(swarm, record, key.publicKey));
    await until(() => running.stats().connected && server.stats().integrity?.publishers === 1, 'the publisher count');

    const rendition = renditionIdFromUrl(`${origin.url}/live/0/playlist.m3u8`);
    const sn = records[0]?.sn ?? -1;
    member.send({ type: 'get-records', swarm, rendition, sns: [sn, 999_999] });
    assert.deepEqual((await member.skipTo('records')).records, [records[0]]);

    // A late joiner gets the published records too.
    const late = await joined(t, server.url, swarm);
    assert.ok((await recordsUntil(late, swarm, (r) => r.length >= 6)).every((r) => verifyRecord(swarm, r, key.publicKey)));
    const stats = server.stats().integrity;
    assert.ok(stats !== null && stats.recordsPublished >= 6 && stats.segmentsSigned === 0);
    assert.ok(running.stats().recordsSent >= 6);
  });

  void test('a wrong secret is refused with 401 and stops the sidecar with PUBLISH_UNAUTHORIZED; without authoritySecret the path is refused', async (t) => {
    const origin = await loopOrigin(t);
    const key = newKey();
    const guarded = await tracker(t, { authoritySecret: SECRET });
    const wrong = sidecar(t, guarded, [origin.liveMasterUrl], key.privateKeyPkcs8, 'not-the-secret-at-all');
    const reason = await wrong.stopped;
    assert.ok(reason !== undefined);
    assert.equal(reason.code, 'PUBLISH_UNAUTHORIZED');
    assert.match(reason.message, /HTTP 401/);
    assert.equal(guarded.stats().rejects['AUTHORITY_UNAUTHORIZED'], 1);
    assert.equal(guarded.stats().integrity?.recordsPublished, 0);

    const open = await tracker(t, {});
    const refused = sidecar(t, open, [origin.liveMasterUrl], key.privateKeyPkcs8, SECRET);
    assert.match((await refused.stopped)?.message ?? '', /HTTP 403/);
    assert.equal(open.stats().rejects['AUTHORITY_DISABLED'], 1);
    assert.equal(open.stats().integrity, null);
  });

  void test('publishers are held to the protocol: junk and non-records messages close them; bad signatures are dropped', async (t) => {
    const key = newKey();
    const server = await tracker(t, { authoritySecret: SECRET, authorityPublicKeys: [{ keyId: key.keyId, publicKey: key.publicKey }] });
    const swarm = 'http://origin.example/live/master.m3u8';
    const member = await joined(t, server.url, swarm);

    const junk = await publisher(t, server, `Bearer ${SECRET}`);
    junk.send('{"type":"records"');
    assert.deepEqual(await closeOf(junk), { code: 1008, reason: 'TRACKER_MSG_NOT_JSON' });
    const wrongType = await publisher(t, server, `Bearer ${SECRET}`);
    wrongType.send(JSON.stringify({ type: 'pong' }));
    assert.deepEqual(await closeOf(wrongType), { code: 1008, reason: 'AUTHORITY_MSG_INVALID' });

    const good = signRecord(swarm, { rendition: 'r1', sn: 1, sizeBytes: 10, sha256: 'a'.repeat(64) }, loadSigningKey(key.privateKeyPkcs8));
    const forged = signRecord(swarm, { rendition: 'r1', sn: 2, sizeBytes: 10, sha256: 'b'.repeat(64) }, loadSigningKey(newKey().privateKeyPkcs8));
    const ok = await publisher(t, server, `Bearer ${SECRET}`);
    ok.send(JSON.stringify({ type: 'records', swarm, records: [good, { ...forged, keyId: key.keyId }, { ...good, sn: 3 }] }));
    assert.deepEqual(await recordsUntil(member, swarm, (r) => r.length >= 1), [good]);
    await until(() => server.stats().rejects['RECORD_BAD_SIGNATURE'] === 2, 'the two bad records to be counted');
    assert.equal(ok.readyState, WebSocket.OPEN, 'bad records do not close a publisher');
  });

  void test('after a tracker restart the sidecar reconnects and publishes everything it holds again', async (t) => {
    const origin = await loopOrigin(t);
    const key = newKey();
    const first = await startTracker({ port: 0, authoritySecret: SECRET });
    const running = sidecar(t, first, [origin.vodMasterUrl], key.privateKeyPkcs8);
    await until(() => first.stats().integrity?.recordsPublished === 40, 'the VOD to be published');
    await first.close();
    const second = await tracker(t, { port: first.port, authoritySecret: SECRET });
    await until(() => second.stats().integrity?.recordsPublished === 40, 'the VOD to be published again');
    assert.equal(running.stats().connects, 2);
    const member = await joined(t, second.url, origin.vodMasterUrl);
    assert.equal((await recordsUntil(member, origin.vodMasterUrl, (r) => r.length === 40)).length, 40);
  });
});
