import { KinesisActorsError } from '../errors.ts';
import type { BackpressureMode } from './options.ts';

interface Waiter {
  size: number;
  admit: () => void;
}

/**
 * Bounds the records and bytes accepted but not yet settled. Over a limit, `put()` either waits
 * in line (FIFO, itself capped at the record limit) or is rejected with a retriable
 * `BACKPRESSURE` error: memory never grows without bound.
 * @internal
 */
export class Admission {
  records = 0;
  bytes = 0;
  private readonly waiters: Waiter[] = [];
  private waitersHead = 0;
  private fullError: KinesisActorsError | undefined;

  constructor(
    private readonly maxRecords: number,
    private readonly maxBytes: number,
    private readonly mode: BackpressureMode,
  ) {}

  get waiting(): number {
    return this.waiters.length - this.waitersHead;
  }

  /** True when a record of `size` bytes can be accepted now, ahead of nobody. */
  hasRoom(size: number): boolean {
    return this.waiting === 0 && this.records < this.maxRecords && this.bytes + size <= this.maxBytes;
  }

  acquire(size: number): void {
    this.records++;
    this.bytes += size;
  }

  /**
   * Queues a record that found no room, or throws `BACKPRESSURE` when the mode is 'reject' or
   * the line is full.
   * `admit` runs once room is free.
   */
  wait(size: number, admit: () => void): void {
    if (this.mode === 'reject' || this.waiting >= this.maxRecords) throw this.full();
    this.waiters.push({ size, admit });
  }

  /**
   * The error for a put turned away. One instance serves every rejection: under overload
   * millions of puts are refused, and an Error with a stack trace each would itself exhaust
   * memory and CPU — the very thing backpressure is for.
   */
  private full(): KinesisActorsError {
    this.fullError ??= new KinesisActorsError(
      'BACKPRESSURE',
      `the producer is at options.maxOutstandingRecords (${this.maxRecords}) or options.maxOutstandingBytes (${this.maxBytes})${this.mode === 'wait' ? ' and as many puts are waiting' : ''}; retry later`,
      { retriable: true },
    );
    return this.fullError;
  }

  release(size: number): void {
    this.records--;
    this.bytes -= size;
    while (this.waitersHead < this.waiters.length) {
      const next = this.waiters[this.waitersHead];
      if (this.records >= this.maxRecords || this.bytes + next.size > this.maxBytes) break;
      this.waitersHead++;
      this.acquire(next.size);
      next.admit();
    }
    if (this.waitersHead > 1024 && this.waitersHead * 2 > this.waiters.length) {
      this.waiters.splice(0, this.waitersHead);
      this.waitersHead = 0;
    }
  }
}
