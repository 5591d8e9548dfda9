import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntegrityError } from '@swarmcast/integrity';
import { renditionIdFromUrl } from '@swarmcast/protocol';
import { SegmentMap } from '../src/segment-map.js';

const MEDIA_URL = 'https://cdn.example/live/0/playlist.m3u8?token=viewer1';
const MEDIA = ['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:41', '#EXTINF:2,', 'seg-41.ts?token=viewer1', '#EXTINF:2,', 'seg-42.ts?token=viewer1', ''].join('\n');
const MPD_URL = 'https://cdn.example/vod/stream.mpd';
const MPD = `<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet>
  <Representation id="v" bandwidth="1"><SegmentTemplate timescale="1" duration="2" media="c-$RepresentationID$-$Number%03d$.m4s" startNumber="5"/></Representation>
</AdaptationSet></Period></MPD>`;

void describe('SegmentMap', () => {
  void test('HLS: a media playlist maps each segment URL to {renditionIdFromUrl(playlist URL), media sequence number}, as hls.js and the authority name it', () => {
    const map = new SegmentMap();
    assert.equal(map.addManifest(MEDIA, MEDIA_URL), 'hls-media');
    const rendition = renditionIdFromUrl(MEDIA_URL);
    assert.equal(rendition, renditionIdFromUrl('https://cdn.example/live/0/playlist.m3u8'), 'tokens do not change the rendition');
    assert.deepEqual(map.lookup('https://cdn.example/live/0/seg-41.ts?token=viewer1'), { rendition, sn: 41 });
    assert.deepEqual(map.lookup('https://cdn.example/live/0/seg-42.ts?token=viewer1'), { rendition, sn: 42 });
    assert.equal(map.lookup('https://cdn.example/live/0/seg-43.ts?token=viewer1'), undefined);
    assert.equal(map.lookup('not a url'), undefined);
  });

  void test('HLS master playlists and other text add nothing', () => {
    const map = new SegmentMap();
    assert.equal(map.addManifest('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n0/playlist.m3u8\n', 'https://cdn.example/live/master.m3u8'), 'hls-master');
    assert.equal(map.addManifest('{"json": true}', 'https://cdn.example/x'), 'unknown');
    assert.equal(map.size, 0);
  });

  void test('DASH: an MPD maps each $Number$ URL to {rendition of the media template, segment number}', () => {
    const map = new SegmentMap();
    assert.equal(map.addManifest(MPD, MPD_URL), 'mpd');
    const rendition = renditionIdFromUrl('https://cdn.example/vod/c-v-$Number%03d$.m4s');
    assert.deepEqual(map.lookup('https://cdn.example/vod/c-v-005.m4s'), { rendition, sn: 5 });
    assert.deepEqual(map.lookup('https://cdn.example/vod/c-v-006.m4s'), { rendition, sn: 6 });
    assert.equal(map.size, 2);
  });

  void test('URLs compare normalised (as the browser resolves them)', () => {
    const map = new SegmentMap();
    map.addManifest(MPD, 'HTTPS://CDN.example:443/vod/./stream.mpd');
    assert.ok(map.lookup('https://cdn.example/vod/c-v-005.m4s'));
  });

  void test('bounded: the oldest URLs are forgotten first, a re-listed URL counts as new', () => {
    const map = new SegmentMap(3);
    const playlist = (first: number, count: number): string =>
      ['#EXTM3U', '#EXT-X-TARGETDURATION:2', `#EXT-X-MEDIA-SEQUENCE:${first}`, ...Array.from({ length: count }, (_, i) => `#EXTINF:2,\ns${first + i}.ts`)].join('\n');
    map.addManifest(playlist(1, 3), MEDIA_URL);
    map.addManifest(playlist(2, 3), MEDIA_URL);
    assert.equal(map.size, 3);
    assert.equal(map.lookup('https://cdn.example/live/0/s1.ts'), undefined);
    assert.equal(map.lookup('https://cdn.example/live/0/s4.ts')?.sn, 4);
    assert.equal(map.lookup('https://cdn.example/live/0/s2.ts')?.sn, 2);
  });

  void test('a malformed manifest throws the parser error and leaves the map as it was', () => {
    const map = new SegmentMap();
    map.addManifest(MPD, MPD_URL);
    assert.throws(() => map.addManifest('<MPD><Period>', MPD_URL), IntegrityError);
    assert.throws(() => map.addManifest('#EXTM3U\nseg.ts\n', MEDIA_URL), IntegrityError);
    assert.equal(map.size, 2);
  });
});
