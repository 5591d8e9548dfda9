import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { renditionIdFromUrl } from '@swarmcast/protocol';
import { IntegrityError, fillTemplate, isMpdUrl, parseIsoDurationSec, parseMpd } from '../src/index.js';
import { parseXml } from '../src/xml-lite.js';

const BASE = 'https://cdn.example/vod/stream.mpd?token=abc';

/** The shape ffmpeg -f dash writes (SegmentTemplate with $Number%05d$, one video and one audio set). */
const FFMPEG_MPD = `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT1M0.0S" minBufferTime="PT4.0S">
  <!-- a comment -->
  <Period id="0" start="PT0.0S">
    <AdaptationSet id="0" contentType="video">
      <Representation id="0" mimeType="video/mp4" codecs="avc1.64000d" bandwidth="300000" width="320" height="180">
        <SegmentTemplate timescale="1000000" duration="2000000" initialization="init-$RepresentationID$.m4s" media="chunk-$RepresentationID$-$Number%05d$.m4s" startNumber="1">
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
    <AdaptationSet id="1" contentType="audio">
      <Representation id="1" mimeType="audio/mp4" codecs="mp4a.40.2" bandwidth="64000">
        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2" />
        <SegmentTemplate timescale="1000000" duration="2000000" initialization="init-$RepresentationID$.m4s" media="chunk-$RepresentationID$-$Number%05d$.m4s" startNumber="1"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>`;

function invalid(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseMpd(text, BASE),
    (error: unknown) => error instanceof IntegrityError && error.code === 'PLAYLIST_INVALID' && pattern.test(error.message),
    JSON.stringify(text.slice(0, 80)),
  );
}

void describe('parseMpd', () => {
  void test('an ffmpeg MPD: every $Number$ segment with its URL and times; rendition = the resolved media template without tokens', () => {
    const mpd = parseMpd(FFMPEG_MPD, BASE);
    assert.equal(mpd.dynamic, false);
    assert.equal(mpd.durationSec, 60);
    assert.equal(mpd.representations.length, 2);
    const [video, audio] = mpd.representations;
    assert.ok(video && audio);
    assert.equal(video.id, '0');
    assert.equal(video.rendition, renditionIdFromUrl('https://cdn.example/vod/chunk-0-$Number%05d$.m4s'));
    assert.notEqual(video.rendition, audio.rendition);
    assert.equal(video.initUrl, 'https://cdn.example/vod/init-0.m4s');
    assert.equal(video.segments.length, 30);
    assert.deepEqual(video.segments[0], { sn: 1, url: 'https://cdn.example/vod/chunk-0-00001.m4s', startSec: 0, durationSec: 2 });
    assert.deepEqual(video.segments[29], { sn: 30, url: 'https://cdn.example/vod/chunk-0-00030.m4s', startSec: 58, durationSec: 2 });
    assert.equal(audio.segments[4]?.url, 'https://cdn.example/vod/chunk-1-00005.m4s');
  });

  void test('BaseURLs nest (MPD, Period, AdaptationSet, Representation); templates inherit and override; $Time$ with a SegmentTimeline', () => {
    const text = `<MPD type="static" mediaPresentationDuration="PT10S"><BaseURL>https://media.example/a/</BaseURL>
      <Period><BaseURL>p1/</BaseURL>
        <AdaptationSet><SegmentTemplate timescale="90000" media="$RepresentationID$/t$Time$.m4s" startNumber="7" presentationTimeOffset="9000">
          <SegmentTimeline><S t="9000" d="180000" r="1"/><S d="90000"/></SegmentTimeline></SegmentTemplate>
          <Representation id="hi" bandwidth="1000"><BaseURL>rep/</BaseURL></Representation>
          <Representation id="lo" bandwidth="500"><SegmentTemplate media="lo-$Bandwidth$-$Number$.m4s"/></Representation>
        </AdaptationSet>
      </Period></MPD>`;
    const [hi, lo] = parseMpd(text, BASE).representations;
    assert.ok(hi && lo);
    assert.deepEqual(hi.segments.map((s) => [s.sn, s.url, s.startSec, s.durationSec]), [
      [7, 'https://media.example/a/p1/rep/hi/t9000.m4s', 0, 2],
      [8, 'https://media.example/a/p1/rep/hi/t189000.m4s', 2, 2],
      [9, 'https://media.example/a/p1/rep/hi/t369000.m4s', 4, 1],
    ]);
    assert.equal(hi.rendition, renditionIdFromUrl('https://media.example/a/p1/rep/hi/t$Time$.m4s'));
    assert.deepEqual(lo.segments.map((s) => s.url), ['https://media.example/a/p1/lo-500-7.m4s', 'https://media.example/a/p1/lo-500-8.m4s', 'https://media.example/a/p1/lo-500-9.m4s']);
    assert.equal(lo.initUrl, undefined);
  });

  void test('the rendition ignores tokens in the MPD URL, so viewers with different tokens share it', () => {
    const a = parseMpd(FFMPEG_MPD, 'https://cdn.example/vod/stream.mpd?token=1');
    const b = parseMpd(FFMPEG_MPD, 'https://cdn.example/vod/stream.mpd?token=2');
    assert.equal(a.representations[0]?.rendition, b.representations[0]?.rendition);
  });

  void test('Representations without a SegmentTemplate are skipped; a dynamic MPD parses with its flag', () => {
    const text = '<MPD type="dynamic"><Period><AdaptationSet><Representation id="x"><SegmentBase indexRange="0-9"/></Representation></AdaptationSet></Period></MPD>';
    assert.deepEqual(parseMpd(text, BASE), { kind: 'mpd', dynamic: true, durationSec: 0, representations: [] });
  });

  void test('malformed or unsupported MPDs throw PLAYLIST_INVALID with the reason', () => {
    invalid('#EXTM3U', /malformed|text outside/);
    invalid('<MPD><Period>', /unclosed/);
    invalid('<NotMPD/>', /not <MPD>/);
    invalid('<MPD type="static" mediaPresentationDuration="PT1S"/>', /no Period/);
    invalid('<MPD type="static"><Period/><Period/></MPD>', /duration|several Periods/);
    invalid('<MPD type="static" mediaPresentationDuration="PT1S"><Period/><Period/></MPD>', /several Periods/);
    invalid('<MPD type="static"><Period/></MPD>', /without a valid duration/);
    invalid('<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet><Representation id="a"><SegmentTemplate media="$Number$.m4s"/></Representation></AdaptationSet></Period></MPD>', /needs a duration/);
    invalid('<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet><Representation><SegmentTemplate media="$Number$.m4s" duration="2"/></Representation></AdaptationSet></Period></MPD>', /without an id/);
    invalid('<MPD type="static" mediaPresentationDuration="PT99999S"><Period><AdaptationSet><Representation id="a"><SegmentTemplate media="$Number$.m4s" duration="1"/></Representation></AdaptationSet></Period></MPD>', /more than 20000 segments/);
    invalid('<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet><Representation id="a"><SegmentTemplate media="data:x$Number$" duration="2"/></Representation></AdaptationSet></Period></MPD>', /non-http/);
    invalid('<!DOCTYPE x><MPD/>', /DTD/);
  });

  void test('never throws anything but PLAYLIST_INVALID on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseMpd(text, BASE);
        } catch (error) {
          assert.ok(error instanceof IntegrityError && error.code === 'PLAYLIST_INVALID', String(error));
        }
      }),
      { numRuns: 300 },
    );
  });
});

void describe('MPD helpers', () => {
  void test('fillTemplate: widths, $$, and identifiers left for later', () => {
    assert.equal(fillTemplate('a-$Number%05d$-$RepresentationID$-$$-$Time$', { Number: 42, RepresentationID: 'v' }), 'a-00042-v-$-$Time$');
  });

  void test('parseIsoDurationSec', () => {
    assert.equal(parseIsoDurationSec('PT1M0.0S'), 60);
    assert.equal(parseIsoDurationSec('P1DT1H1M1.5S'), 90_061.5);
    assert.equal(parseIsoDurationSec('PT'), undefined);
    assert.equal(parseIsoDurationSec('1S'), undefined);
  });

  void test('isMpdUrl looks at the path only', () => {
    assert.equal(isMpdUrl('https://cdn.example/x/stream.MPD?token=1'), true);
    assert.equal(isMpdUrl('https://cdn.example/x/master.m3u8?f=a.mpd'), false);
    assert.equal(isMpdUrl('not a url'), false);
  });

  void test('parseXml: attributes with either quote, entities, prefixes dropped, self-closing tags, limits', () => {
    const root = parseXml('<?xml version="1.0"?><a:Root x=\'1\' y="&amp;&#x41;"><B>t &lt; u</B><C/></a:Root>');
    assert.equal(root.name, 'Root');
    assert.deepEqual(root.attrs, { x: '1', y: '&A' });
    assert.deepEqual(root.children.map((c) => [c.name, c.text]), [['B', 't < u'], ['C', '']]);
    assert.throws(() => parseXml('<a></b>'), /does not match/);
    assert.throws(() => parseXml('<a/><b/>'), /more than one root/);
    assert.throws(() => parseXml(`${'<a>'.repeat(40)}${'</a>'.repeat(40)}`), /nested deeper/);
  });
});
