import type { Clock } from '../internal/clock.ts';

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to, for unit tests of timers, lingering, retries and rate
 * limits without sleeps.
 *
 * @example
 * const clock = new SimulatedClock();
 * clock.setTimeout(() => fired++, 100);
 * clock.advance(100); // fired === 1
 */
export class SimulatedClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers = new Map<number, Timer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), seq: id, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at <= target && (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) next = timer;
      }
      if (!next) break;
      this.timers.delete(next.seq);
      this.time = Math.max(this.time, next.at);
      next.callback();
    }
    this.time = target;
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size;
  }
}
