import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock, type Clock } from '../internal/clock.ts';
import { defaultLogger, type Logger } from '../internal/logger.ts';
import { createDynamoDbClient, createKinesisClient } from '../aws/clients.ts';
import { ConsumerInstrumentation } from './consumer-instrumentation.ts';
import type { ConsumerEvents } from './events.ts';
import { followLeases } from './follow-leases.ts';
import { DynamoDbLeaseStore } from '../leases/dynamodb-lease-store.ts';
import { LeaseCoordinator } from '../leases/lease-coordinator.ts';
import type { LeaseStore } from '../leases/lease-store.ts';
import type { ConsumerMetrics } from './metrics.ts';
import { resolveConsumerOptions, type ConsumerOptions, type ResolvedConsumerOptions } from './options.ts';
import { PeriodicShardSync } from './periodic-shard-sync.ts';
import { ShardConsumerFactory } from './shard-consumer-factory.ts';
import { ShardConsumers } from './shard-consumers.ts';
import { ConsumerInitializationError, initialize } from './initialization.ts';
import { fatalInitializationError } from './initialization-failures.ts';
import type { KinesisApi } from '../kinesis/kinesis-api.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';
import { serviceEndpoint } from '../aws/endpoints.ts';
import { requireDynamoDbEndpoint } from '../aws/wrong-endpoint.ts';
import { FanOutRetrieval } from './fan-out-retrieval.ts';

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
  private readonly instrumentation: ConsumerInstrumentation;
  private readonly fanOut: FanOutRetrieval | undefined;
  private readonly shardSync: PeriodicShardSync;
  private readonly shardConsumers: ShardConsumers;
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
    if (o.retrieval.type === 'fanOut') {
      this.fanOut = new FanOutRetrieval(o.retrieval, o.kinesis ? { like: o.kinesis } : { connection: o.connection });
      this.owned.push(this.fanOut);
    }
    this.kinesis = new SdkKinesisApi(this.kinesisClient, this.fanOut?.client);
    this.dynamodb = o.dynamodb ?? this.own(createDynamoDbClient(o.dynamoDbConnection));
    this.store = new DynamoDbLeaseStore(this.dynamodb, o.leaseTableName, { clock: this.clock });
    this.coordinator = new LeaseCoordinator(this.store, {
      workerIdentifier: o.workerIdentifier,
      failoverTimeMillis: o.failoverTimeMillis,
      renewIntervalMs: o.renewIntervalMs,
      takerIntervalMs: o.takerIntervalMs,
      maxLeasesForWorker: o.maxLeasesForWorker === Number.MAX_SAFE_INTEGER ? Infinity : o.maxLeasesForWorker,
      maxLeasesToStealAtOneTime: o.maxLeasesToStealAtOneTime,
      gracefulLeaseHandoffTimeoutMillis: o.gracefulLeaseHandoffTimeoutMillis,
      scannersPerSegment: o.scannersPerSegment,
      throughputImbalanceThreshold: o.throughputImbalanceThreshold,
      leaseMoveCooldownRounds: o.leaseMoveCooldownRounds,
      clock: this.clock,
      logger: this.logger,
    });
    this.instrumentation = new ConsumerInstrumentation(o.handler !== undefined, o.retrieval.type, {
      applicationName: o.applicationName,
      streamName: o.streamName,
      workerIdentifier: o.workerIdentifier,
    });
    this.shardSync = new PeriodicShardSync(
      this.kinesis,
      this.store,
      o,
      this.clock,
      this.logger,
      (ms, succeeded) => this.instrumentation.shardSyncRound(ms, succeeded),
      (period) => this.coordinator.isFleetTurn('shardSync', period),
    );
    this.shardConsumers = new ShardConsumers({
      factory: new ShardConsumerFactory(o, options, this.kinesis, this.clock, this.logger, this.instrumentation, this.fanOut),
      leases: this.coordinator,
      shardSync: this.shardSync,
      instrumentation: this.instrumentation,
      clock: this.clock,
      logger: this.logger,
      failoverTimeMillis: o.failoverTimeMillis,
    });
    followLeases(this.coordinator, this.shardConsumers, this.instrumentation);
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
   * closed. A `close()` called before the worker is initialized ends the initialization, and
   * `start()` then resolves without starting it. Idempotent: every call returns the same promise.
   */
  start(): Promise<void> {
    this.starting ??= (async () => {
      this.initializing = this.initialize();
      try {
        await this.initializing;
      } catch (error) {
        // Closed by its owner before it was initialized (a SIGTERM, or a handler that closes once
        // it read what it wanted, while the first taker round still ran): not a failure.
        if (this.closing !== undefined && this.initialization.signal.aborted && error instanceof ConsumerInitializationError) {
          this.logger.info({ step: error.step }, 'consumer.closedWhileStarting');
          return;
        }
        this.logger.error({ err: error }, 'consumer.startFailed');
        await this.close();
        throw error;
      }
      this.shardSync.start();
      this.instrumentation.startReporting(this.options.metricsIntervalMs, () => this.metrics());
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
        ['shardSync', () => this.shardSync.syncShardsOrThrow()],
        ...(this.fanOut ? [['streamConsumer', () => this.fanOut!.register(this.kinesis, o.stream, this.clock, this.logger, this.initialization.signal)] as const] : []),
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
    this.shardConsumers.stopStarting();
    this.logger.info({ shards: this.shardConsumers.shardIds() }, 'consumer.closing');
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
      ['drainShards', () => this.shardConsumers.drain()],
      ['releaseLeases', () => this.coordinator.close()],
      ['actors', () => this.shardConsumers.stopAll()],
      ['metrics', () => this.instrumentation.stopReporting()],
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

  /** The worker's identifier: the lease owner it writes in the lease table. */
  get workerIdentifier(): string {
    return this.options.workerIdentifier;
  }

  /** Shards this worker holds leases for. */
  heldShards(): string[] {
    return this.coordinator.heldLeases().map((l) => l.leaseKey);
  }

  metrics(): ConsumerMetrics {
    return this.instrumentation.metrics(this.coordinator.heldLeases().length);
  }

  on<K extends keyof ConsumerEvents>(event: K, listener: (payload: ConsumerEvents[K]) => void): () => void {
    return this.instrumentation.on(event, listener);
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
