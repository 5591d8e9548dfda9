import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { verifyRecord, verifyVodList } from '../src/index.js';
import { parseMpd } from '../src/mpd-parser.js';
import { eventually, startAuthority, startFakeOrigin } from './helpers.js';

function mpd(segments: number): string {
  return `<MPD type="static" mediaPresentationDuration="PT${segments * 2}S"><Period><AdaptationSet>
    <Representation id="v" bandwidth="1"><SegmentTemplate timescale="1" duration="2" initialization="init-$RepresentationID$.m4s" media="c-$RepresentationID$-$Number$.m4s"/></Representation>
    <Representation id="a" bandwidth="1"><SegmentTemplate timescale="1" duration="2" media="c-$RepresentationID$-$Number$.m4s"/></Representation>
  </AdaptationSet></Period></MPD>`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

void describe('MpdWatcher (through the authority)', () => {
  void test('an .mpd stream: every media segment of every representation signed under {rendition, sn} as parseMpd names it, then one VOD list each', async (t) => {
    const o = await startFakeOrigin(t);
    o.routes.set('/d/stream.mpd', () => ({ body: mpd(3) }));
    for (const rep of ['v', 'a']) for (const n of [1, 2, 3]) o.routes.set(`/d/c-${rep}-${n}.m4s`, () => ({ body: `${rep}${n}` }));
    const url = `${o.url}/d/stream.mpd?token=x`;
    const { authority, key, records } = startAuthority(t, [url]);
    const swarm = `${o.url}/d/stream.mpd`;
    const reps = parseMpd(mpd(3), url).representations;
    await eventually(() => reps.every((r) => authority.vodList(swarm, r.rendition) !== undefined), 'both VOD lists');
    assert.equal(records.length, 6);
    for (const rep of reps) {
      const list = authority.vodList(swarm, rep.rendition);
      assert.ok(list && verifyVodList(list, key.publicKey));
      assert.deepEqual(list.segments, [1, 2, 3].map((n) => [n, 2, sha256(`${rep.id}${n}`)]));
      const held = authority.recordsFor(swarm, rep.rendition, [1, 2, 3]);
      assert.equal(held.length, 3);
      for (const r of held) assert.ok(verifyRecord(swarm, r, key.publicKey));
    }
    assert.equal(o.hits.get('/d/init-v.m4s'), undefined, 'init segments are not signed');
    assert.equal(authority.stats().renditions, 2);
  });

  void test('a missing segment is retried a few times, then its representation gets no VOD list; the others do', async (t) => {
    const o = await startFakeOrigin(t);
    o.routes.set('/d/stream.mpd', () => ({ body: mpd(2) }));
    for (const n of [1, 2]) o.routes.set(`/d/c-a-${n}.m4s`, () => ({ body: `a${n}` }));
    o.routes.set('/d/c-v-1.m4s', () => ({ body: 'v1' }));
    const url = `${o.url}/d/stream.mpd`;
    const { authority, errors } = startAuthority(t, [url], { segmentAttempts: 2 });
    const [video, audio] = parseMpd(mpd(2), url).representations;
    assert.ok(video && audio);
    await eventually(() => authority.vodList(url, audio.rendition) !== undefined, 'the audio VOD list');
    assert.equal(o.hits.get('/d/c-v-2.m4s'), 2);
    assert.equal(authority.vodList(url, video.rendition), undefined);
    assert.ok(errors.some((e) => e.code === 'SEGMENT_FETCH_FAILED'));
  });

  void test('a dynamic MPD is reported, not signed; an unparsable one is retried', async (t) => {
    const o = await startFakeOrigin(t);
    o.routes.set('/live.mpd', () => ({ body: '<MPD type="dynamic"><Period/></MPD>' }));
    o.routes.set('/bad.mpd', () => ({ body: '<MPD>' }));
    const { errors } = startAuthority(t, [`${o.url}/live.mpd`, `${o.url}/bad.mpd`]);
    await eventually(() => errors.some((e) => /dynamic/.test(e.message)) && (o.hits.get('/bad.mpd') ?? 0) >= 2, 'the dynamic report and a retry');
    assert.ok(errors.every((e) => e.code === 'PLAYLIST_INVALID'));
  });
});
