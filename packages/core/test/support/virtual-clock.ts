/**
 * Virtual time for driving the core deterministically: a Clock whose timers sit in a priority queue
 * and only fire when a test (or the simulator) advances time. Between two timer callbacks every
 * pending microtask runs, so promise chains started by a callback progress exactly as far as they
 * would in a real event loop before the next timer.
 *
 * Timers carry an owner label (see `view()`), so a test can tell whose timers are still pending,
 * e.g. that a destroyed engine left none behind while the network still delivers its last packets.
 */
import type { Clock, TimerHandle } from '../../src/ports.ts';

interface Timer {
  readonly id: number;
  readonly atMs: number;
  /** Insertion order: timers due at the same instant fire first-in, first-out. */
  readonly seq: number;
  readonly owner: string;
  readonly fn: () => void;
}

/** Lets every queued microtask (and the microtasks they queue) run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** A binary min-heap of timers by (atMs, seq); cancelled timers are dropped lazily when they surface. */
class TimerHeap {
  private readonly items: Timer[] = [];

  get size(): number {
    return this.items.length;
  }

  push(timer: Timer): void {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (p === undefined || !before(timer, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = timer;
  }

  peek(): Timer | undefined {
    return this.items[0];
  }

  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = last;
      let at = i;
      const left = items[l];
      const right = items[r];
      if (left !== undefined && before(left, smallest)) {
        smallest = left;
        at = l;
      }
      if (right !== undefined && before(right, smallest)) {
        smallest = right;
        at = r;
      }
      if (at === i) break;
      items[i] = smallest;
      i = at;
    }
    items[i] = last;
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

export class VirtualClock implements Clock {
  private nowMs: number;
  private readonly heap = new TimerHeap();
  /** Timers not yet fired nor cleared, by id. */
  private readonly live = new Map<number, Timer>();
  private nextId = 1;
  private seq = 0;
  private running = false;
  /** Timer callbacks run so far, for performance checks and debugging. */
  firedTimers = 0;

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule('default', fn, ms);
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.live.delete(handle);
  }

  /** A Clock over the same virtual time whose timers are labelled `owner`. */
  view(owner: string): Clock {
    return {
      now: () => this.nowMs,
      setTimeout: (fn, ms) => this.schedule(owner, fn, ms),
      clearTimeout: (handle) => this.clearTimeout(handle),
    };
  }

  /** Timers not yet fired nor cleared (of `owner` only, if given). */
  pendingTimers(owner?: string): number {
    if (owner === undefined) return this.live.size;
    let n = 0;
    for (const t of this.live.values()) if (t.owner === owner) n += 1;
    return n;
  }

  /** Pending timer count per owner, for failure messages. */
  pendingByOwner(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.live.values()) out[t.owner] = (out[t.owner] ?? 0) + 1;
    return out;
  }

  /** When the next live timer is due, if any. */
  nextTimerAtMs(): number | undefined {
    this.dropDead();
    return this.heap.peek()?.atMs;
  }

  /**
   * Moves the clock `ms` forward without running anything: the process was not scheduled (a held
   * event loop). Timers that fell due meanwhile fire late, in order, at the next advance.
   */
  freeze(ms: number): void {
    if (this.running) throw new Error('VirtualClock: freeze() called while running');
    this.nowMs += Math.max(0, ms);
  }

  /** Runs every timer due within the next `ms` milliseconds, then leaves the clock at now + ms. */
  advance(ms: number): Promise<void> {
    return this.runUntil(this.nowMs + ms);
  }

  /** Runs every timer due at or before `timeMs` (absolute), in order, then sets the clock to `timeMs`. */
  async runUntil(timeMs: number): Promise<void> {
    if (this.running) throw new Error('VirtualClock: advance()/runUntil() called while already running');
    this.running = true;
    try {
      await flushMicrotasks();
      for (;;) {
        this.dropDead();
        const next = this.heap.peek();
        if (next === undefined || next.atMs > timeMs) break;
        this.heap.pop();
        this.live.delete(next.id);
        this.nowMs = Math.max(this.nowMs, next.atMs);
        this.firedTimers += 1;
        next.fn();
        await flushMicrotasks();
      }
      this.nowMs = Math.max(this.nowMs, timeMs);
      await flushMicrotasks();
    } finally {
      this.running = false;
    }
  }

  /**
   * Advances time until `promise` settles (checking after every timer), at most `maxMs`; returns
   * its value or rethrows its error. Fails if it is still pending after `maxMs` of virtual time.
   */
  async settle<T>(promise: Promise<T>, maxMs = 60_000): Promise<T> {
    const box: { outcome?: { ok: true; value: T } | { ok: false; error: unknown } } = {};
    void promise.then(
      (value) => (box.outcome = { ok: true, value }),
      (error: unknown) => (box.outcome = { ok: false, error }),
    );
    const limitMs = this.nowMs + maxMs;
    await flushMicrotasks();
    while (box.outcome === undefined) {
      const next = this.nextTimerAtMs();
      if (next === undefined || next > limitMs) {
        await this.runUntil(limitMs);
        break;
      }
      await this.runUntil(next);
    }
    const outcome = box.outcome;
    if (outcome === undefined) throw new Error(`VirtualClock.settle: promise still pending after ${maxMs} ms of virtual time`);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private schedule(owner: string, fn: () => void, ms: number): number {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: Timer = { id: this.nextId++, atMs: this.nowMs + delay, seq: this.seq++, owner, fn };
    this.live.set(timer.id, timer);
    this.heap.push(timer);
    return timer.id;
  }

  private dropDead(): void {
    for (let top = this.heap.peek(); top !== undefined && !this.live.has(top.id); top = this.heap.peek()) this.heap.pop();
  }
}
