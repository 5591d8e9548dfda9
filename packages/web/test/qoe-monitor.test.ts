import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { QoeMonitor } from '../src/qoe-monitor.js';

/** The media element as far as QoeMonitor reads it: its events and three flags. */
class FakeVideo extends EventTarget {
  seeking = false;
  paused = false;
  ended = false;
  fire(type: string): void {
    this.dispatchEvent(new Event(type));
  }
}

test('stall log: each stall after the first frame with its start and length, seeks left out', async () => {
  const video = new FakeVideo();
  const qoe = new QoeMonitor(video as unknown as HTMLVideoElement, { latency: 0, live: false });
  try {
    video.fire('waiting');
    video.fire('playing');
    assert.deepEqual(qoe.snapshot().stallLog, [], 'before the first frame it is startup');
    const before = performance.timeOrigin + performance.now();
    video.fire('waiting');
    await sleep(30);
    video.fire('playing');
    video.seeking = true;
    video.fire('waiting');
    video.seeking = false;
    video.fire('playing');
    video.fire('waiting');
    const s = qoe.snapshot();
    assert.equal(s.stalls, 2);
    assert.equal(s.stallLog.length, 2);
    const [first, second] = s.stallLog;
    assert.ok(first && second);
    // atMs are rounded to whole ms each on its own: 30 ms apart can read 29.
    assert.ok(first.atMs >= Math.floor(before) && second.atMs >= first.atMs + 29, JSON.stringify(s.stallLog));
    assert.ok(first.durationMs !== null && first.durationMs >= 29, `first stall lasted ${first.durationMs} ms`);
    assert.equal(second.durationMs, null, 'the stall in progress has no length yet');
  } finally {
    qoe.destroy();
  }
});
