/**
 * A token bucket that holds one second of `ratePerSecond` and refills continuously; it starts
 * full. Time comes from the caller so tests can freeze or step it.
 */
class TokenBucket {
  private tokens: number;

  constructor(
    private readonly ratePerSecond: number,
    private updatedAt: number,
  ) {
    this.tokens = ratePerSecond;
  }

  /** Whether `amount` tokens are available at `now` (refilling first). */
  has(amount: number, now: number): boolean {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
      this.updatedAt = now;
    }
    return this.tokens >= amount;
  }

  /** Takes tokens already checked with {@link has} at the same instant. */
  take(amount: number): void {
    this.tokens -= amount;
  }
}

/** Per-shard write limits as Kinesis enforces them. */
export interface ShardWriteLimits {
  bytesPerSecond: number;
  recordsPerSecond: number;
}

/**
 * Kinesis' per-shard write limits: one bucket of bytes and one of records per shard, each
 * holding one second of its limit. A record is admitted only if both buckets can pay for it.
 */
export class ShardWriteLimiter {
  private readonly streams = new Map<string, Map<string, { bytes: TokenBucket; records: TokenBucket }>>();

  constructor(private readonly limits: ShardWriteLimits) {}

  /** Charges one record of `bytes` to the shard; false (and nothing charged) when over the limit. */
  tryAdmit(streamName: string, shardId: string, bytes: number, now: number): boolean {
    let shards = this.streams.get(streamName);
    if (shards === undefined) this.streams.set(streamName, (shards = new Map()));
    let shard = shards.get(shardId);
    if (shard === undefined) {
      const { bytesPerSecond, recordsPerSecond } = this.limits;
      shard = {
        bytes: new TokenBucket(bytesPerSecond, now),
        records: new TokenBucket(recordsPerSecond, now),
      };
      shards.set(shardId, shard);
    }
    if (!shard.records.has(1, now) || !shard.bytes.has(bytes, now)) return false;
    shard.records.take(1);
    shard.bytes.take(bytes);
    return true;
  }
}
