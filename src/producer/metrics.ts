/** Count, sum, min and max of a measured quantity, as the KPL reports its distributions. */
export interface Distribution {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** A snapshot of the producer's metrics, named as the KPL names them. */
export interface ProducerMetrics {
  /** User records given to `put()` and accepted. */
  UserRecordsReceived: number;
  /** User records accepted and not yet settled (buffered, in flight or waiting to retry). */
  UserRecordsPending: number;
  /** User records acknowledged by Kinesis. */
  UserRecordsPut: number;
  /** Bytes of user records acknowledged (data plus partition key). */
  UserRecordsDataPut: number;
  /** Kinesis records acknowledged. */
  KinesisRecordsPut: number;
  /** Bytes of Kinesis records acknowledged, as sent on the wire (after compression). */
  KinesisRecordsDataPut: number;
  /** Failed puts by error code: per entry (e.g. ProvisionedThroughputExceededException) or per request. */
  ErrorsByCode: Record<string, number>;
  /** Attempts beyond the first, per user record that got a final result. */
  RetriesPerRecord: Distribution;
  /** User records that failed because their RecordTtl passed. */
  UserRecordExpired: number;
  /** Milliseconds from `put()` to the request that carried the record. */
  BufferingTime: Distribution;
  /** Milliseconds per PutRecords request (one request may carry the batches of several shards). */
  RequestTime: Distribution;
  /** User records per Kinesis record put. */
  UserRecordsPerKinesisRecord: Distribution;
  /** Actor and worker restarts under supervision. */
  Restarts: number;
}

function distribution(): Distribution {
  return { count: 0, sum: 0, min: 0, max: 0 };
}

/** @internal */
export function observe(d: Distribution, value: number): void {
  if (d.count === 0 || value < d.min) d.min = value;
  if (d.count === 0 || value > d.max) d.max = value;
  d.count++;
  d.sum += value;
}

/** Mutable counters behind {@link ProducerMetrics}. @internal */
export class MetricsRecorder {
  readonly values: ProducerMetrics = {
    UserRecordsReceived: 0,
    UserRecordsPending: 0,
    UserRecordsPut: 0,
    UserRecordsDataPut: 0,
    KinesisRecordsPut: 0,
    KinesisRecordsDataPut: 0,
    ErrorsByCode: {},
    RetriesPerRecord: distribution(),
    UserRecordExpired: 0,
    BufferingTime: distribution(),
    RequestTime: distribution(),
    UserRecordsPerKinesisRecord: distribution(),
    Restarts: 0,
  };

  error(code: string, count = 1): void {
    this.values.ErrorsByCode[code] = (this.values.ErrorsByCode[code] ?? 0) + count;
  }

  snapshot(): ProducerMetrics {
    return structuredClone(this.values);
  }
}
