import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { IntegrityError, MAX_VARIANTS, parsePlaylist } from '../src/index.js';

const BASE = 'https://cdn.example/live/master.m3u8?token=abc';

function invalid(text: string, pattern: RegExp): void {
  assert.throws(
    () => parsePlaylist(text, BASE),
    (error: unknown) => error instanceof IntegrityError && error.code === 'PLAYLIST_INVALID' && pattern.test(error.message),
    JSON.stringify(text.slice(0, 80)),
  );
}

void describe('parsePlaylist', () => {
  void test('a master playlist gives absolute variant URLs, resolved against the playlist URL, deduplicated', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360',
      'low/index.m3u8?x=1',
      '#EXT-X-STREAM-INF:BANDWIDTH=2000000',
      '',
      '/abs/high.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO="a"',
      'low/index.m3u8?x=1',
      '#EXT-X-STREAM-INF:BANDWIDTH=1',
      'https://other.example/v.m3u8',
    ].join('\r\n');
    assert.deepEqual(parsePlaylist(text, BASE), {
      kind: 'master',
      variants: ['https://cdn.example/live/low/index.m3u8?x=1', 'https://cdn.example/abs/high.m3u8', 'https://other.example/v.m3u8'],
    });
  });

  void test('a media playlist gives sn = EXT-X-MEDIA-SEQUENCE + index, ENDLIST and TARGETDURATION; non-http segments are only counted', () => {
    const text = [
      '\uFEFF#EXTM3U',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-MEDIA-SEQUENCE:100',
      '#EXT-X-DISCONTINUITY',
      '#EXTINF:5.005,title',
      'seg100.ts',
      '#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00Z',
      '#EXTINF:6,',
      '#EXT-X-BYTERANGE:1000@0',
      'all.ts',
      '#EXTINF:6,',
      'data:video/mp2t;base64,AAAA',
      '# a comment',
      '#EXTINF:4',
      'https://edge.example/seg103.ts',
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    assert.deepEqual(parsePlaylist(text, BASE), {
      kind: 'media',
      targetDurationSec: 6,
      partTargetSec: undefined,
      canBlockReload: false,
      mediaSequence: 100,
      endList: true,
      segments: [
        { sn: 100, url: 'https://cdn.example/live/seg100.ts' },
        { sn: 101, url: 'https://cdn.example/live/all.ts', range: { startBytes: 0, endBytes: 1000 } },
        { sn: 103, url: 'https://edge.example/seg103.ts' },
      ],
      parts: [],
      lastPart: undefined,
      inits: [],
      unsupported: [102],
    });
  });

  void test('a live playlist with no segments yet is a valid media playlist; MEDIA-SEQUENCE defaults to 0', () => {
    assert.deepEqual(parsePlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:2\n', BASE), {
      kind: 'media',
      targetDurationSec: 2,
      partTargetSec: undefined,
      canBlockReload: false,
      mediaSequence: 0,
      endList: false,
      segments: [],
      parts: [],
      lastPart: undefined,
      inits: [],
      unsupported: [],
    });
    const first = parsePlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n', BASE);
    assert.equal(first.kind === 'media' ? first.segments[0]?.sn : -1, 0);
  });

  void test('anything that does not fit is PLAYLIST_INVALID with a reason', () => {
    invalid('', /#EXTM3U/);
    invalid('<html>not found</html>', /#EXTM3U/);
    invalid('#EXTM3U\n', /no variants and no segments/);
    invalid('#EXTM3U\n#EXTINF:2,\na.ts\n', /without EXT-X-TARGETDURATION/);
    invalid('#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n', /URI without a preceding EXTINF/);
    invalid('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:abc,\na.ts\n', /EXTINF without a valid duration/);
    invalid('#EXTM3U\n#EXT-X-TARGETDURATION:-1\n', /EXT-X-TARGETDURATION must be an integer/);
    invalid('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:99999999999\n', /EXT-X-MEDIA-SEQUENCE must be an integer/);
    invalid('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXT-X-MEDIA-SEQUENCE:5\n', /after the first segment/);
    invalid('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:4294967295\n#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n', /beyond 4294967295/);
    invalid('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n', /both variants and segments/);
    const many = Array.from({ length: MAX_VARIANTS + 1 }, (_, i) => `#EXT-X-STREAM-INF:BANDWIDTH=${i + 1}\nv${i}.m3u8`).join('\n');
    invalid(`#EXTM3U\n${many}\n`, /more than 32 variants/);
  });

  void test('untrusted text never makes it throw anything but IntegrityError PLAYLIST_INVALID', () => {
    const line = fc.oneof(
      fc.constantFrom('#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', '#EXTINF:2,', '#EXTINF:', '#EXT-X-BYTERANGE:1@0', '#EXT-X-ENDLIST', '', '#'),
      fc.constantFrom('#EXT-X-TARGETDURATION:', '#EXT-X-MEDIA-SEQUENCE:').chain((tag) => fc.string({ maxLength: 12 }).map((value) => `${tag}${value}`)),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('a.ts', '//x', 'http://[::1', 'javascript:alert(1)', '\u0000', '../../../etc/passwd'),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.boolean(), (lines, header) => {
        const text = `${header ? '#EXTM3U\n' : ''}${lines.join('\n')}`;
        try {
          const parsed = parsePlaylist(text, BASE);
          if (parsed.kind === 'media') for (const s of parsed.segments) assert.match(s.url, /^https?:\/\//);
        } catch (error) {
          assert.ok(error instanceof IntegrityError && error.code === 'PLAYLIST_INVALID', String(error));
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
