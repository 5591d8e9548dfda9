import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ID_PATTERN, hash32, renditionIdFromUrl } from '../src/index.js';

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
