import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { MILLISECOND_BUCKETS } from '../telemetry/buckets.ts';
import { MeterBinding } from '../telemetry/meter-binding.ts';

/** Who the consumer's metrics are of: the KCL's dimensions. @internal */
export interface ConsumerIdentity {
  applicationName: string;
  streamName: string;
  workerIdentifier: string;
}

interface ConsumerInstruments {
  recordsProcessed: Counter;
  dataBytesProcessed: Counter;
  processTaskTime: Histogram;
  shardSyncTime: Histogram;
  millisBehindLatest: ObservableGauge;
  observe: (result: ObservableResult) => void;
}

/**
 * The consumer's OpenTelemetry instruments, named and dimensioned as the KCL's ProcessTask
 * metrics (Operation 'ProcessTask', ShardId, WorkerIdentifier, with ApplicationName and
 * StreamName, which the KCL puts in the namespace and the stream-level dimension). Recorded once
 * per batch; MillisBehindLatest is observed at collection time from what the consumer keeps.
 * @internal
 */
export class ConsumerTelemetry {
  private readonly base: Attributes;
  private readonly byShard = new Map<string, Attributes>();
  private readonly syncSucceeded: Attributes;
  private readonly syncFailed: Attributes;
  private readonly binding: MeterBinding<ConsumerInstruments>;

  constructor(
    identity: ConsumerIdentity,
    private readonly millisBehindLatest: Record<string, number>,
  ) {
    this.base = Object.freeze({
      ApplicationName: identity.applicationName,
      StreamName: identity.streamName,
      WorkerIdentifier: identity.workerIdentifier,
      Operation: 'ProcessTask',
    });
    const sync = { ...this.base, Operation: 'ShardSyncTask' };
    this.syncSucceeded = Object.freeze({ ...sync, Success: true });
    this.syncFailed = Object.freeze({ ...sync, Success: false });
    this.binding = new MeterBinding(
      (meter) => this.create(meter),
      (i) => i.millisBehindLatest.removeCallback(i.observe),
    );
    this.binding.current();
  }

  /** `records` user records of `shardId` are done with. */
  processed(shardId: string, records: number): void {
    this.binding.current().recordsProcessed.add(records, this.shard(shardId));
  }

  /** The processor returned from a batch of `bytes` of data after `ms`. */
  processRecords(shardId: string, bytes: number, ms: number): void {
    const i = this.binding.current();
    const attributes = this.shard(shardId);
    if (bytes > 0) i.dataBytesProcessed.add(bytes, attributes);
    i.processTaskTime.record(ms, attributes);
  }

  /** A periodic shard sync round took `ms`; `Success` tells failed rounds apart, as the KCL's Success metric does. */
  shardSync(ms: number, succeeded: boolean): void {
    this.binding.current().shardSyncTime.record(ms, succeeded ? this.syncSucceeded : this.syncFailed);
  }

  /** The shard is no longer consumed here. */
  forget(shardId: string): void {
    this.byShard.delete(shardId);
  }

  /** Stops observing. Idempotent. */
  close(): void {
    this.binding.close();
  }

  private shard(shardId: string): Attributes {
    let attributes = this.byShard.get(shardId);
    if (attributes === undefined) this.byShard.set(shardId, (attributes = Object.freeze({ ...this.base, ShardId: shardId })));
    return attributes;
  }

  private create(meter: Meter): ConsumerInstruments {
    const instruments: ConsumerInstruments = {
      recordsProcessed: meter.createCounter('RecordsProcessed', { unit: '{record}', description: 'User records the processor or handler is done with' }),
      dataBytesProcessed: meter.createCounter('DataBytesProcessed', { unit: 'By', description: 'Bytes of data of the user records handed to the processor' }),
      processTaskTime: meter.createHistogram('RecordProcessor.processRecords.Time', {
        unit: 'ms',
        description: 'Time in processRecords (or the handler) per batch',
        advice: { explicitBucketBoundaries: MILLISECOND_BUCKETS },
      }),
      shardSyncTime: meter.createHistogram('ShardSyncTask.Time', {
        unit: 'ms',
        description: 'Per periodic shard sync round (ListShards, leases for new shards)',
        advice: { explicitBucketBoundaries: MILLISECOND_BUCKETS },
      }),
      millisBehindLatest: meter.createObservableGauge('MillisBehindLatest', { unit: 'ms', description: 'How far the last read of each shard was behind the tip of the stream' }),
      observe: (result) => {
        for (const [shardId, ms] of Object.entries(this.millisBehindLatest)) result.observe(ms, this.shard(shardId));
      },
    };
    instruments.millisBehindLatest.addCallback(instruments.observe);
    return instruments;
  }
}
