import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ID_PATTERN, INIT_SEGMENT_SN, MAX_PARTS_PER_SEGMENT, hash32, initSegmentRenditionId, isPartRenditionId, partRenditionId, renditionIdFromUrl } from '../src/index.js';

void describe('hash32 and renditionIdFromUrl', () => {
  void test('hash32 keeps the values core used before it moved here (rendezvous choices must not change)', () => {
    assert.equal(hash32(''), 2872998923);
    assert.equal(hash32('a'), 444641715);
    assert.equal(hash32('peer-1|live/0:5'), 3475564114);
  });

  void test("rendition id = 'r' + base-36 hash32 of the media playlist URL without query string or fragment", () => {
    const url = 'http://127.0.0.1:8080/live/0/playlist.m3u8';
    assert.equal(renditionIdFromUrl(url), 'r134xa48');
    assert.equal(renditionIdFromUrl(url), `r${hash32(url).toString(36)}`);
    assert.equal(renditionIdFromUrl(`${url}?token=viewer-1`), 'r134xa48');
    assert.equal(renditionIdFromUrl(`${url}#t=10`), 'r134xa48');
    assert.equal(renditionIdFromUrl('https://cdn.example/v/720p.m3u8?token=1#x'), 'r1cs64f5');
    assert.notEqual(renditionIdFromUrl('http://127.0.0.1:8080/live/1/playlist.m3u8'), 'r134xa48');
    assert.match(renditionIdFromUrl(`${url}/${'x'.repeat(5000)}`), ID_PATTERN);
  });
});

void describe('initSegmentRenditionId', () => {
  const init = 'http://127.0.0.1:8080/formats/fmp4/vod/v0/init.mp4';
  void test('ignores the query string (per-viewer tokens) and the fragment', () => {
    assert.equal(initSegmentRenditionId(`${init}?token=a`), initSegmentRenditionId(`${init}?token=b`));
    assert.equal(initSegmentRenditionId(`${init}#x`), initSegmentRenditionId(init));
    assert.equal(initSegmentRenditionId(init), `r${hash32(init).toString(36)}`);
    assert.match(initSegmentRenditionId(init, { startBytes: 0, endBytes: 720 }), ID_PATTERN);
  });

  void test('tells byte ranges of one file apart, and the same range of one file is one id', () => {
    const file = 'http://cdn.example/v/main.mp4';
    const a = initSegmentRenditionId(file, { startBytes: 0, endBytes: 720 });
    assert.notEqual(a, initSegmentRenditionId(file, { startBytes: 0, endBytes: 721 }));
    assert.notEqual(a, initSegmentRenditionId(file));
    assert.equal(a, initSegmentRenditionId(`${file}?token=2`, { startBytes: 0, endBytes: 720 }));
    assert.equal(INIT_SEGMENT_SN, 0);
  });
});

void describe('partRenditionId', () => {
  const media = renditionIdFromUrl('http://127.0.0.1:8080/ll/0/playlist.m3u8');
  void test('one id per part place, a valid id, apart from the playlist and init segment ids', () => {
    const ids = Array.from({ length: MAX_PARTS_PER_SEGMENT }, (_, i) => partRenditionId(media, i));
    assert.equal(new Set(ids).size, MAX_PARTS_PER_SEGMENT);
    for (const id of ids) assert.match(id, ID_PATTERN);
    assert.ok(!ids.includes(media));
    assert.equal(partRenditionId(media, 3), `${media}.p3`);
    assert.ok(ids.every(isPartRenditionId));
    assert.ok(!isPartRenditionId(media));
    assert.ok(!isPartRenditionId(initSegmentRenditionId('http://cdn.example/init.mp4')));
  });

  void test('refuses an index out of range', () => {
    assert.throws(() => partRenditionId(media, -1), RangeError);
    assert.throws(() => partRenditionId(media, MAX_PARTS_PER_SEGMENT), RangeError);
    assert.throws(() => partRenditionId(media, 1.5), RangeError);
  });
});
