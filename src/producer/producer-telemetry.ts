import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { COUNT_BUCKETS, MILLISECOND_BUCKETS, RETRY_BUCKETS } from '../telemetry/buckets.ts';
import { CounterFeed } from '../telemetry/counter-feed.ts';
import { MeterBinding } from '../telemetry/meter-binding.ts';
import type { MetricsRecorder, ProducerMetrics } from './metrics.ts';

/** The counters fed from the totals of {@link ProducerMetrics}, under the KPL's names. */
const COUNTED = ['UserRecordsReceived', 'UserRecordsPut', 'UserRecordsDataPut', 'KinesisRecordsPut', 'KinesisRecordsDataPut', 'UserRecordExpired', 'Restarts'] as const;
const UNITS: Record<(typeof COUNTED)[number], string> = {
  UserRecordsReceived: '{record}',
  UserRecordsPut: '{record}',
  UserRecordsDataPut: 'By',
  KinesisRecordsPut: '{record}',
  KinesisRecordsDataPut: 'By',
  UserRecordExpired: '{record}',
  Restarts: '{restart}',
};

/** @internal */
export interface ProducerInstruments {
  counters: Record<(typeof COUNTED)[number], Counter>;
  errorsByCode: Counter;
  allErrors: Counter;
  pending: ObservableGauge;
  observe: (result: ObservableResult) => void;
  bufferingTime: Histogram;
  requestTime: Histogram;
  retriesPerRecord: Histogram;
  userRecordsPerKinesisRecord: Histogram;
  kinesisRecordsPerRequest: Histogram;
  userRecordsPerRequest: Histogram;
}

/**
 * The producer's OpenTelemetry instruments, named and dimensioned as the KPL's CloudWatch metrics
 * (dimension StreamName; ErrorCode for ErrorsByCode). Counters and the pending gauge are read from
 * the {@link MetricsRecorder} at collection time; histograms are recorded where their values
 * arise: per request, per Kinesis record, per user record in loops that already visit it.
 * @internal
 */
export class ProducerTelemetry {
  private readonly attributes: Attributes;
  private readonly feed = new CounterFeed();
  private readonly binding: MeterBinding<ProducerInstruments>;
  /** The instruments for the records of the request or batch at hand, refreshed by {@link instruments}. */
  private cached: ProducerInstruments;

  constructor(
    streamName: string,
    private readonly recorder: MetricsRecorder,
  ) {
    this.attributes = Object.freeze({ StreamName: streamName });
    this.binding = new MeterBinding(
      (meter) => this.create(meter),
      (i) => i.pending.removeCallback(i.observe),
    );
    this.cached = this.binding.current();
  }

  /** The instruments on the provider registered now; once per request or batch. */
  instruments(): ProducerInstruments {
    return (this.cached = this.binding.current());
  }

  /** A user record leaves its shard buffer for the first time, after `ms` there. */
  buffered(ms: number): void {
    this.cached.bufferingTime.record(ms, this.attributes);
  }

  /** A user record got its final result after `retries` attempts beyond the first. */
  settled(retries: number): void {
    this.cached.retriesPerRecord.record(retries, this.attributes);
  }

  /** A Kinesis record carrying `userRecords` user records was put. */
  kinesisRecordPut(userRecords: number): void {
    this.cached.userRecordsPerKinesisRecord.record(userRecords, this.attributes);
  }

  /** A PutRecords request came back (or failed as a whole) after `ms`. */
  request(ms: number, kinesisRecords: number, userRecords: number): void {
    const i = this.instruments();
    i.requestTime.record(ms, this.attributes);
    i.kinesisRecordsPerRequest.record(kinesisRecords, this.attributes);
    i.userRecordsPerRequest.record(userRecords, this.attributes);
  }

  /** Feeds the last counts and stops observing. Idempotent. */
  close(): void {
    this.feedCounters(this.instruments());
    this.binding.close();
  }

  private feedCounters(i: ProducerInstruments): void {
    const m: ProducerMetrics = this.recorder.values;
    for (const name of COUNTED) this.feed.feed(name, i.counters[name], m[name], this.attributes);
    let all = 0;
    for (const [code, count] of Object.entries(m.ErrorsByCode)) {
      all += count;
      this.feed.feed(`ErrorsByCode:${code}`, i.errorsByCode, count, { ...this.attributes, ErrorCode: code });
    }
    this.feed.feed('AllErrors', i.allErrors, all, this.attributes);
  }

  private create(meter: Meter): ProducerInstruments {
    const counters = {} as Record<(typeof COUNTED)[number], Counter>;
    for (const name of COUNTED) counters[name] = meter.createCounter(name, { unit: UNITS[name] });
    const histogram = (name: string, unit: string, buckets: number[], description: string) =>
      meter.createHistogram(name, { unit, description, advice: { explicitBucketBoundaries: buckets } });
    const instruments: ProducerInstruments = {
      counters,
      errorsByCode: meter.createCounter('ErrorsByCode', { unit: '{error}', description: 'Failed puts by error code: per Kinesis record, or per request' }),
      allErrors: meter.createCounter('AllErrors', { unit: '{error}', description: 'The sum of ErrorsByCode' }),
      pending: meter.createObservableGauge('UserRecordsPending', { unit: '{record}', description: 'User records accepted and not yet settled' }),
      observe: (result) => {
        // Runs before the SDK reads the counters: feeding them here makes each collection current.
        this.feedCounters(instruments);
        result.observe(this.recorder.values.UserRecordsPending, this.attributes);
      },
      bufferingTime: histogram('BufferingTime', 'ms', MILLISECOND_BUCKETS, 'From put() to the request that first carried the user record'),
      requestTime: histogram('RequestTime', 'ms', MILLISECOND_BUCKETS, 'Per PutRecords request'),
      retriesPerRecord: histogram('RetriesPerRecord', '{attempt}', RETRY_BUCKETS, 'Attempts beyond the first, per user record settled'),
      userRecordsPerKinesisRecord: histogram('UserRecordsPerKinesisRecord', '{record}', COUNT_BUCKETS, 'User records per Kinesis record put'),
      kinesisRecordsPerRequest: histogram('KinesisRecordsPerPutRecordsRequest', '{record}', COUNT_BUCKETS, 'Kinesis records per PutRecords request'),
      userRecordsPerRequest: histogram('UserRecordsPerPutRecordsRequest', '{record}', COUNT_BUCKETS, 'User records per PutRecords request'),
    };
    instruments.pending.addCallback(instruments.observe);
    return instruments;
  }
}
