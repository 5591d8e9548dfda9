import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discontinuityAt, discontinuitiesUpTo, formatWindow, type LoopShape } from '../src/formats/format-window.js';

/** 5 entries, an inner discontinuity before entry 3 (as the discontinuity type has). */
const shape: LoopShape = { windowSegments: 3, segmentDurationMs: 2000, discontinuities: [false, false, false, true, false] };

/** The count by brute force, to check the closed form against. */
function bruteCount(lastSn: number): number {
  let n = 0;
  for (let sn = 1; sn <= lastSn; sn++) if (discontinuityAt(sn, shape)) n++;
  return n;
}

test('discontinuityAt: loop points after the first, and the entries that have one', () => {
  const at = Array.from({ length: 11 }, (_, sn) => discontinuityAt(sn, shape));
  assert.deepEqual(at, [false, false, false, true, false, true, false, false, true, false, true]);
});

test('discontinuitiesUpTo matches counting one by one, across many loops', () => {
  for (let sn = 0; sn < 60; sn++) assert.equal(discontinuitiesUpTo(sn, shape), bruteCount(sn), `sn ${sn}`);
});

test('formatWindow: full at once, one segment more per segment duration, sequence counts what slid out', () => {
  const start = 1_000_000;
  assert.deepEqual(formatWindow(start, start, shape), { firstSn: 0, lastSn: 2, discontinuitySequence: 0 });
  assert.deepEqual(formatWindow(start - 5000, start, shape), { firstSn: 0, lastSn: 2, discontinuitySequence: 0 }, 'a clock before start');
  assert.deepEqual(formatWindow(start + 1999, start, shape), { firstSn: 0, lastSn: 2, discontinuitySequence: 0 });
  assert.deepEqual(formatWindow(start + 2000, start, shape), { firstSn: 1, lastSn: 3, discontinuitySequence: 0 });
  // firstSn 3 starts with the inner discontinuity: no longer written, so counted.
  assert.deepEqual(formatWindow(start + 6000, start, shape), { firstSn: 3, lastSn: 5, discontinuitySequence: 1 });
  // firstSn 5 is the loop point.
  assert.deepEqual(formatWindow(start + 10_000, start, shape), { firstSn: 5, lastSn: 7, discontinuitySequence: 2 });
  assert.deepEqual(formatWindow(start + 20_000, start, shape), { firstSn: 10, lastSn: 12, discontinuitySequence: 4 });
});
