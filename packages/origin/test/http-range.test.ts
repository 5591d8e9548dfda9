import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentRange, decideRange } from '../src/http-range.js';

test('decideRange: single ranges', () => {
  assert.deepEqual(decideRange(undefined, 100), { kind: 'full' });
  assert.deepEqual(decideRange('bytes=0-9', 100), { kind: 'partial', start: 0, end: 9 });
  assert.deepEqual(decideRange('bytes=90-', 100), { kind: 'partial', start: 90, end: 99 });
  assert.deepEqual(decideRange('bytes=-10', 100), { kind: 'partial', start: 90, end: 99 });
  assert.deepEqual(decideRange('bytes=-1000', 100), { kind: 'partial', start: 0, end: 99 }, 'suffix longer than body: whole body');
  assert.deepEqual(decideRange('bytes=50-5000', 100), { kind: 'partial', start: 50, end: 99 }, 'end clamped');
  assert.deepEqual(decideRange('bytes=99-99', 100), { kind: 'partial', start: 99, end: 99 });
  assert.deepEqual(decideRange('Bytes = 1 - 2 ', 100), { kind: 'partial', start: 1, end: 2 }, 'unit case and whitespace');
});

test('decideRange: unsatisfiable', () => {
  assert.deepEqual(decideRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=100-200', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=-0', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=99999999999999999999-', 100), { kind: 'unsatisfiable' });
});

test('decideRange: multi-range, other units and invalid headers are ignored (whole body)', () => {
  for (const header of ['bytes=0-1,5-6', 'bytes=0-1, 5-', 'items=0-1', 'bytes=5-2', 'bytes=-', 'bytes=abc', 'bytes 0-1', '']) {
    assert.deepEqual(decideRange(header, 100), { kind: 'full' }, header);
  }
});

test('contentRange', () => {
  assert.equal(contentRange(0, 9, 100), 'bytes 0-9/100');
});
