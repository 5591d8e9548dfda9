import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveWindow, LoopLiveSource, renderLoopLivePlaylist, type LiveWindowShape } from '../src/live-loop.js';
import { loadLoopAssets } from '../src/loop-assets.js';
import { parseMediaPlaylist } from './helpers.js';

const shape: LiveWindowShape = { windowSegments: 6, segmentDurationMs: 2000, loopSegments: 10 };
const START_MS = Date.UTC(2024, 0, 1);

test('liveWindow is full at the start and advances one segment per segment duration', () => {
  assert.deepEqual(liveWindow(START_MS, START_MS, shape), { firstSn: 0, lastSn: 5, discontinuitySequence: 0 });
  assert.deepEqual(liveWindow(START_MS + 1999, START_MS, shape), { firstSn: 0, lastSn: 5, discontinuitySequence: 0 });
  assert.deepEqual(liveWindow(START_MS + 2000, START_MS, shape), { firstSn: 1, lastSn: 6, discontinuitySequence: 0 });
  assert.deepEqual(liveWindow(START_MS + 19_999, START_MS, shape), { firstSn: 9, lastSn: 14, discontinuitySequence: 0 });
  assert.deepEqual(liveWindow(START_MS + 20_000, START_MS, shape), { firstSn: 10, lastSn: 15, discontinuitySequence: 1 });
  assert.deepEqual(liveWindow(START_MS + 3_600_000, START_MS, shape), { firstSn: 1800, lastSn: 1805, discontinuitySequence: 180 });
  // A clock that steps back never yields a negative window.
  assert.deepEqual(liveWindow(START_MS - 5000, START_MS, shape), { firstSn: 0, lastSn: 5, discontinuitySequence: 0 });
});

test('discontinuity tags and EXT-X-DISCONTINUITY-SEQUENCE stay consistent as the window slides over loop points', () => {
  for (const firstSn of [0, 1, 4, 5, 8, 9, 10, 11, 14, 15, 19, 20, 21, 29, 30, 95, 100]) {
    const nowMs = START_MS + firstSn * 2000 + 1234;
    const window = liveWindow(nowMs, START_MS, shape);
    const p = parseMediaPlaylist(renderLoopLivePlaylist(window, START_MS, shape));
    assert.equal(p.mediaSequence, firstSn);
    assert.equal(p.discontinuitySequence, Math.floor(firstSn / 10));
    assert.equal(p.segments.length, 6);
    let cc = p.discontinuitySequence;
    p.segments.forEach((s, i) => {
      const sn = firstSn + i;
      assert.equal(s.uri, `seg-${sn}.ts`);
      assert.equal(s.discontinuity, sn % 10 === 0 && i > 0, `DISCONTINUITY before sn ${sn} (first ${firstSn})`);
      if (s.discontinuity) cc++;
      // The discontinuity number a player derives must be the segment's loop count, whatever the window.
      assert.equal(cc, Math.floor(sn / 10), `cc of sn ${sn} in window from ${firstSn}`);
      assert.equal(s.durationSec, 2);
      assert.equal(s.programDateTime, new Date(START_MS + (sn - 6) * 2000).toISOString());
    });
  }
});

test('live loop playlist header: version, target duration, no ENDLIST, no playlist type', () => {
  const window = liveWindow(START_MS, START_MS, shape);
  const p = parseMediaPlaylist(renderLoopLivePlaylist(window, START_MS, shape));
  assert.equal(p.version, 3);
  assert.equal(p.targetDurationSec, 2);
  assert.equal(p.endList, false);
  assert.equal(p.playlistType, undefined);
  assert.equal(p.independentSegments, true);
});

test('LoopLiveSource with an injected clock: segments appear and expire with the window', async () => {
  const assets = await loadLoopAssets();
  let now = START_MS;
  const source = new LoopLiveSource(assets, { liveWindowSegments: 6 }, () => now);
  assert.equal(source.startMs, START_MS);
  assert.equal(await source.segment(5), assets.segments[5]?.bytes);
  assert.equal(await source.segment(6), undefined, 'not yet published');
  now += 2000;
  assert.equal(parseMediaPlaylist(await source.playlist()).mediaSequence, 1);
  assert.equal(await source.segment(0), assets.segments[0]?.bytes, 'left the playlist, still served (RFC 8216 6.2.2)');
  assert.equal(await source.segment(6), assets.segments[6]?.bytes);
  now = START_MS + 30_000; // window 15..20; removed segments stay 6 + 1 segment durations
  assert.equal(await source.segment(8), assets.segments[8]?.bytes);
  assert.equal(await source.segment(7), undefined, 'left the playlist more than 14 s ago');
  assert.equal(await source.segment(20), assets.segments[0]?.bytes, 'sn 20 plays loop[0]');
  assert.equal(await source.segment(17), assets.segments[7]?.bytes);
  assert.equal(await source.segment(21), undefined);
  assert.equal(await source.segment(-1), undefined);
  assert.equal(await source.segment(1.5), undefined);
  await source.close();
});
