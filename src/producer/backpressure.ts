import type { Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { BackpressureMode } from './options.ts';
import { releaseFrames } from './release-frames.ts';

/** What the waiting line needs of a put. @internal */
export interface WaitingPut {
  /** Bytes it counts for, in line and once admitted. */
  readonly size: number;
  /** When `put()` was called: its wait is bounded from then. */
  readonly arrivedAt: number;
}

/** The limits of {@link Admission}, from the producer's options. @internal */
export interface AdmissionLimits {
  maxOutstandingRecords: number;
  maxOutstandingBytes: number;
  backpressure: BackpressureMode;
  /** Bytes of the puts in line; the line also holds at most `maxOutstandingRecords` puts. */
  maxWaitingBytes: number;
  /** Milliseconds a put may wait in line before it is turned away. */
  maxBackpressureWaitMs: number;
}

/** What happens to a put that waited: admitted once room is free, or turned away. @internal */
export interface AdmissionHandlers<T> {
  admit(put: T): void;
  turnAway(put: T, error: KinesisActorsError): void;
}

/**
 * Bounds the records and bytes accepted but not yet settled. Over a limit, `put()` either waits
 * in line (FIFO, itself capped in puts and in bytes, each put for at most `maxBackpressureWaitMs`)
 * or is rejected with a retriable `BACKPRESSURE` error: memory never grows without bound.
 * @internal
 */
export class Admission<T extends WaitingPut> {
  records = 0;
  bytes = 0;
  /** Bytes of the puts in line. */
  waitingBytes = 0;
  private readonly line: T[] = [];
  private head = 0;
  private timer: unknown;
  private refusal: KinesisActorsError | undefined;
  private waitError: KinesisActorsError | undefined;
  private idle: (() => void) | undefined;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly clock: Clock,
    private readonly handlers: AdmissionHandlers<T>,
  ) {}

  get waiting(): number {
    return this.line.length - this.head;
  }

  /** True when a record of `size` bytes can be accepted now, ahead of nobody. */
  hasRoom(size: number): boolean {
    const { maxOutstandingRecords, maxOutstandingBytes } = this.limits;
    return this.waiting === 0 && this.records < maxOutstandingRecords && this.bytes + size <= maxOutstandingBytes;
  }

  /**
   * True when puts of these sizes, in this order, would each be admitted or queued now, none
   * turned away at once: `putMany()` takes all of its records or none.
   */
  admitsAll(puts: readonly WaitingPut[]): boolean {
    const { maxOutstandingRecords, maxOutstandingBytes, maxWaitingBytes, backpressure } = this.limits;
    let i = 0;
    if (this.waiting === 0) {
      for (let records = this.records, bytes = this.bytes; i < puts.length; i++, records++) {
        if (records >= maxOutstandingRecords || bytes + puts[i].size > maxOutstandingBytes) break;
        bytes += puts[i].size;
      }
    }
    if (i === puts.length) return true;
    if (backpressure === 'reject') return false;
    for (let waiting = this.waiting, bytes = this.waitingBytes; i < puts.length; i++, waiting++) {
      if (waiting >= maxOutstandingRecords || bytes + puts[i].size > maxWaitingBytes) return false;
      bytes += puts[i].size;
    }
    return true;
  }

  /** The error of a put turned away at once (see {@link wait}). */
  get fullError(): KinesisActorsError {
    return this.full();
  }

  acquire(size: number): void {
    this.records++;
    this.bytes += size;
  }

  /**
   * Queues a put that found no room, or throws `BACKPRESSURE` when the mode is 'reject' or the
   * line is full. The put is admitted once room is free, or turned away once it has waited
   * `maxBackpressureWaitMs`.
   */
  wait(put: T): void {
    const { backpressure, maxOutstandingRecords, maxWaitingBytes } = this.limits;
    if (backpressure === 'reject' || this.waiting >= maxOutstandingRecords || this.waitingBytes + put.size > maxWaitingBytes) {
      throw this.full();
    }
    this.line.push(put);
    this.waitingBytes += put.size;
    if (this.timer === undefined) this.armTimer();
  }

  release(size: number): void {
    this.records--;
    this.bytes -= size;
    const { maxOutstandingRecords, maxOutstandingBytes } = this.limits;
    while (this.head < this.line.length) {
      const next = this.line[this.head];
      if (this.records >= maxOutstandingRecords || this.bytes + next.size > maxOutstandingBytes) break;
      this.dequeue();
      this.acquire(next.size);
      this.handlers.admit(next);
    }
    this.compact();
    this.checkIdle();
  }

  /** Resolves once nothing is outstanding and no put waits in line. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idle = resolve;
      this.checkIdle();
    });
  }

  private checkIdle(): void {
    if (this.idle && this.records === 0 && this.waiting === 0) this.idle();
  }

  /** Turns away the puts at the head of the line that have waited their time, and waits for the next. */
  private expireWaits(): void {
    this.timer = undefined;
    const oldest = this.clock.now() - this.limits.maxBackpressureWaitMs;
    while (this.head < this.line.length && this.line[this.head].arrivedAt <= oldest) {
      this.handlers.turnAway(this.dequeue(), this.waitExceeded());
    }
    this.compact();
    this.checkIdle();
    this.armTimer();
  }

  private armTimer(): void {
    if (this.waiting === 0) return;
    const due = this.line[this.head].arrivedAt + this.limits.maxBackpressureWaitMs;
    this.timer = this.clock.setTimeout(() => this.expireWaits(), Math.max(0, due - this.clock.now()));
  }

  private dequeue(): T {
    const put = this.line[this.head++];
    this.waitingBytes -= put.size;
    return put;
  }

  private compact(): void {
    if (this.waiting === 0) {
      this.line.length = 0;
      this.head = 0;
      // An empty line has nothing to time out; a pending timer would only hold the process open.
      if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.head > 1024 && this.head * 2 > this.line.length) {
      this.line.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * The error for a put turned away at once. One instance serves every rejection: under
   * overload millions of puts are refused, and an Error with a stack trace each would itself
   * exhaust memory and CPU — the very thing backpressure is for. Its frames are released: it
   * lives as long as the producer, and they would keep the first rejected caller's objects.
   */
  private full(): KinesisActorsError {
    if (this.refusal) return this.refusal;
    const { maxOutstandingRecords, maxOutstandingBytes, maxWaitingBytes } = this.limits;
    const line =
      this.limits.backpressure === 'wait'
        ? ` and its waiting line at options.maxOutstandingRecords (${maxOutstandingRecords}) puts or options.maxWaitingBytes (${maxWaitingBytes}) bytes`
        : '';
    this.refusal = releaseFrames(
      new KinesisActorsError(
        'BACKPRESSURE',
        `the producer is at options.maxOutstandingRecords (${maxOutstandingRecords}) or options.maxOutstandingBytes (${maxOutstandingBytes})${line}; retry later`,
        { retriable: true },
      ),
    );
    return this.refusal;
  }

  /** The error for a put that waited its time in line; shared, as {@link full}'s is. */
  private waitExceeded(): KinesisActorsError {
    const { maxOutstandingRecords, maxOutstandingBytes, maxBackpressureWaitMs } = this.limits;
    this.waitError ??= releaseFrames(
      new KinesisActorsError(
        'BACKPRESSURE',
        `the put waited options.maxBackpressureWaitMs (${maxBackpressureWaitMs} ms) for room under options.maxOutstandingRecords (${maxOutstandingRecords}) and options.maxOutstandingBytes (${maxOutstandingBytes}) and was not accepted; retry later`,
        { retriable: true },
      ),
    );
    return this.waitError;
  }
}
