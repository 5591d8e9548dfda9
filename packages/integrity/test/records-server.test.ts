import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLiveRecords, type SegmentRecord } from '@swarmcast/protocol';
import { IntegrityError, RecordStore, generateSigningKey, loadSigningKey, signRecord, startRecordsServer, verifyRecord } from '../src/index.js';

const SWARM = 'https://cdn.example/live/master.m3u8';

function signedStore(count: number): { store: RecordStore; publicKey: string } {
  const generated = generateSigningKey();
  const key = loadSigningKey(generated.privateKeyPkcs8);
  const store = new RecordStore({ maxSwarms: 4, maxRenditionsPerSwarm: 4, recentPerSwarm: 16 });
  const records: SegmentRecord[] = [];
  for (let sn = 0; sn < count; sn += 1) records.push(signRecord(SWARM, { rendition: 'v0', sn, sizeBytes: 100 + sn, sha256: 'ab'.repeat(32) }, key));
  store.add(SWARM, records, 256);
  return { store, publicKey: generated.publicKey };
}

const url = (base: string, swarm: string, rendition: string): string => `${base}?swarm=${encodeURIComponent(swarm)}&rendition=${encodeURIComponent(rendition)}`;

void describe('live records server', () => {
  void test('serves the latest 16 signed records of a rendition, or 16 from a given sn, cacheable for a second, to any origin', async () => {
    const { store, publicKey } = signedStore(100);
    const server = await startRecordsServer({ latestRecords: (s, r, max, from) => store.latest(s, r, max, from) });
    try {
      const response = await fetch(url(server.url, SWARM, 'v0'));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=1');
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      const doc = parseLiveRecords(await response.text());
      assert.deepEqual(doc.records.map((r) => r.sn), Array.from({ length: 16 }, (_, i) => 84 + i));
      assert.ok(doc.records.every((r) => verifyRecord(SWARM, r, publicKey)));
      const from = parseLiveRecords(await (await fetch(`${url(server.url, SWARM, 'v0')}&from=10`)).text());
      assert.deepEqual(from.records.map((r) => r.sn), Array.from({ length: 16 }, (_, i) => 10 + i));
      const tail = parseLiveRecords(await (await fetch(`${url(server.url, SWARM, 'v0')}&from=95`)).text());
      assert.deepEqual(tail.records.map((r) => r.sn), [95, 96, 97, 98, 99]);
      assert.equal((await fetch(`${url(server.url, SWARM, 'v0')}&from=100`)).status, 404, 'nothing signed from there yet');
      assert.deepEqual(server.stats(), { served: 3, refused: 1, throttled: 0 });
    } finally {
      await server.close();
    }
  });

  void test('bad requests get a clear status: 404 unknown rendition or path, 400 bad query, 405 method, 414 long target', async () => {
    const { store } = signedStore(3);
    const server = await startRecordsServer({ latestRecords: (s, r, max, from) => store.latest(s, r, max, from) });
    try {
      const statusOf = async (target: string, method = 'GET'): Promise<number> => (await fetch(target, { method })).status;
      assert.equal(await statusOf(url(server.url, SWARM, 'v9')), 404);
      assert.equal(await statusOf(url(server.url, 'other', 'v0')), 404);
      assert.equal(await statusOf(server.url.replace('/integrity/live', '/other')), 404);
      assert.equal(await statusOf(`${server.url}?swarm=${encodeURIComponent(SWARM)}`), 400);
      assert.equal(await statusOf(url(server.url, SWARM, 'bad id')), 400);
      assert.equal(await statusOf(`${url(server.url, SWARM, 'v0')}&from=-1`), 400);
      assert.equal(await statusOf(`${url(server.url, SWARM, 'v0')}&from=99999999999`), 400);
      assert.equal(await statusOf(url(server.url, SWARM, 'v0'), 'POST'), 405);
      assert.equal(await statusOf(url(server.url, 'x'.repeat(3000), 'v0')), 414);
      assert.deepEqual(server.stats(), { served: 0, refused: 9, throttled: 0 });
    } finally {
      await server.close();
    }
  });

  void test('past maxRequestsPerSec: 503 with Retry-After, counted', async () => {
    const { store } = signedStore(3);
    let nowMs = 5_000;
    const server = await startRecordsServer({ latestRecords: (s, r, max, from) => store.latest(s, r, max, from) }, { maxRequestsPerSec: 3, nowMs: () => nowMs });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await fetch(url(server.url, SWARM, 'v0'))).status);
      const busy = await fetch(url(server.url, SWARM, 'v0'));
      assert.equal(busy.headers.get('retry-after'), '1');
      nowMs += 1_000;
      statuses.push(busy.status, (await fetch(url(server.url, SWARM, 'v0'))).status);
      assert.deepEqual(statuses, [200, 200, 200, 503, 503, 503, 200], 'three a second, then a new second');
      assert.equal(server.stats().throttled, 3);
    } finally {
      await server.close();
    }
  });

  void test('invalid options fail with INTEGRITY_INVALID_CONFIG', async () => {
    await assert.rejects(
      startRecordsServer({ latestRecords: () => [] }, { port: 70_000 }),
      (e: unknown) => e instanceof IntegrityError && e.code === 'INTEGRITY_INVALID_CONFIG',
    );
  });
});
