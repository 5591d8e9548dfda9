import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OriginError } from '../src/errors.js';
import { loadLoopAssets, parseLoopIndex } from '../src/loop-assets.js';
import { detectTsCodecs } from '../src/ts-codecs.js';
import { loopDir, loopSegmentsFromDisk } from './helpers.js';

test('bundled loop: 10 segments of 2.000 s, MPEG-TS, index sizes match, under the 1 MB budget', async () => {
  const assets = await loadLoopAssets();
  assert.equal(assets.segmentDurationSec, 2);
  assert.equal(assets.segments.length, 10);
  const disk = loopSegmentsFromDisk();
  let total = 0;
  assets.segments.forEach((s, i) => {
    assert.equal(s.durationSec, 2);
    assert.deepEqual(s.bytes, disk[i]);
    assert.equal(s.bytes[0], 0x47, 'TS sync byte');
    assert.equal(s.bytes.length % 188, 0, 'whole TS packets');
    total += s.bytes.length;
  });
  total += statSync(join(loopDir, 'index.json')).size;
  assert.ok(total < 1_000_000, `assets ${total} bytes`);
  assert.equal(assets.variant.resolution, '426x240');
  assert.ok(assets.variant.bandwidth >= assets.variant.averageBandwidth && assets.variant.averageBandwidth > 200_000);
});

test('index.json codecs are the ones in the segments', async () => {
  const assets = await loadLoopAssets();
  for (const s of assets.segments) assert.deepEqual(detectTsCodecs(s.bytes), { video: 'avc1.4d401e', audio: 'mp4a.40.2' });
  assert.equal(assets.variant.codecs, 'avc1.4d401e,mp4a.40.2');
});

test('loadLoopAssets loads once per directory', async () => {
  assert.equal(await loadLoopAssets(), await loadLoopAssets(loopDir));
});

test('parseLoopIndex rejects bad indexes', () => {
  const good = JSON.parse(readFileSync(join(loopDir, 'index.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(parseLoopIndex(good).segments.length, 10);
  const bad: unknown[] = [
    null,
    { ...good, segments: [] },
    { ...good, segments: [{ file: '../../etc/passwd', durationSec: 2, bytes: 1 }] },
    { ...good, segments: [{ file: 'seg-00000.mpegts', durationSec: 2.5, bytes: 1 }] },
    { ...good, codecs: 'avc1.4d401e, "x' },
    { ...good, resolution: 'big' },
    { ...good, bandwidth: -1 },
  ];
  for (const b of bad) assert.throws(() => parseLoopIndex(b), (e: unknown) => e instanceof OriginError && e.code === 'ORIGIN_ASSETS_INVALID');
});

test('detectTsCodecs on bytes that are not MPEG-TS finds nothing', () => {
  assert.deepEqual(detectTsCodecs(new Uint8Array(1000)), {});
  assert.deepEqual(detectTsCodecs(new Uint8Array(0)), {});
});
