import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { initSegmentRenditionId, MAX_PARTS_PER_SEGMENT } from '@swarmcast/protocol';
import { MAX_INIT_SEGMENTS, parsePlaylist, type MediaPlaylist } from '../src/index.js';

const BASE = 'https://cdn.example/vod/720p.m3u8?token=abc';

function media(lines: string[]): MediaPlaylist {
  const parsed = parsePlaylist(['#EXTM3U', '#EXT-X-TARGETDURATION:4', ...lines].join('\n'), BASE);
  assert.equal(parsed.kind, 'media');
  return parsed;
}

void describe('parsePlaylist: segment formats', () => {
  void test('EXT-X-BYTERANGE: explicit offsets, and an omitted offset continues the previous sub-range (RFC 8216 4.3.2.2)', () => {
    const p = media(['#EXTINF:4,', '#EXT-X-BYTERANGE:1000@0', 'main.ts', '#EXTINF:4,', '#EXT-X-BYTERANGE:500', 'main.ts', '#EXTINF:4,', '#EXT-X-BYTERANGE:700@2000', 'main.ts?t=1']);
    assert.deepEqual(p.segments, [
      { sn: 0, url: 'https://cdn.example/vod/main.ts', range: { startBytes: 0, endBytes: 1000 } },
      { sn: 1, url: 'https://cdn.example/vod/main.ts', range: { startBytes: 1000, endBytes: 1500 } },
      { sn: 2, url: 'https://cdn.example/vod/main.ts?t=1', range: { startBytes: 2000, endBytes: 2700 } },
    ]);
    assert.deepEqual(p.unsupported, []);
  });

  void test('a byte range that cannot be placed is unsupported, not guessed', () => {
    const p = media([
      '#EXTINF:4,',
      '#EXT-X-BYTERANGE:500',
      'main.ts', // no previous sub-range
      '#EXTINF:4,',
      '#EXT-X-BYTERANGE:1000@0',
      'a.ts',
      '#EXTINF:4,',
      '#EXT-X-BYTERANGE:500',
      'b.ts', // the previous sub-range is of another resource
      '#EXTINF:4,',
      '#EXT-X-BYTERANGE:0@10',
      'c.ts',
      '#EXTINF:4,',
      '#EXT-X-BYTERANGE:x@1',
      'c.ts',
    ]);
    assert.deepEqual(p.segments.map((s) => s.sn), [1]);
    assert.deepEqual(p.unsupported, [0, 2, 3, 4]);
  });

  void test('EXT-X-MAP: init segments by id (URL without tokens + range), deduplicated; a new MAP applies from there on', () => {
    const p = media([
      '#EXT-X-MAP:URI="init-a.mp4?token=abc"',
      '#EXTINF:4,',
      'a0.m4s',
      '#EXTINF:4,',
      'a1.m4s',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="main.mp4",BYTERANGE="720@0"',
      '#EXTINF:4,',
      '#EXT-X-BYTERANGE:1000@720',
      'main.mp4',
      '#EXTINF:4,',
      '#EXT-X-BYTERANGE:900',
      'main.mp4',
    ]);
    assert.deepEqual(p.inits, [
      { rendition: initSegmentRenditionId('https://cdn.example/vod/init-a.mp4'), url: 'https://cdn.example/vod/init-a.mp4?token=abc' },
      {
        rendition: initSegmentRenditionId('https://cdn.example/vod/main.mp4', { startBytes: 0, endBytes: 720 }),
        url: 'https://cdn.example/vod/main.mp4',
        range: { startBytes: 0, endBytes: 720 },
      },
    ]);
    assert.deepEqual(
      p.segments.map((s) => [s.sn, s.range?.startBytes, s.range?.endBytes]),
      [
        [0, undefined, undefined],
        [1, undefined, undefined],
        [2, 720, 1720],
        [3, 1720, 2620],
      ],
      'the sn keeps counting across the discontinuity',
    );
  });

  void test('an init segment that cannot be signed leaves its segments unsigned; too many distinct ones too', () => {
    const p = media(['#EXT-X-MAP:URI="data:video/mp4;base64,AAAA"', '#EXTINF:4,', 'a.m4s', '#EXT-X-MAP:URI="i.mp4",BYTERANGE="zz"', '#EXTINF:4,', 'b.m4s']);
    assert.deepEqual(p.unsupported, [0, 1]);
    assert.deepEqual(p.inits, []);
    const many = Array.from({ length: MAX_INIT_SEGMENTS + 1 }, (_, i) => [`#EXT-X-MAP:URI="init-${i}.mp4"`, '#EXTINF:4,', `s${i}.m4s`]).flat();
    const q = media(many);
    assert.equal(q.inits.length, MAX_INIT_SEGMENTS);
    assert.deepEqual(q.unsupported, [MAX_INIT_SEGMENTS]);
  });

  void test('EXT-X-KEY: NONE and AES-128 (identity) segments are signed as served (ciphertext); SAMPLE-AES and DRM key formats are not', () => {
    const p = media([
      '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k1?token=abc",IV=0x00000000000000000000000000000001',
      '#EXTINF:4,',
      'enc0.ts',
      '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k2",KEYFORMAT="com.apple.streamingkeydelivery"',
      '#EXTINF:4,',
      'enc1.ts',
      '#EXT-X-KEY:METHOD=AES-128,URI="k3",KEYFORMAT="com.example.drm"',
      '#EXTINF:4,',
      'enc2.ts',
      '#EXT-X-KEY:METHOD=NONE',
      '#EXTINF:4,',
      'clear3.ts',
      '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k4"',
      '#EXTINF:4,',
      'enc4.ts',
    ]);
    assert.deepEqual(p.segments.map((s) => s.sn), [0, 3]);
    assert.deepEqual(p.unsupported, [1, 2, 4]);
    assert.ok(!p.segments.some((s) => s.url.includes('keys.example')), 'a key URI is never a segment');
  });
});

void describe('parsePlaylist: LL-HLS parts', () => {
  void test('parts belong to the segment listed after them, or to the one not listed yet; indexes restart per segment', () => {
    const p = media([
      '#EXT-X-PART-INF:PART-TARGET=0.5',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5',
      '#EXT-X-MEDIA-SEQUENCE:7',
      '#EXTINF:4,',
      'seg7.mp4',
      '#EXT-X-PART:DURATION=0.5,URI="p8.0.mp4",INDEPENDENT=YES',
      '#EXT-X-PART:DURATION=0.5,URI="p8.1.mp4"',
      '#EXTINF:1,',
      'seg8.mp4',
      '#EXT-X-PART:DURATION=0.5,URI="p9.0.mp4"',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p9.1.mp4"',
    ]);
    assert.equal(p.partTargetSec, 0.5);
    assert.equal(p.canBlockReload, true);
    assert.deepEqual(p.parts, [
      { sn: 8, index: 0, url: 'https://cdn.example/vod/p8.0.mp4' },
      { sn: 8, index: 1, url: 'https://cdn.example/vod/p8.1.mp4' },
      { sn: 9, index: 0, url: 'https://cdn.example/vod/p9.0.mp4' },
    ]);
    assert.deepEqual(p.lastPart, { sn: 9, index: 0 });
    assert.deepEqual(p.segments.map((s) => s.sn), [7, 8]);
  });

  void test('byte-range parts: an omitted offset follows the previous part of the same URI; GAP and unplaceable parts are left out but keep their index', () => {
    const p = media([
      '#EXT-X-PART:DURATION=1,URI="s0.mp4",BYTERANGE="100@0"',
      '#EXT-X-PART:DURATION=1,URI="s0.mp4",BYTERANGE="50"',
      '#EXT-X-PART:DURATION=1,URI="s0.mp4",GAP=YES',
      '#EXT-X-PART:DURATION=1,URI="other.mp4",BYTERANGE="10"',
      '#EXT-X-PART:DURATION=1,URI="data:x"',
      '#EXT-X-PART:DURATION=1,URI="s0.mp4",BYTERANGE="25@150"',
    ]);
    assert.deepEqual(p.parts, [
      { sn: 0, index: 0, url: 'https://cdn.example/vod/s0.mp4', range: { startBytes: 0, endBytes: 100 } },
      { sn: 0, index: 1, url: 'https://cdn.example/vod/s0.mp4', range: { startBytes: 100, endBytes: 150 } },
      { sn: 0, index: 5, url: 'https://cdn.example/vod/s0.mp4', range: { startBytes: 150, endBytes: 175 } },
    ]);
    assert.deepEqual(p.lastPart, { sn: 0, index: 5 });
    assert.equal(p.canBlockReload, false);
    assert.equal(p.partTargetSec, undefined);
  });

  void test('parts under SAMPLE-AES are not signed; a part index past MAX_PARTS_PER_SEGMENT is not signed', () => {
    const encrypted = media(['#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k"', '#EXT-X-PART:DURATION=1,URI="a.mp4"']);
    assert.deepEqual(encrypted.parts, []);
    const many = media(Array.from({ length: MAX_PARTS_PER_SEGMENT + 1 }, (_, i) => `#EXT-X-PART:DURATION=0.1,URI="p${i}.mp4"`));
    assert.equal(many.parts.length, MAX_PARTS_PER_SEGMENT);
    assert.equal(many.parts.at(-1)?.index, MAX_PARTS_PER_SEGMENT - 1);
  });

  void test('a bad PART-TARGET is refused', () => {
    assert.throws(() => media(['#EXT-X-PART-INF:PART-TARGET=abc']), /PART-TARGET/);
  });
});
