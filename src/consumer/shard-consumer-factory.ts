import type { KinesisApi } from '../kinesis/kinesis-api.ts';
import type { Clock } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import type { ConsumerInstrumentation } from './consumer-instrumentation.ts';
import { resolveErrorHandlingOptions } from './error-handling/options.ts';
import { handlerProcessor } from './handler-processor.ts';
import type { LeaseHandle } from '../leases/lease-handle.ts';
import type { ConsumerOptions, ResolvedConsumerOptions } from './options.ts';
import type { RecordProcessorFactory } from './processor.ts';
import { ShardConsumerSteps } from './shard-consumer-steps.ts';
import { shardConsumerLogic, type ShardConsumerLogic } from './shard-consumer.machine.ts';
import type { FanOutRetrieval } from './fan-out-retrieval.ts';

/**
 * Makes a worker's shard consumers from its options: for one lease, the steps of its shard
 * (a fresh processor, the reader's pacing, the decoding limits, the lease handle, the report)
 * given to the shard consumer machine. Every (re)start of a shard consumer makes a new one.
 * @internal
 */
export class ShardConsumerFactory {
  private readonly processorFactory: RecordProcessorFactory;

  constructor(
    private readonly options: ResolvedConsumerOptions,
    /** The options as given: the key under which deprecation warnings are given once. */
    given: ConsumerOptions,
    private readonly kinesis: KinesisApi,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly instrumentation: ConsumerInstrumentation,
    private readonly fanOut?: FanOutRetrieval,
  ) {
    const o = options;
    if (o.handler) {
      const errorHandling = resolveErrorHandlingOptions(o.errorHandling, 'errorHandling', { key: given.logger, logger: o.logger });
      const processor = handlerProcessor(o.handler, errorHandling, {
        clock,
        logger,
        onEvent: (event) => {
          if (event.type === 'batch.failedToDestination') instrumentation.recordsToFailureDestination(event.failure.records.length);
        },
        onDone: (shardId, records, millisBehindLatest) => instrumentation.batch(shardId, records, millisBehindLatest),
      });
      this.processorFactory = () => processor;
    } else {
      this.processorFactory = o.processor!;
    }
  }

  /** The actor logic of a new shard consumer for `lease`. */
  create(lease: LeaseHandle): ShardConsumerLogic {
    return shardConsumerLogic(this.steps(lease));
  }

  private steps(lease: LeaseHandle): ShardConsumerSteps {
    const o = this.options;
    const shardId = lease.shardId;
    return new ShardConsumerSteps({
      stream: o.stream,
      kinesis: this.kinesis,
      clock: this.clock,
      logger: this.logger.child({ shardId }),
      processor: this.processorFactory(shardId, { applicationName: o.applicationName, streamName: o.streamName, workerIdentifier: o.workerIdentifier }),
      initialPosition: o.initialPositionInStreamExtended,
      reader: {
        maxRecords: o.maxRecords,
        minTimeBetweenReadsMs: 200,
        idleTimeBetweenReadsMs: o.idleTimeBetweenReadsInMillis,
        retryBaseDelayMs: 100,
        retryMaxDelayMs: 5000,
      },
      fanOut: this.fanOut?.reading(),
      limits: {
        maxInflatedBytes: o.maxInflatedBytes,
        maxUserRecordsPerAggregate: o.maxUserRecordsPerAggregate,
        maxUserRecordsPerBatch: o.maxUserRecordsPerBatch,
        maxInflatedBytesPerBatch: o.maxInflatedBytesPerBatch,
      },
      parentPollIntervalMs: o.parentShardPollIntervalMillis,
      lease,
      counts: this.instrumentation.counts,
      report: this.instrumentation.forShard(shardId),
    });
  }
}
