import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import { INTEGRITY_AUTHORITY_USER_AGENT } from '@swarmcast/protocol';
import { startOrigin, type OriginStats } from '../src/index.js';
import { fetchBytes, loopSegmentsFromDisk } from './helpers.js';

const ZERO: OriginStats = {
  requests: 0,
  bytes: 0,
  segmentRequests: 0,
  segmentBytes: 0,
  authoritySegmentRequests: 0,
  authoritySegmentBytes: 0,
  playlistRequests: 0,
  playlistBytes: 0,
  rangeRequests: 0,
  notFound: 0,
  forbidden: 0,
  keyRequests: 0,
  keyBytes: 0,
};

test('stats count exact bytes for a known set of requests; /stats is not counted; resetStats zeroes', async () => {
  const origin = await startOrigin({ port: 0, liveSource: 'loop' });
  try {
    const loop = loopSegmentsFromDisk();
    assert.deepEqual(origin.stats(), ZERO);
    const master = await fetchBytes(origin.vodMasterUrl);
    const playlist = await fetchBytes(`${origin.url}/vod/0/playlist.m3u8`);
    const seg0 = await fetchBytes(`${origin.url}/vod/0/seg-0.ts`);
    const seg11 = await fetchBytes(`${origin.url}/vod/0/seg-11.ts?token=1`);
    const ranged = await fetchBytes(`${origin.url}/vod/0/seg-2.ts`, { headers: { range: 'bytes=0-999' } });
    const unsatisfiable = await fetchBytes(`${origin.url}/vod/0/seg-2.ts`, { headers: { range: 'bytes=99999999-' } });
    const head = await fetchBytes(`${origin.url}/vod/0/seg-3.ts`, { method: 'HEAD' });
    const missing = await fetchBytes(`${origin.url}/vod/0/seg-999.ts`);
    const live = await fetchBytes(`${origin.url}/live/0/seg-1.ts`);
    assert.deepEqual(
      [seg0, seg11, ranged, unsatisfiable, head, missing, live].map((r) => r.res.status),
      [200, 200, 206, 416, 200, 404, 200],
    );
    assert.deepEqual(seg0.bytes, loop[0]);
    assert.equal(ranged.bytes.length, 1000);
    const segmentBytes = (loop[0]?.length ?? 0) + (loop[1]?.length ?? 0) + 1000 + (loop[1]?.length ?? 0);
    const playlistBytes = master.bytes.length + playlist.bytes.length;
    const expected: OriginStats = {
      requests: 9,
      bytes: segmentBytes + playlistBytes + missing.bytes.length,
      segmentRequests: 5, // 200, 200, 206, HEAD 200, live 200
      segmentBytes,
      authoritySegmentRequests: 0,
      authoritySegmentBytes: 0,
      playlistRequests: 2,
      playlistBytes,
      rangeRequests: 2,
      notFound: 1,
      forbidden: 0,
      keyRequests: 0,
      keyBytes: 0,
    };
    assert.deepEqual(origin.stats(), expected);
    const viaHttp = await fetch(`${origin.url}/stats`);
    assert.equal(viaHttp.headers.get('content-type'), 'application/json');
    assert.deepEqual(await viaHttp.json(), expected);
    assert.deepEqual(origin.stats(), expected, '/stats itself is not counted');
    origin.resetStats();
    assert.deepEqual(origin.stats(), ZERO);
    await fetchBytes(`${origin.url}/favicon.ico`);
    assert.deepEqual(origin.stats(), { ...ZERO, requests: 1 });
  } finally {
    await origin.close();
  }
});

test('a client that aborts mid-body is counted only for what was written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'origin-abort-'));
  const size = 32 * 1024 * 1024; // far more than loopback socket buffers hold
  await writeFile(join(dir, 'big.json'), new Uint8Array(size));
  const origin = await startOrigin({ port: 0, liveSource: 'loop', staticDir: dir });
  try {
    const socket = connect(Number(new URL(origin.url).port), '127.0.0.1');
    socket.pause(); // never read: the server stalls once the kernel buffers are full
    socket.write('GET /big.json HTTP/1.1\r\nHost: x\r\n\r\n');
    const settled = async (): Promise<number> => {
      let last = -1;
      for (let stable = 0; stable < 3; ) {
        await delay(100);
        const now = origin.stats().bytes;
        stable = now === last ? stable + 1 : 0;
        last = now;
      }
      return last;
    };
    const beforeAbort = await settled();
    socket.destroy();
    const bytes = await settled();
    assert.ok(bytes > 0 && bytes < size, `counted ${bytes} of ${size}`);
    // Counted in whole 64 KiB chunks whose write completed: the chunk in flight at the abort is
    // either written (then it counts) or taken back, never left half-counted.
    assert.equal(bytes % (64 * 1024), 0);
    // beforeAbort already counts the chunk in flight; nothing after it can complete on a dead socket.
    assert.ok(bytes <= beforeAbort && bytes >= beforeAbort - 64 * 1024, `${bytes} vs ${beforeAbort} before the abort`);
    assert.equal(origin.stats().segmentBytes, 0);
    assert.equal(origin.stats().requests, 1);
  } finally {
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("the integrity authority's segment fetches are counted apart from viewers' traffic", async () => {
  const origin = await startOrigin({ port: 0, liveSource: 'loop' });
  try {
    const loop = loopSegmentsFromDisk();
    await fetchBytes(`${origin.url}/vod/0/seg-0.ts`, { headers: { 'user-agent': INTEGRITY_AUTHORITY_USER_AGENT } });
    await fetchBytes(`${origin.url}/vod/0/seg-1.ts`);
    await delay(50);
    const s = origin.stats();
    assert.equal(s.authoritySegmentRequests, 1);
    assert.equal(s.authoritySegmentBytes, loop[0]?.length);
    assert.equal(s.segmentRequests, 1);
    assert.equal(s.segmentBytes, loop[1]?.length);
    assert.equal(s.bytes, (loop[0]?.length ?? 0) + (loop[1]?.length ?? 0));
  } finally {
    await origin.close();
  }
});
