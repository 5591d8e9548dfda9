import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SegmentRef } from '@swarmcast/protocol';
import { LoadDeadlines, type IntervalTimer } from '../src/load-deadlines.js';

/** A media element as the deadlines read it: position, buffered ranges, readyState, events. */
class FakeMedia extends EventTarget {
  currentTime = 10;
  readyState = 4;
  played = { length: 1 };
  paused = false;
  playbackRate = 1;
  ranges: [number, number][] = [[8, 20]];
  get buffered(): { length: number; start(i: number): number; end(i: number): number } {
    const r = this.ranges;
    return { length: r.length, start: (i) => r[i]?.[0] ?? 0, end: (i) => r[i]?.[1] ?? 0 };
  }
  fire(type: string): void {
    this.dispatchEvent(new Event(type));
  }
  listeners = 0;
  override addEventListener(type: string, fn: EventListenerOrEventListenerObject | null): void {
    this.listeners += 1;
    super.addEventListener(type, fn);
  }
  override removeEventListener(type: string, fn: EventListenerOrEventListenerObject | null): void {
    this.listeners -= 1;
    super.removeEventListener(type, fn);
  }
}

/** An interval timer that ticks when told. */
class ManualTimer implements IntervalTimer {
  callback: (() => void) | undefined;
  intervalMs: number | undefined;
  setInterval(callback: () => void, ms: number): unknown {
    assert.equal(this.callback, undefined, 'one interval at a time');
    this.callback = callback;
    this.intervalMs = ms;
    return 1;
  }
  clearInterval(handle: unknown): void {
    assert.equal(handle, 1);
    this.callback = undefined;
  }
  tick(): void {
    this.callback?.();
  }
}

function setup(): { media: FakeMedia; timer: ManualTimer; expedited: { ref: SegmentRef; deadlineMs: number }[]; deadlines: LoadDeadlines; clock: { now: number } } {
  const media = new FakeMedia();
  const timer = new ManualTimer();
  const clock = { now: 1000 };
  const expedited: { ref: SegmentRef; deadlineMs: number }[] = [];
  const deadlines = new LoadDeadlines({ expedite: (ref, deadlineMs) => expedited.push({ ref, deadlineMs }), media: () => media as unknown as HTMLMediaElement, now: () => clock.now }, 250, timer);
  return { media, timer, expedited, deadlines, clock };
}

const REF = { rendition: 'r1', sn: 10 };

void describe('Shaka load deadlines', () => {
  test('a load is due when playback reaches its segment, or the end of the buffer if sooner', () => {
    const { deadlines, media } = setup();
    assert.equal(deadlines.deadlineMs(20), 1000 + 10_000, 'playhead 10 s, segment at 20 s, buffered to 20 s');
    assert.equal(deadlines.deadlineMs(24), 1000 + 10_000, 'a segment after a gap is due at the end of the buffer');
    media.readyState = 1;
    assert.equal(deadlines.deadlineMs(20), 1000, 'waiting for data: due now');
  });

  test('a flush with no event: the next recheck moves the deadline to the new end of the buffer', () => {
    const { deadlines, media, timer, expedited, clock } = setup();
    const untrack = deadlines.track(REF, 20);
    assert.equal(timer.intervalMs, 250);
    clock.now = 1250;
    media.currentTime = 10.25;
    timer.tick();
    // Unchanged: playback moved as much as the clock (the engine ignores a deadline not earlier).
    assert.deepEqual(expedited.at(-1), { ref: REF, deadlineMs: 1250 + 9750 });
    // Shaka flushes the buffer ahead of the playhead (an ABR switch with clearBufferSwitch).
    media.ranges = [[8, 11]];
    clock.now = 1500;
    media.currentTime = 10.5;
    timer.tick();
    assert.deepEqual(expedited.at(-1), { ref: REF, deadlineMs: 1500 + 500 }, 'due when the 0.5 s left are played');
    untrack();
    assert.equal(timer.callback, undefined, 'no timer once nothing is in flight');
  });

  test('a seek or a stall rechecks at once; nothing is watched once no load is in flight', () => {
    const { deadlines, media, expedited, timer } = setup();
    const untrackA = deadlines.track(REF, 20);
    const untrackB = deadlines.track({ rendition: 'r1', sn: 11 }, 22);
    assert.equal(media.listeners, 2, "'seeking' and 'waiting', once for both loads");
    // Chromium drops readyState to HAVE_METADATA during every seek, even into the buffer.
    media.currentTime = 19;
    media.readyState = 1;
    media.fire('seeking');
    assert.deepEqual(expedited.slice(-2).map((e) => e.deadlineMs), [1000, 1000], 'a seek: both due now');
    media.readyState = 4;
    media.fire('waiting');
    assert.deepEqual(expedited.slice(-2).map((e) => e.deadlineMs), [2000, 2000], "a 'waiting' with data: due at the end of the buffer, 1 s after the playhead");
    untrackA();
    untrackA();
    assert.equal(deadlines.size, 1, 'an untrack twice removes one load');
    assert.notEqual(timer.callback, undefined);
    untrackB();
    assert.equal(media.listeners, 0);
    assert.equal(timer.callback, undefined);
    const before = expedited.length;
    media.fire('seeking');
    assert.equal(expedited.length, before, 'nothing rechecked after the loads ended');
  });

  test('destroy stops the watch with loads still in flight', () => {
    const { deadlines, media, timer } = setup();
    deadlines.track(REF, 20);
    deadlines.destroy();
    assert.equal(media.listeners, 0);
    assert.equal(timer.callback, undefined);
    assert.equal(deadlines.size, 0);
  });
});
