import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setBounded } from '../src/bounded-map.ts';

void test('setBounded keeps the newest maxSize entries; setting a key again makes it the newest', () => {
  const map = new Map<string, number>();
  for (const [i, key] of ['a', 'b', 'c'].entries()) setBounded(map, key, i, 3);
  setBounded(map, 'a', 10, 3);
  setBounded(map, 'd', 4, 3);
  assert.deepEqual([...map.entries()], [['c', 2], ['a', 10], ['d', 4]]);
});
