/** The LL-HLS origin's pure parts: splitting a fragmented MP4, shifting decode times, the timeline and its playlist. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shiftFragment, splitFragmentedMp4 } from '../src/ll-hls/mp4-fragments.ts';
import { LlTimeline } from '../src/ll-hls/ll-timeline.ts';

function box(type: string, ...children: Uint8Array[]): Uint8Array {
  const size = 8 + children.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set(new TextEncoder().encode(type), 4);
  let at = 8;
  for (const c of children) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function mdhd(timescale: number): Uint8Array {
  const body = new Uint8Array(24); // version 0: flags, creation, modification, timescale, duration, ...
  new DataView(body.buffer).setUint32(12, timescale);
  return box('mdhd', body);
}

function tfdt(ticks: number): Uint8Array {
  const body = new Uint8Array(12);
  body[0] = 1;
  new DataView(body.buffer).setBigUint64(4, BigInt(ticks));
  return box('tfdt', body);
}

/** ftyp + moov + `n` fragments of `ticks` each, fragment i's mdat holding the byte i. */
function clip(n: number, ticks: number, timescale = 1000): Uint8Array {
  const parts = [box('ftyp', new Uint8Array(4)), box('moov', box('trak', box('mdia', mdhd(timescale))))];
  for (let i = 0; i < n; i++) parts.push(box('moof', box('traf', tfdt(i * ticks))), box('mdat', new Uint8Array([i])));
  return box('root', ...parts).subarray(8);
}

const decodeTime = (fragment: Uint8Array): bigint => new DataView(fragment.buffer, fragment.byteOffset).getBigUint64(8 + 8 + 8 + 4);

void describe('LL-HLS origin', () => {
  void test('splits init and fragments, and shifts decode times without touching the source', () => {
    const mp4 = splitFragmentedMp4(clip(8, 500));
    assert.equal(mp4.timescale, 1000);
    assert.equal(mp4.fragmentTicks, 500);
    assert.equal(mp4.fragments.length, 8);
    const third = mp4.fragments[2];
    assert.ok(third);
    assert.equal(decodeTime(third.bytes), 1000n);
    assert.equal(decodeTime(shiftFragment(third, 4000)), 5000n);
    assert.equal(decodeTime(third.bytes), 1000n, 'the clip itself is unchanged');
  });

  void test('refuses uneven fragments and truncated boxes', () => {
    const uneven = box('root', box('ftyp'), box('moov', box('trak', box('mdia', mdhd(1000)))), box('moof', box('traf', tfdt(0))), box('mdat'), box('moof', box('traf', tfdt(500))), box('mdat'), box('moof', box('traf', tfdt(1200))), box('mdat')).subarray(8);
    assert.throws(() => splitFragmentedMp4(uneven), /uneven fragments/);
    assert.throws(() => splitFragmentedMp4(clip(4, 500).subarray(0, 30)), /ORIGIN_ASSETS_INVALID|bad size|truncated/);
  });

  void test('parts appear as time passes, loop with later decode times, and the playlist lists parts and a preload hint', () => {
    const mp4 = splitFragmentedMp4(clip(8, 500));
    const timeline = new LlTimeline(mp4, { partMs: 500, partsPerSegment: 4, windowSegments: 3 }, 0);
    // At 9.25 s: 18 parts done, segment 4 in progress with parts 0-1.
    const now = 9250;
    assert.equal(timeline.partsDone(now), 18);
    assert.equal(timeline.currentMsn(now), 4);
    assert.equal(timeline.firstMsn(now), 1);
    assert.equal(timeline.part(4, 2, now), undefined, 'not produced yet');
    assert.equal(timeline.part(0, 0, now), undefined, 'out of the window');
    const loopAgain = timeline.part(2, 1, now); // part 9 = clip fragment 1, second pass
    assert.ok(loopAgain);
    assert.equal(loopAgain.at(-1), 1);
    assert.equal(decodeTime(loopAgain), 4500n, 'second pass: decode time keeps growing');
    assert.equal(timeline.segment(3, now)?.length, 4 * (mp4.fragments[0]?.bytes.length ?? 0));
    assert.equal(timeline.segment(4, now), undefined, 'in progress');
    const playlist = timeline.playlist(now);
    assert.match(playlist, /#EXT-X-MEDIA-SEQUENCE:1\n/);
    assert.match(playlist, /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1\.500/);
    assert.match(playlist, /seg-3\.m4s\n#EXT-X-PART:DURATION=0\.500,URI="part-4\.0\.m4s",INDEPENDENT=YES\n#EXT-X-PART:DURATION=0\.500,URI="part-4\.1\.m4s",INDEPENDENT=YES\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-4\.2\.m4s"\n$/);
    assert.doesNotMatch(playlist, /part-1\./, 'old segments are listed whole only');
    assert.deepEqual(timeline.whenAvailable(4, 2, now), { kind: 'wait', ms: 250 });
    assert.deepEqual(timeline.whenAvailable(4, 1, now), { kind: 'ready' });
    assert.deepEqual(timeline.whenAvailable(4, undefined, now), { kind: 'wait', ms: 750 });
    assert.deepEqual(timeline.whenAvailable(6, 0, now), { kind: 'too-far' });
  });
});
