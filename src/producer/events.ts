import type { ProducerMetrics } from './metrics.ts';

/** Instrumentation events of the producer; subscribe with `producer.on(name, listener)`. */
export interface ProducerEvents extends Record<string, unknown> {
  /**
   * One shard's batch came back from its PutRecords request (batches of several shards that are
   * due together share a request), or the request failed as a whole: then `error` is set and
   * every record of the batch failed this attempt.
   */
  'producer.putRecords': {
    shardId: string;
    kinesisRecords: number;
    userRecords: number;
    /** Bytes on the wire: Kinesis record data plus partition keys. */
    bytes: number;
    durationMs: number;
    failedKinesisRecords: number;
    error: Error | undefined;
  };
  /**
   * A user record got a final failure: expired, throttled with failIfThrottled, or turned away
   * after waiting in line for room (`attempts` 0). How `send()` callers learn of failures.
   */
  'producer.recordFailed': { partitionKey: string; attempts: number; error: Error };
  /** Sending a batch broke (a worker thread died, a bug); its records were re-queued. */
  'producer.flushFailed': { shardId: string; userRecords: number; error: unknown };
  /** The shard map was (re)loaded. */
  'producer.shardMap': { version: number; shardIds: string[] };
  /** A supervised actor failed and is restarted. */
  'producer.restart': { actor: string; attempt: number; error: unknown };
  /** Periodic metrics snapshot (every `metricsIntervalMs` while listened to). */
  'producer.metrics': ProducerMetrics;
}
