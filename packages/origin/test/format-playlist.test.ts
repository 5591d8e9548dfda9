import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogRendition, CatalogType } from '../src/formats/format-catalog.js';
import { renderFormatMaster, renderFormatMedia, tokenSuffix } from '../src/formats/format-playlist.js';
import { formatWindow, type LoopShape } from '../src/formats/format-window.js';
import { parseMasterPlaylist, parseMediaPlaylist } from './helpers.js';

function rendition(name: string, count: number, extra: Partial<CatalogRendition> = {}, discontinuityAt = -1): CatalogRendition {
  const segments = Array.from({ length: count }, (_, i) => ({ durationSec: 2, bytes: new Uint8Array(10), discontinuity: i === discontinuityAt }));
  return { name, resolution: '640x360', bandwidth: 600_000, averageBandwidth: 500_000, codecs: 'avc1.4d401e,mp4a.40.2', segments, ...extra };
}

/** Lines of a playlist that the shared test parser does not know (MAP, KEY, BYTERANGE). */
function withoutFormatTags(text: string): string {
  return text.split('\n').filter((l) => !/^#EXT-X-(MAP|KEY|BYTERANGE):/.test(l)).join('\n');
}

test('master: one variant per rendition, lowest first, token copied to every URI', () => {
  const type: CatalogType = { type: 'tokens', renditions: [rendition('240p', 3), rendition('480p', 3)] };
  const master = parseMasterPlaylist(renderFormatMaster(type, tokenSuffix('v-1')));
  assert.deepEqual(master.variants.map((v) => v.uri), ['240p/index.m3u8?token=v-1', '480p/index.m3u8?token=v-1']);
  assert.equal(master.variants[0]?.attributes.BANDWIDTH, '600000');
  assert.equal(master.variants[0].attributes.CODECS, 'avc1.4d401e,mp4a.40.2');
});

test('VOD media: every segment, ENDLIST, token on segment URIs, discontinuity where the catalog has one', () => {
  const type: CatalogType = { type: 'discontinuity', renditions: [rendition('360p', 6, {}, 3)] };
  const r = type.renditions[0];
  assert.ok(r);
  const text = renderFormatMedia(type, r, { mode: 'vod' }, tokenSuffix('t'));
  const p = parseMediaPlaylist(text);
  assert.equal(p.endList, true);
  assert.equal(p.playlistType, 'VOD');
  assert.deepEqual(p.segments.map((s) => s.uri), [0, 1, 2, 3, 4, 5].map((i) => `seg-${i}.ts?token=t`));
  assert.deepEqual(p.segments.map((s) => s.discontinuity), [false, false, false, true, false, false]);
});

test('fmp4 and aes128: EXT-X-MAP and EXT-X-KEY at the top, with the origin key URI and IV', () => {
  const fmp4: CatalogType = { type: 'fmp4', renditions: [rendition('360p', 2, { init: new Uint8Array(4) })] };
  const fmp4Text = renderFormatMedia(fmp4, fmp4.renditions[0] ?? rendition('x', 1), { mode: 'vod' }, '');
  assert.match(fmp4Text, /#EXT-X-VERSION:6\n/);
  assert.match(fmp4Text, /#EXT-X-MAP:URI="init\.mp4"\n#EXTINF/);
  assert.match(fmp4Text, /\nseg-1\.m4s\n/);
  const aes: CatalogType = { type: 'aes128', renditions: [rendition('360p', 2)], key: { bytes: new Uint8Array(16), ivHex: '00ff'.repeat(8) } };
  const aesText = renderFormatMedia(aes, aes.renditions[0] ?? rendition('x', 1), { mode: 'vod' }, '');
  assert.match(aesText, new RegExp(`#EXT-X-KEY:METHOD=AES-128,URI="\\.\\./key",IV=0x${'00ff'.repeat(8)}\\n`));
  parseMediaPlaylist(withoutFormatTags(aesText));
});

test('byterange: one file, explicit length@offset per segment, version 4', () => {
  const ranges = [0, 100, 250].map((offset, i) => ({ offset, length: [100, 150, 80][i] ?? 0 }));
  const r: CatalogRendition = {
    ...rendition('360p', 3),
    segments: ranges.map((range) => ({ durationSec: 2, bytes: new Uint8Array(range.length), range, discontinuity: false })),
    singleFile: new Uint8Array(330),
  };
  const text = renderFormatMedia({ type: 'byterange', renditions: [r] }, r, { mode: 'vod' }, '');
  assert.match(text, /#EXT-X-VERSION:4\n/);
  assert.deepEqual([...text.matchAll(/#EXT-X-BYTERANGE:(\d+@\d+)\nmedia\.ts\n/g)].map((m) => m[1]), ['100@0', '150@100', '80@250']);
});

test('live: a window of media sequences, loop point and inner discontinuities tagged inside it and counted once gone', () => {
  const r = rendition('360p', 5, {}, 3);
  const type: CatalogType = { type: 'discontinuity', renditions: [r] };
  const shape: LoopShape = { windowSegments: 4, segmentDurationMs: 2000, discontinuities: r.segments.map((s) => s.discontinuity) };
  const start = Date.parse('2026-01-01T00:00:00Z');
  const render = (elapsedMs: number) => {
    const window = formatWindow(start + elapsedMs, start, shape);
    return parseMediaPlaylist(renderFormatMedia(type, r, { mode: 'live', window, shape, startMs: start }, ''));
  };
  const a = render(4000); // sn 2..5: 3 (inner) and 5 (loop point) tagged
  assert.equal(a.endList, false);
  assert.equal(a.playlistType, undefined);
  assert.equal(a.mediaSequence, 2);
  assert.equal(a.discontinuitySequence, 0);
  assert.deepEqual(a.segments.map((s) => s.uri), ['seg-2.ts', 'seg-3.ts', 'seg-4.ts', 'seg-5.ts']);
  assert.deepEqual(a.segments.map((s) => s.discontinuity), [false, true, false, true]);
  assert.equal(a.segments[0]?.programDateTime, '2025-12-31T23:59:56.000Z', 'sn 2 starts 2 segments before the start edge');
  const b = render(8000); // sn 4..7: the inner one at 3 slid out
  assert.equal(b.discontinuitySequence, 1);
  assert.deepEqual(b.segments.map((s) => s.discontinuity), [false, true, false, false]);
  const c = render(10_000); // sn 5..8: first is the loop point, counted not tagged
  assert.equal(c.discontinuitySequence, 2);
  assert.deepEqual(c.segments.map((s) => s.discontinuity), [false, false, false, true]);
});
