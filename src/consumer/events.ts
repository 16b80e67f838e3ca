import type { ConsumerMetrics } from './metrics.ts';

/** Instrumentation events of the consumer; subscribe with `consumer.on(name, listener)`. */
export interface ConsumerEvents extends Record<string, unknown> {
  /** A batch of user records was processed on a shard. */
  'consumer.batch': { shardId: string; records: number; millisBehindLatest: number | undefined };
  /** A checkpoint was written. */
  'consumer.checkpoint': { shardId: string; sequenceNumber: string; subSequenceNumber: number };
  /**
   * A record could not be opened (a bad aggregate or envelope, an envelope over
   * `maxInflatedBytes`, an aggregate over `maxUserRecordsPerAggregate`) and was passed through raw.
   */
  'consumer.badRecord': { shardId: string; sequenceNumber: string; error: unknown };
  /** This worker began reading a shard. */
  'consumer.shardStarted': { shardId: string };
  /** This worker stopped reading a shard, and why. */
  'consumer.shardStopped': { shardId: string; reason: 'requested' | 'shardEnded' | 'leaseLost' };
  /** A lease was taken (`stolen` when it had a live owner) or lost. */
  'lease.taken': { shardId: string; stolen: boolean; from: string | undefined };
  'lease.lost': { shardId: string };
  /** A supervised actor failed and is restarted. */
  'consumer.restart': { actor: string; attempt: number; error: unknown };
  /** Periodic metrics snapshot. */
  'consumer.metrics': ConsumerMetrics;
}
