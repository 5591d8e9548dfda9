import assert from 'node:assert/strict';
import { test } from 'node:test';
import Hls from 'hls.js';
import { StartupTimelineRecorder } from '../src/startup-timeline.js';

/** hls.js's event bus as far as the recorder uses it: listeners called in the order they were added. */
class FakeHls {
  private readonly listeners = new Map<string, ((event: string, data: unknown) => void)[]>();
  on(event: string, fn: (event: string, data: unknown) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
  }
  off(event: string, fn: (event: string, data: unknown) => void): void {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((f) => f !== fn));
  }
  emit(event: string, data: unknown): void {
    for (const fn of this.listeners.get(event) ?? []) fn(event, data);
  }
}

const busyWait = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* the clock must move between two readings */ }
};

const stats = (end: number) => ({ loading: { start: end - 5, first: end - 2, end } });

test('a playlist step is when its response ended, before the fragment hls.js requests inside the same dispatch', () => {
  const hls = new FakeHls();
  const frag = (sn: number) => ({ sn });
  // hls.js's stream controller listens before the page: it requests the first fragment while
  // LEVEL_LOADED is being dispatched, and the page's listener runs after that request.
  hls.on(Hls.Events.LEVEL_LOADED, () => {
    busyWait(3);
    hls.emit(Hls.Events.FRAG_LOADING, { frag: frag(1) });
  });
  const startedAt = performance.now();
  const recorder = new StartupTimelineRecorder(hls as unknown as Hls, new EventTarget() as unknown as HTMLVideoElement, startedAt);
  try {
    busyWait(2);
    hls.emit(Hls.Events.MANIFEST_LOADED, { stats: stats(performance.now()) });
    busyWait(2);
    hls.emit(Hls.Events.LEVEL_LOADED, { stats: stats(performance.now()) });
    busyWait(2);
    hls.emit(Hls.Events.FRAG_LOADED, { frag: frag(1) });
    hls.emit(Hls.Events.FRAG_LOADING, { frag: { sn: 'initSegment' } });
    hls.emit(Hls.Events.FRAG_LOADING, { frag: frag(2) });
    const s = recorder.snapshot();
    const order = [s.manifestLoadedMs, s.levelLoadedMs, s.firstFragRequestMs, s.firstFragLoadedMs].filter((v): v is number => v !== null);
    assert.equal(order.length, 4, JSON.stringify(s));
    assert.ok(order.every((v, i) => i === 0 || v >= (order[i - 1] ?? v)), `out of order: ${JSON.stringify(s)}`);
    assert.ok((s.firstFragRequestMs ?? 0) - (s.levelLoadedMs ?? 0) >= 2, `the request came ~3 ms after the level: ${JSON.stringify(s)}`);
    assert.notEqual(s.secondFragRequestMs, null, 'the init segment is not a media fragment');
  } finally {
    recorder.destroy();
  }
});

test('a playlist without load stats (end 0) is stamped when its event arrives', () => {
  const hls = new FakeHls();
  const startedAt = performance.now();
  const recorder = new StartupTimelineRecorder(hls as unknown as Hls, new EventTarget() as unknown as HTMLVideoElement, startedAt);
  try {
    busyWait(2);
    hls.emit(Hls.Events.MANIFEST_LOADED, { stats: stats(0) });
    const s = recorder.snapshot();
    assert.ok(s.manifestLoadedMs !== null && s.manifestLoadedMs >= 2, JSON.stringify(s));
  } finally {
    recorder.destroy();
  }
});
