import { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import { newDecodeCounts } from './decode-records.ts';
import type { ConsumerEvents } from './events.ts';
import { ConsumerTelemetry, type ConsumerIdentity } from './consumer-telemetry.ts';
import { ConsumerMetricsRecorder, type ConsumerMetrics } from './metrics.ts';
import type { ShardConsumerReport } from './shard-consumer-steps.ts';
import type { ShutdownReason } from './shard-consumer.machine.ts';

/**
 * The consumer's metrics and instrumentation events in one place: what its shard consumers,
 * leases and supervisor report is counted and emitted here, and nowhere else.
 * @internal
 */
export class ConsumerInstrumentation {
  private readonly events = new InstrumentationEmitter<ConsumerEvents>();
  private readonly recorder: ConsumerMetricsRecorder;
  /** Decoding counters, shared by every shard consumer of the worker. */
  readonly counts = newDecodeCounts();
  private timer: NodeJS.Timeout | undefined;
  /** The OpenTelemetry instruments, when the consumer's identity is given. */
  private readonly telemetry: ConsumerTelemetry | undefined;

  /**
   * `handlerCountsBatches`: the handler form counts a batch as soon as the handler is done,
   * before the checkpoint. `retrieval`: how the shards are read. `identity`: the dimensions of
   * the OpenTelemetry metrics.
   */
  constructor(
    private readonly handlerCountsBatches: boolean,
    retrieval: ConsumerMetrics['Retrieval'],
    identity?: ConsumerIdentity,
  ) {
    this.recorder = new ConsumerMetricsRecorder(retrieval);
    if (identity) this.telemetry = new ConsumerTelemetry(identity, this.recorder.values.MillisBehindLatest);
  }

  on<K extends keyof ConsumerEvents>(event: K, listener: (payload: ConsumerEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** What the shard consumer of `shardId` reports through. */
  forShard(shardId: string): ShardConsumerReport {
    const m = this.recorder.values;
    return {
      batch: (records, millisBehindLatest, processed) => {
        if (millisBehindLatest !== undefined) m.MillisBehindLatest[shardId] = millisBehindLatest;
        if (processed) this.telemetry?.processRecords(shardId, processed.bytes, processed.ms);
        if (!this.handlerCountsBatches) this.batch(shardId, records, millisBehindLatest);
      },
      badRecord: (sequenceNumber, error) => this.events.emit('consumer.badRecord', { shardId, sequenceNumber, error }),
      checkpointed: (sequenceNumber, subSequenceNumber) => {
        m.CheckpointsWritten++;
        this.events.emit('consumer.checkpoint', { shardId, sequenceNumber, subSequenceNumber });
      },
      checkpointFailed: () => {
        m.CheckpointFailures++;
      },
      fanOut: {
        subscribed: (kind) => {
          m.SubscriptionsStarted++;
          if (kind === 'renewal') m.SubscriptionsRenewed++;
          else if (kind === 'afterError') m.SubscriptionsAfterError++;
        },
        eventReceived: () => {
          m.SubscribeToShardEvents++;
        },
        resourceInUse: () => {
          m.ResourceInUseWaits++;
        },
      },
    };
  }

  /** A batch of `records` user records is done with on `shardId`. */
  batch(shardId: string, records: number, millisBehindLatest: number | undefined): void {
    if (records === 0) return;
    const m = this.recorder.values;
    m.RecordsProcessed += records;
    m.BatchesProcessed++;
    this.telemetry?.processed(shardId, records);
    this.events.emit('consumer.batch', { shardId, records, millisBehindLatest });
  }

  /** A periodic shard sync round took `ms`. */
  shardSyncRound(ms: number, succeeded: boolean): void {
    this.telemetry?.shardSync(ms, succeeded);
  }

  recordsToFailureDestination(records: number): void {
    this.recorder.values.RecordsToFailureDestination += records;
  }

  leaseTaken(shardId: string, stolen: boolean, from: string | undefined): void {
    const m = this.recorder.values;
    m.LeasesTaken++;
    if (stolen) m.LeasesStolen++;
    this.events.emit('lease.taken', { shardId, stolen, from });
  }

  leaseLost(shardId: string): void {
    this.recorder.values.LeasesLost++;
    this.events.emit('lease.lost', { shardId });
  }

  restart(actor: string, error: unknown, attempt: number): void {
    this.recorder.values.Restarts++;
    this.events.emit('consumer.restart', { actor, attempt, error });
  }

  shardStarted(shardId: string): void {
    this.events.emit('consumer.shardStarted', { shardId });
  }

  shardStopped(shardId: string, reason: ShutdownReason): void {
    delete this.recorder.values.MillisBehindLatest[shardId];
    this.telemetry?.forget(shardId);
    this.events.emit('consumer.shardStopped', { shardId, reason });
  }

  /** A snapshot of the metrics, with the leases the worker holds now. */
  metrics(leasesHeld: number): ConsumerMetrics {
    const m = this.recorder.values;
    m.KinesisRecordsRead = this.counts.kinesisRecords;
    m.InvalidAggregates = this.counts.invalidAggregates;
    m.BadEnvelopes = this.counts.badEnvelopes;
    m.OversizedAggregates = this.counts.oversizedAggregates;
    m.AggregatesOutsideShard = this.counts.aggregatesOutsideShard;
    m.UserRecordsOutsideShard = this.counts.userRecordsOutsideShard;
    m.LeasesHeld = leasesHeld;
    return this.recorder.snapshot();
  }

  /** Emits `consumer.metrics` every `intervalMillis` while anyone listens; 0 never. */
  startReporting(intervalMillis: number, metrics: () => ConsumerMetrics): void {
    if (intervalMillis <= 0) return;
    this.timer = setInterval(() => {
      if (this.events.has('consumer.metrics')) this.events.emit('consumer.metrics', metrics());
    }, intervalMillis);
    this.timer.unref();
  }

  stopReporting(): void {
    clearInterval(this.timer);
    this.telemetry?.close();
  }
}
