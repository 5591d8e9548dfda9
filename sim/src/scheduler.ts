/**
 * The discrete-event core: one virtual clock over a timer heap, and a run loop that lets every
 * promise chain an event started settle before the next event runs (as a browser drains its
 * microtask queue between two tasks).
 *
 * How the loop drains microtasks cheaply: each event runs in a process.nextTick callback whose last
 * act is queueMicrotask(hop), and hop schedules the next step with process.nextTick. Node runs the
 * nextTick queue, then drains the whole microtask queue (hop included, and everything the event's
 * promises queue after it), then comes back for the new tick, all without returning to the libuv
 * loop. Measured on this machine (Node 20, 1M events): 0.28 us per event of overhead, against
 * 1.2 us for `await new Promise(setImmediate)` per event (what VirtualClock does) and 0.9 us for
 * 16 `await null` (which does not even drain deep chains). Every YIELD_EVERY events the loop takes a
 * setImmediate instead, so signals and stdout get through.
 */
import type { Clock, TimerHandle } from '@swarmcast/core';
import { EventHeap, type SimEvent } from './event-heap.ts';

const YIELD_EVERY = 20_000;
/** Errors kept for the report (all are counted). */
const MAX_ERRORS_KEPT = 20;

export class Scheduler implements Clock {
  private nowMs = 0;
  private seq = 0;
  private readonly heap = new EventHeap();
  private running = false;
  /** Callbacks run so far. */
  fired = 0;
  /** Callbacks that threw; the first few are kept in `errors`. */
  errorCount = 0;
  readonly errors: unknown[] = [];

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.at(this.nowMs + (ms > 0 ? ms : 0), fn);
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle !== null && typeof handle === 'object' && 'fn' in handle) (handle as SimEvent).fn = undefined;
  }

  /** Runs `fn` at absolute time `atMs` (never before now). */
  at(atMs: number, fn: () => void): SimEvent {
    const event: SimEvent = { atMs: atMs > this.nowMs ? atMs : this.nowMs, fn };
    this.heap.push(event, this.seq++);
    return event;
  }

  /** Events in the heap, cancelled ones included (they are dropped as they surface). */
  get pendingEvents(): number {
    return this.heap.size;
  }

  /** Runs every event due at or before `untilMs`, in order, then leaves the clock at `untilMs`. */
  run(untilMs: number): Promise<void> {
    if (this.running) return Promise.reject(new Error('Scheduler.run() while already running'));
    this.running = true;
    return new Promise<void>((resolve) => {
      let sinceYield = 0;
      const hop = (): void => process.nextTick(step);
      const step = (): void => {
        let event = this.heap.peek();
        while (event !== undefined && event.fn === undefined) {
          this.heap.pop();
          event = this.heap.peek();
        }
        if (event === undefined || event.atMs > untilMs) {
          if (untilMs > this.nowMs) this.nowMs = untilMs;
          this.running = false;
          resolve();
          return;
        }
        this.heap.pop();
        const fn = event.fn as () => void;
        event.fn = undefined;
        this.nowMs = event.atMs;
        this.fired += 1;
        try {
          fn();
        } catch (error) {
          this.recordError(error);
        }
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          setImmediate(step);
        } else {
          queueMicrotask(hop);
        }
      };
      // Start after whatever the caller queued has settled, like every later step.
      queueMicrotask(hop);
    });
  }

  recordError(error: unknown): void {
    this.errorCount += 1;
    if (this.errors.length < MAX_ERRORS_KEPT) this.errors.push(error);
  }
}
