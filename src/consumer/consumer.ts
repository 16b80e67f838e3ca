import { createActor, type AnyActorRef } from 'xstate';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock, type Clock } from '../clock.ts';
import { defaultLogger, type Logger } from '../logger.ts';
import { createDynamoDbClient, createKinesisClient } from '../aws/clients.ts';
import { InstrumentationEmitter } from '../instrumentation/emitter.ts';
import { Supervisor } from '../supervision/supervisor.ts';
import { newDecodeCounts } from './decode-records.ts';
import { resolveErrorHandlingOptions } from './error-handling/options.ts';
import type { ConsumerEvents } from './events.ts';
import { handlerProcessor } from './handler-processor.ts';
import { DynamoDbLeaseStore } from './leases/dynamodb-lease-store.ts';
import { LeaseCoordinator } from './leases/lease-coordinator.ts';
import type { LeaseStore } from './leases/lease-store.ts';
import { ConsumerMetricsRecorder, type ConsumerMetrics } from './metrics.ts';
import { resolveConsumerOptions, type ConsumerOptions, type ResolvedConsumerOptions } from './options.ts';
import type { RecordProcessorFactory } from './processor.ts';
import { ShardConsumerSteps } from './shard-consumer-steps.ts';
import { shardConsumerMachine } from './shard-consumer.machine.ts';
import { syncShards } from './shard-sync.ts';
import { PeriodicTask } from './leases/periodic-task.ts';
import { initialize } from './initialization.ts';
import { fatalInitializationError } from './initialization-failures.ts';
import type { KinesisApi } from '../kinesis/kinesis-api.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';
import { serviceEndpoint } from '../aws/endpoints.ts';
import { requireDynamoDbEndpoint } from '../aws/wrong-endpoint.ts';

/**
 * A consumer worker: holds shard leases in DynamoDB with other workers of the same
 * application, runs one supervised shard consumer per lease, checkpoints, follows resharding,
 * and on `close()` hands its shards over at once.
 */
export class Consumer {
  private readonly options: ResolvedConsumerOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly kinesisClient: KinesisClient;
  private readonly kinesis: KinesisApi;
  private readonly dynamodb: DynamoDBClient;
  private readonly owned: { destroy(): void }[] = [];
  private readonly store: LeaseStore;
  private readonly coordinator: LeaseCoordinator;
  private readonly supervisor: Supervisor<AnyActorRef>;
  private readonly events = new InstrumentationEmitter<ConsumerEvents>();
  private readonly metricsRecorder = new ConsumerMetricsRecorder();
  private readonly counts = newDecodeCounts();
  private readonly processorFactory: RecordProcessorFactory;
  private readonly shardSync: PeriodicTask;
  /** Shards with a shard consumer, and the function that marks it finished. */
  private readonly running = new Map<string, { done: Promise<void>; finish: () => void }>();
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly initialization = new AbortController();
  private initializing: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  /** @internal Use {@link createConsumer}. */
  constructor(options: ConsumerOptions) {
    this.options = resolveConsumerOptions(options);
    const o = this.options;
    this.clock = o.clock ?? systemClock;
    this.logger = (o.logger ?? defaultLogger()).child({ component: 'consumer', streamName: o.streamName, workerId: o.workerIdentifier });
    this.kinesisClient = o.kinesis ?? this.own(createKinesisClient(o.connection));
    this.kinesis = new SdkKinesisApi(this.kinesisClient);
    this.dynamodb = o.dynamodb ?? this.own(createDynamoDbClient(o.dynamoDbConnection));
    this.store = new DynamoDbLeaseStore(this.dynamodb, o.leaseTableName, { clock: this.clock });
    this.coordinator = new LeaseCoordinator(this.store, {
      workerIdentifier: o.workerIdentifier,
      failoverTimeMillis: o.failoverTimeMillis,
      renewIntervalMillis: o.renewIntervalMillis,
      takerIntervalMillis: o.takerIntervalMillis,
      maxLeasesForWorker: o.maxLeasesForWorker === Number.MAX_SAFE_INTEGER ? Infinity : o.maxLeasesForWorker,
      maxLeasesToStealAtOneTime: o.maxLeasesToStealAtOneTime,
      gracefulLeaseHandoffTimeoutMillis: o.gracefulLeaseHandoffTimeoutMillis,
      clock: this.clock,
      logger: this.logger,
    });
    this.supervisor = new Supervisor<AnyActorRef>({
      clock: this.clock,
      logger: this.logger,
      // A shard must never stall silently (a KCL complaint): after too many restarts in a row
      // the shard consumer is started afresh once a failover time has passed, loudly.
      onEscalate: (id, error) => {
        const shardId = id.slice('shardConsumer:'.length);
        this.logger.error({ err: error, shardId }, 'consumer.shardConsumerFailing');
        this.finishShard(shardId);
        this.clock.setTimeout(() => {
          if (this.coordinator.heldLease(shardId)) this.startShard(shardId);
        }, this.options.failoverTimeMillis);
      },
      onRestart: (id, error, attempt) => {
        this.metricsRecorder.values.Restarts++;
        this.events.emit('consumer.restart', { actor: id, attempt, error });
      },
    });
    if (o.handler) {
      const errorHandling = resolveErrorHandlingOptions(o.errorHandling, 'errorHandling', { key: options.logger, logger: o.logger });
      const processor = handlerProcessor(o.handler, errorHandling, {
        clock: this.clock,
        logger: this.logger,
        onEvent: (event) => {
          if (event.type === 'batch.failedToDestination') this.metricsRecorder.values.RecordsToFailureDestination += event.failure.records.length;
        },
        onDone: (shardId, records, millisBehindLatest) => this.countBatch(shardId, records, millisBehindLatest),
      });
      this.processorFactory = () => processor;
    } else {
      this.processorFactory = o.processor!;
    }
    this.shardSync = new PeriodicTask(this.clock, o.shardSyncIntervalMillis, () => this.syncShards());
    this.coordinator.on('lease.acquired', ({ shardId, stolen, previousOwner }) => {
      const m = this.metricsRecorder.values;
      m.LeasesTaken++;
      if (stolen) m.LeasesStolen++;
      this.events.emit('lease.taken', { shardId, stolen, from: previousOwner });
      this.startShard(shardId);
    });
    this.coordinator.on('lease.lost', ({ shardId }) => {
      this.metricsRecorder.values.LeasesLost++;
      this.events.emit('lease.lost', { shardId });
      const actor = this.supervisor.get(`shardConsumer:${shardId}`);
      if (actor?.getSnapshot().status === 'active') actor.send({ type: 'shardConsumer.leaseLost' });
      else {
        this.supervisor.stop(`shardConsumer:${shardId}`);
        this.finishShard(shardId);
      }
    });
  }

  private own<T extends { destroy(): void }>(client: T): T {
    this.owned.push(client);
    return client;
  }

  /**
   * Initializes the worker, then keeps it running: creates or checks the lease table, syncs the
   * stream's shards to leases and takes a first round of leases, trying a step that fails with
   * an error that may pass again with a jittered backoff (`maxInitializationAttempts`,
   * `schedulerInitializationBackoffTimeMillis`). Resolves once the worker is initialized.
   * Rejects at once with the error of a failure that will not pass (`STREAM_NOT_FOUND`,
   * `LEASE_TABLE_SCHEMA`, no permission), or with a `ConsumerInitializationError` (`INITIALIZATION_FAILED`, naming the
   * step, with the last failure as its cause) once the attempts are spent; the consumer is then
   * closed. Idempotent: every call returns the same promise.
   */
  start(): Promise<void> {
    this.starting ??= (async () => {
      this.initializing = this.initialize();
      try {
        await this.initializing;
      } catch (error) {
        this.logger.error({ err: error }, 'consumer.startFailed');
        await this.close();
        throw error;
      }
      this.shardSync.start();
      if (this.options.metricsInterval > 0) {
        this.metricsTimer = setInterval(() => {
          if (this.events.has('consumer.metrics')) this.events.emit('consumer.metrics', this.metrics());
        }, this.options.metricsInterval);
        this.metricsTimer.unref();
      }
      this.logger.info('consumer.started');
    })();
    return this.starting;
  }

  private async initialize(): Promise<void> {
    const o = this.options;
    const endpoints = {
      Kinesis: await serviceEndpoint('Kinesis', this.kinesisClient, o.kinesis ? 'options.kinesis' : 'options.connection.endpoint'),
      DynamoDB: await serviceEndpoint('DynamoDB', this.dynamodb, o.dynamodb ? 'options.dynamodb' : 'options.dynamoDbConnection.endpoint'),
    };
    await initialize(
      [
        [
          'leaseTable',
          async () => {
            if (!o.dynamodb) requireDynamoDbEndpoint(endpoints.Kinesis, endpoints.DynamoDB);
            await this.store.ensureTable();
          },
        ],
        ['shardSync', () => this.syncShardsOrThrow()],
        [
          'leaseTaking',
          async () => {
            const error = await this.coordinator.takeLeases();
            if (error) throw error;
            await this.coordinator.start();
          },
        ],
      ],
      {
        maxAttempts: o.maxInitializationAttempts,
        backoffMillis: o.schedulerInitializationBackoffTimeMillis,
        clock: this.clock,
        logger: this.logger,
        signal: this.initialization.signal,
        fatal: (step, error) => fatalInitializationError(step, error, { streamName: o.streamName, endpoints }),
      },
    );
  }

  private async syncShardsOrThrow(): Promise<void> {
    await syncShards({ kinesis: this.kinesis, streamName: this.options.streamName, store: this.store, initialPosition: this.options.initialPositionInStreamExtended, logger: this.logger });
  }

  private async syncShards(): Promise<void> {
    try {
      await this.syncShardsOrThrow();
    } catch (error) {
      this.logger.warn({ err: error }, 'shardSync.failed');
    }
  }

  private startShard(shardId: string): void {
    const id = `shardConsumer:${shardId}`;
    if (this.supervisor.has(id) || this.closing) return;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.running.set(shardId, { done, finish });
    this.supervisor.spawn({
      id,
      create: () => {
        const actor = createActor(shardConsumerMachine, {
          input: { steps: this.steps(shardId) },
          clock: { setTimeout: (fn, ms) => this.clock.setTimeout(fn, ms), clearTimeout: (h) => this.clock.clearTimeout(h) },
        });
        actor.subscribe({
          complete: () => {
            const reason = actor.getSnapshot().output?.reason ?? 'requested';
            this.supervisor.stop(id);
            this.finishShard(shardId);
            delete this.metricsRecorder.values.MillisBehindLatest[shardId];
            this.events.emit('consumer.shardStopped', { shardId, reason });
            if (reason === 'shardEnded') void this.syncShards();
          },
          error: () => {},
        });
        return actor as AnyActorRef;
      },
    });
    this.events.emit('consumer.shardStarted', { shardId });
  }

  private finishShard(shardId: string): void {
    this.running.get(shardId)?.finish();
    this.running.delete(shardId);
  }

  private steps(shardId: string): ShardConsumerSteps {
    const o = this.options;
    const m = this.metricsRecorder.values;
    return new ShardConsumerSteps({
      shardId,
      streamName: o.streamName,
      kinesis: this.kinesis,
      clock: this.clock,
      logger: this.logger.child({ shardId }),
      processor: this.processorFactory(shardId),
      initialPosition: o.initialPositionInStreamExtended,
      reader: {
        maxRecords: o.maxRecords,
        minTimeBetweenReadsMs: 200,
        idleTimeBetweenReadsMs: o.idleTimeBetweenReadsInMillis,
        retryBaseDelayMs: 100,
        retryMaxDelayMs: 5000,
      },
      limits: {
        maxInflatedBytes: o.maxInflatedBytes,
        maxUserRecordsPerAggregate: o.maxUserRecordsPerAggregate,
        maxUserRecordsPerBatch: o.maxUserRecordsPerBatch,
        maxInflatedBytesPerBatch: o.maxInflatedBytesPerBatch,
      },
      parentPollIntervalMs: o.parentShardPollIntervalMillis,
      readLease: async () => {
        const lease = this.coordinator.heldLease(shardId) ?? (await this.store.getLease(shardId));
        if (!lease) throw new Error(`no lease for ${shardId}`);
        return {
          checkpoint: lease.checkpoint,
          subSequenceNumber: lease.checkpointSubSequenceNumber,
          state: lease.checkpointState,
          parentShardIds: lease.parentShardIds,
          startingHashKey: lease.startingHashKey,
          endingHashKey: lease.endingHashKey,
        };
      },
      parentsDone: async (parents) => {
        for (const parent of parents) {
          const lease = await this.store.getLease(parent);
          if (lease && lease.checkpoint !== 'SHARD_END') return false;
        }
        return true;
      },
      checkpoint: async (sequenceNumber, subSequenceNumber, state) => {
        try {
          await this.coordinator.checkpoint(shardId, sequenceNumber, subSequenceNumber, state);
          m.CheckpointsWritten++;
          this.events.emit('consumer.checkpoint', { shardId, sequenceNumber, subSequenceNumber });
        } catch (error) {
          m.CheckpointFailures++;
          throw error;
        }
      },
      counts: this.counts,
      onBatch: (records, millisBehindLatest) => {
        if (millisBehindLatest !== undefined) m.MillisBehindLatest[shardId] = millisBehindLatest;
        // The handler form counts as soon as the handler is done, before the checkpoint.
        if (!o.handler) this.countBatch(shardId, records, millisBehindLatest);
      },
      onBadRecord: (sequenceNumber, error) => this.events.emit('consumer.badRecord', { shardId, sequenceNumber, error }),
    });
  }

  private countBatch(shardId: string, records: number, millisBehindLatest: number | undefined): void {
    if (records === 0) return;
    const m = this.metricsRecorder.values;
    m.RecordsProcessed += records;
    m.BatchesProcessed++;
    this.events.emit('consumer.batch', { shardId, records, millisBehindLatest });
  }

  /**
   * Drains and leaves: stops taking leases and fetching, lets batches in flight finish, takes
   * the final checkpoints, then releases every lease so other workers take them at once.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** The same as {@link close}. */
  drain(): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    this.logger.info({ shards: [...this.running.keys()] }, 'consumer.closing');
    const steps: [string, () => unknown][] = [
      [
        'initialization',
        async () => {
          this.initialization.abort();
          await this.initializing?.catch(() => undefined);
        },
      ],
      ['shardSync', () => this.shardSync.stop()],
      ['stopTaking', () => this.coordinator.stopTaking()],
      [
        'drainShards',
        async () => {
          for (const shardId of this.running.keys()) this.supervisor.get(`shardConsumer:${shardId}`)?.send({ type: 'shardConsumer.shutdown' });
          await Promise.all([...this.running.values()].map((r) => r.done));
        },
      ],
      ['releaseLeases', () => this.coordinator.close()],
      ['actors', () => this.supervisor.stopAll()],
      ['metrics', () => clearInterval(this.metricsTimer)],
      ['clients', () => this.owned.forEach((c) => c.destroy())],
    ];
    for (const [step, run] of steps) {
      try {
        await run();
      } catch (error) {
        this.logger.error({ err: error, step }, 'consumer.closeStepFailed');
      }
    }
    this.logger.info('consumer.closed');
  }

  /** Shards this worker holds leases for. */
  heldShards(): string[] {
    return this.coordinator.heldLeases().map((l) => l.leaseKey);
  }

  metrics(): ConsumerMetrics {
    const m = this.metricsRecorder.values;
    m.KinesisRecordsRead = this.counts.kinesisRecords;
    m.InvalidAggregates = this.counts.invalidAggregates;
    m.BadEnvelopes = this.counts.badEnvelopes;
    m.OversizedAggregates = this.counts.oversizedAggregates;
    m.AggregatesOutsideShard = this.counts.aggregatesOutsideShard;
    m.UserRecordsOutsideShard = this.counts.userRecordsOutsideShard;
    m.LeasesHeld = this.coordinator.heldLeases().length;
    return this.metricsRecorder.snapshot();
  }

  on<K extends keyof ConsumerEvents>(event: K, listener: (payload: ConsumerEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }
}

/**
 * Creates a consumer worker. Options are validated here; a bad one throws an
 * `InvalidOptionError` naming it. Call `start()`, and `close()` on SIGTERM.
 *
 * @example
 * const consumer = createConsumer({
 *   streamName: 'clicks', applicationName: 'click-counter',
 *   async handler(records) { for (const r of records) count(JSON.parse(r.data.toString())); },
 * });
 * await consumer.start();
 * process.once('SIGTERM', () => consumer.close());
 */
export function createConsumer(options: ConsumerOptions): Consumer {
  return new Consumer(options);
}
