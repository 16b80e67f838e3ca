/** A snapshot of the consumer's metrics. */
export interface ConsumerMetrics {
  /**
   * User records processed: with a handler, those it is done with (handled, or given up on),
   * counted as soon as it returns, before their checkpoint is written; with a processor, those
   * of every batch its `processRecords` returned from.
   */
  RecordsProcessed: number;
  /** Kinesis records read. */
  KinesisRecordsRead: number;
  /** Batches counted in RecordsProcessed. */
  BatchesProcessed: number;
  /** MillisBehindLatest of the last read, per shard held. */
  MillisBehindLatest: Record<string, number>;
  /** Leases this worker holds now. */
  LeasesHeld: number;
  LeasesTaken: number;
  LeasesStolen: number;
  LeasesLost: number;
  CheckpointsWritten: number;
  CheckpointFailures: number;
  /** Aggregates that failed their checks and envelopes that could not be opened (passed through raw). */
  InvalidAggregates: number;
  BadEnvelopes: number;
  /**
   * Aggregated records holding more user records than `maxUserRecordsPerAggregate` (or more keys
   * in one key table), passed through raw as one record. Envelopes over `maxInflatedBytes` count
   * in `BadEnvelopes`.
   */
  OversizedAggregates: number;
  /**
   * Aggregated records dropped whole because the shard does not own the hash key of one or more
   * of their user records (built on a stale shard map; the producer sends their user records
   * again after a reshard), as the KCL does.
   */
  AggregatesOutsideShard: number;
  /** The user records of those aggregates, all of them, in the shard's range or not. */
  UserRecordsOutsideShard: number;
  /** Records given up on and sent to the on-failure destination. */
  RecordsToFailureDestination: number;
  /** Shard consumer restarts under supervision. */
  Restarts: number;
}

/** Mutable counters behind {@link ConsumerMetrics}. @internal */
export class ConsumerMetricsRecorder {
  readonly values: ConsumerMetrics = {
    RecordsProcessed: 0,
    KinesisRecordsRead: 0,
    BatchesProcessed: 0,
    MillisBehindLatest: {},
    LeasesHeld: 0,
    LeasesTaken: 0,
    LeasesStolen: 0,
    LeasesLost: 0,
    CheckpointsWritten: 0,
    CheckpointFailures: 0,
    InvalidAggregates: 0,
    BadEnvelopes: 0,
    OversizedAggregates: 0,
    AggregatesOutsideShard: 0,
    UserRecordsOutsideShard: 0,
    RecordsToFailureDestination: 0,
    Restarts: 0,
  };

  snapshot(): ConsumerMetrics {
    return structuredClone(this.values);
  }
}
