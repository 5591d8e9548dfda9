/** The discrete-event core: ordering, cancellation, and promise chains settling between events. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventHeap } from '../src/event-heap.ts';
import { Scheduler } from '../src/scheduler.ts';
import { SeededRandom } from '../../packages/core/test/support/seeded-random.ts';

void describe('EventHeap', () => {
  void test('pops by time, and events due at the same time in insertion order', () => {
    const heap = new EventHeap();
    const rnd = new SeededRandom('heap');
    const pushed: { atMs: number; seq: number }[] = [];
    for (let seq = 0; seq < 5000; seq++) {
      const atMs = rnd.int(0, 200); // many ties
      heap.push({ atMs, fn: undefined }, seq);
      pushed.push({ atMs, seq });
    }
    const expected = [...pushed].sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    const popped: number[] = [];
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) popped.push(e.atMs);
    assert.deepEqual(popped, expected.map((x) => x.atMs));
    assert.equal(heap.size, 0);
  });
});

void describe('Scheduler', () => {
  void test('runs events in time order, FIFO at equal times, skips cancelled ones, and stops at the horizon', async () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.setTimeout(() => log.push(`b@${s.now()}`), 20);
    s.setTimeout(() => log.push(`a@${s.now()}`), 10);
    s.setTimeout(() => log.push(`a2@${s.now()}`), 10);
    const cancelled = s.setTimeout(() => log.push('never'), 15);
    s.setTimeout(() => log.push('late'), 1000);
    s.clearTimeout(cancelled);
    await s.run(100);
    assert.deepEqual(log, ['a@10', 'a2@10', 'b@20']);
    assert.equal(s.now(), 100);
    await s.run(1000);
    assert.deepEqual(log.at(-1), 'late');
  });

  void test('a promise chain started by an event settles before the next event, at the time of its event', async () => {
    const s = new Scheduler();
    const log: string[] = [];
    const chain = async (label: string): Promise<void> => {
      let p = Promise.resolve();
      for (let i = 0; i < 50; i++) p = p.then(() => undefined);
      await p;
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      log.push(`${label} done@${s.now()}`);
    };
    s.setTimeout(() => void chain('first'), 5);
    s.setTimeout(() => log.push(`second@${s.now()}`), 6);
    await s.run(10);
    assert.deepEqual(log, ['first done@5', 'second@6']);
  });

  void test('a callback that throws is counted and the run goes on', async () => {
    const s = new Scheduler();
    let after = false;
    s.setTimeout(() => {
      throw new Error('boom');
    }, 1);
    s.setTimeout(() => (after = true), 2);
    await s.run(5);
    assert.equal(s.errorCount, 1);
    assert.ok(after);
  });

  void test('timers set with a negative or NaN delay run now, never in the past', async () => {
    const s = new Scheduler();
    await s.run(50);
    const seen: number[] = [];
    s.setTimeout(() => seen.push(s.now()), -5);
    s.setTimeout(() => seen.push(s.now()), Number.NaN);
    await s.run(60);
    assert.deepEqual(seen, [50, 50]);
  });
});
