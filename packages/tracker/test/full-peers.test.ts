import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FullPeers } from '../src/full-peers.js';

test('a peer that declined is left out of lists for holdMs, per swarm', () => {
  let now = 1_000;
  const full = new FullPeers(10_000, () => now);
  full.declined('s1', 'a');
  assert.equal(full.isFull('s1', 'a'), true);
  assert.equal(full.isFull('s2', 'a'), false, 'another swarm');
  assert.deepEqual(full.pick('s1', ['a', 'b', 'c', 'd'], 2), ['b', 'c']);
  now += 9_999;
  assert.deepEqual(full.pick('s1', ['a', 'b'], 2), ['b']);
  now += 1;
  assert.equal(full.isFull('s1', 'a'), false, 'expired');
  assert.deepEqual(full.pick('s1', ['a', 'b'], 2), ['a', 'b']);
  assert.equal(full.size, 0, 'an expired mark is dropped when looked up');
});

test('expired marks are dropped without a lookup: size counts the marks in force', () => {
  let now = 0;
  const full = new FullPeers(10_000, () => now);
  full.declined('s', 'a');
  now = 5_000;
  full.declined('s', 'b');
  assert.equal(full.size, 2);
  now = 10_000;
  assert.equal(full.size, 1, 'a expired, b still in force');
  now = 15_000;
  assert.equal(full.size, 0);
});

test('a list with nobody but full peers keeps them; holdMs 0 marks nobody', () => {
  const full = new FullPeers(10_000, () => 0);
  full.declined('s', 'a');
  full.declined('s', 'b');
  assert.deepEqual(full.pick('s', ['a', 'b', 'c'], 5), ['c']);
  assert.deepEqual(full.pick('s', ['a', 'b'], 1), ['a'], 'all full: the sample as it was, cut to max');
  const off = new FullPeers(0, () => 0);
  off.declined('s', 'a');
  assert.equal(off.isFull('s', 'a'), false);
  assert.equal(off.size, 0);
});

test('marks are bounded: the oldest is forgotten first', () => {
  const full = new FullPeers(10_000, () => 0, 3);
  for (const id of ['a', 'b', 'c']) full.declined('s', id);
  full.declined('s', 'a'); // renewed: now the newest
  full.declined('s', 'd');
  assert.equal(full.size, 3);
  assert.equal(full.isFull('s', 'b'), false, 'b was the oldest');
  assert.equal(full.isFull('s', 'a'), true);
  assert.equal(full.isFull('s', 'd'), true);
});
