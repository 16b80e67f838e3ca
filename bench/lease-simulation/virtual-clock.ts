import type { Clock } from '../../src/internal/clock.ts';

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock whose time moves only in {@link VirtualClock.runUntil}: timers fire in time order
 * (ties in the order they were set), and after each instant's timers every promise chain they
 * started runs to its end before time moves on. A binary heap, because a fleet of 200 workers
 * keeps thousands of timers pending; `SimulatedClock` scans them all on every fire.
 */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly heap: Timer[] = [];
  private readonly cancelled = new Set<number>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { at: this.time + Math.max(0, ms), seq: ++this.seq, callback };
    this.push(timer);
    return timer.seq;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.cancelled.add(handle);
  }

  /** Fires every timer due up to `until` (including ones they set), letting the work they start settle. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      const next = this.heap[0];
      if (!next || next.at > until) break;
      this.time = Math.max(this.time, next.at);
      while (this.heap.length > 0 && this.heap[0].at <= this.time) {
        const timer = this.pop();
        if (this.cancelled.delete(timer.seq)) continue;
        timer.callback();
      }
      await settle();
    }
    this.time = Math.max(this.time, until);
  }

  /** Timers waiting to fire (cancelled ones included until their time comes). */
  get pending(): number {
    return this.heap.length;
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Timer {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** One macrotask turn: every microtask queued before it (and those they queue) has run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
