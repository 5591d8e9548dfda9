/**
 * The simulator's pending events: a binary min-heap ordered by (time, insertion order), so events
 * due at the same instant run first-in, first-out. Keys live in typed arrays beside the events, so
 * sifting compares contiguous numbers instead of chasing event objects around the heap (about half
 * the cost of a heap of objects at 10^4-10^6 pending events). Cancelled events stay in the heap with
 * no callback and are skipped when they surface (cheaper than removing them from the middle).
 */
export interface SimEvent {
  readonly atMs: number;
  /** Undefined once fired or cancelled. */
  fn: (() => void) | undefined;
}

export class EventHeap {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private events: (SimEvent | undefined)[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  push(event: SimEvent, seq: number): void {
    if (this.n === this.times.length) this.grow();
    const { times, seqs, events } = this;
    const t = event.atMs;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < t || (pt === t && (seqs[parent] as number) < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent] as number;
      events[i] = events[parent];
      i = parent;
    }
    times[i] = t;
    seqs[i] = seq;
    events[i] = event;
  }

  /** The earliest event, without removing it. */
  peek(): SimEvent | undefined {
    return this.n === 0 ? undefined : this.events[0];
  }

  /** Removes the earliest event. */
  pop(): SimEvent | undefined {
    if (this.n === 0) return undefined;
    const { times, seqs, events } = this;
    const top = events[0];
    const last = --this.n;
    const t = times[last] as number;
    const s = seqs[last] as number;
    const e = events[last];
    events[last] = undefined;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      let ct = times[c] as number;
      let cs = seqs[c] as number;
      const r = c + 1;
      if (r < last) {
        const rt = times[r] as number;
        if (rt < ct || (rt === ct && (seqs[r] as number) < cs)) {
          c = r;
          ct = rt;
          cs = seqs[r] as number;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      events[i] = events[c];
      i = c;
    }
    if (last > 0) {
      times[i] = t;
      seqs[i] = s;
      events[i] = e;
    }
    return top;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    const seqs = new Float64Array(this.seqs.length * 2);
    times.set(this.times);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
  }
}
