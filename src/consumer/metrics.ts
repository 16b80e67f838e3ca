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
  /**
   * MillisBehindLatest per shard being read: of the last GetRecords page (polling), or of the
   * last SubscribeToShard event (fan-out). A shard appears once its first page or event arrived.
   */
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
  /** How shards are read (`retrieval`); the counters below stay 0 when polling. */
  Retrieval: 'polling' | 'fanOut';
  /** Enhanced fan-out subscriptions accepted, of every kind (a ResourceInUseException refusal is none). */
  SubscriptionsStarted: number;
  /** Of those, renewals after the one before ended: Kinesis ends each subscription after five minutes. */
  SubscriptionsRenewed: number;
  /** Of those, subscriptions made again after one failed (a broken connection, a 5xx, throttling). */
  SubscriptionsAfterError: number;
  /** SubscribeToShard calls refused with ResourceInUseException (another subscription still open on the shard), each waited out. */
  ResourceInUseWaits: number;
  /** SubscribeToShardEvents received, with records or without (Kinesis sends one at least every 5 s). */
  SubscribeToShardEvents: number;
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
    Retrieval: 'polling',
    SubscriptionsStarted: 0,
    SubscriptionsRenewed: 0,
    SubscriptionsAfterError: 0,
    ResourceInUseWaits: 0,
    SubscribeToShardEvents: 0,
  };

  constructor(retrieval: ConsumerMetrics['Retrieval']) {
    this.values.Retrieval = retrieval;
  }

  snapshot(): ConsumerMetrics {
    return structuredClone(this.values);
  }
}
