/** Kinesis write limits of one shard. */
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;
export const SHARD_RECORDS_PER_SECOND = 1000;

/**
 * Token buckets for one shard's bytes and records, refilled continuously. A request may take
 * the buckets into debt (a batch can exceed one second's budget); the next request then waits
 * until the debt is paid, so the long-run rate holds without splitting batches.
 * @internal
 */
export class ShardRateLimiter {
  private bytes: number;
  private records: number;
  private last: number;

  constructor(
    readonly bytesPerSecond: number,
    readonly recordsPerSecond: number,
    now: number,
  ) {
    this.bytes = bytesPerSecond;
    this.records = recordsPerSecond;
    this.last = now;
  }

  /** Takes the tokens for a request and returns how long to wait before sending it. */
  reserve(bytes: number, records: number, now: number): number {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.bytes = Math.min(this.bytesPerSecond, this.bytes + elapsed * this.bytesPerSecond);
    this.records = Math.min(this.recordsPerSecond, this.records + elapsed * this.recordsPerSecond);
    const wait = Math.max(0, -this.bytes / this.bytesPerSecond, -this.records / this.recordsPerSecond) * 1000;
    this.bytes -= bytes;
    this.records -= records;
    return Math.ceil(wait);
  }
}
