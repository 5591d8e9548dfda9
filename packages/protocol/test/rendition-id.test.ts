import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ID_PATTERN, INIT_SEGMENT_SN, hash32, initSegmentRenditionId, renditionIdFromUrl } from '../src/index.js';

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
