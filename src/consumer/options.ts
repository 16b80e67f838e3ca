import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionError } from '../errors.ts';
import { resolveLogger, type Logger, type LoggerOption } from '../internal/logger.ts';
import { givenOption, warnDeprecated } from '../options/renamed-option.ts';
import { integer, optionalFunction } from '../options/validate.ts';
import type { Clock } from '../internal/clock.ts';
import { dynamoDbConnectionOf, resolveAwsConnection, type AwsConnection } from '../aws/connection.ts';
import { DEFAULT_MAX_INFLATED_BYTES } from '../codec/envelope.ts';
import { isInitialPosition, type InitialPosition, type RecordProcessorFactory } from './processor.ts';
import type { BatchHandler } from './handler-processor.ts';
import type { ErrorHandlingOptions } from './error-handling/options.ts';
import { resolveLeaseScaleOptions, type LeaseBalanceOptions } from '../leases/lease-coordinator-options.ts';
import { resolveRetrieval, type ResolvedRetrieval, type RetrievalOption } from './retrieval.ts';
import { renamedConsumerOptions as renamed, type DeprecatedConsumerField } from '../options/renamed-options.ts';

/**
 * Options of {@link createConsumer}. A setting the KCL has goes by its name (camel-cased) and
 * unit; defaults are tuned for fast hand-off where they differ from the KCL's (see each field).
 * The framework's own durations end in `Ms`.
 */
export interface ConsumerOptions extends LeaseBalanceOptions {
  /** Stream to read. Required. */
  streamName: string;
  /** Names the lease table (one per application and stream, as the KCL does). Required. */
  applicationName: string;
  /** This worker's id in the lease table (`leaseOwner`); the KCL's `workerIdentifier`. @defaultValue `${hostname}-${random}` */
  workerIdentifier?: string | undefined;
  /** @deprecated Use `workerIdentifier` (the KCL's name); this name goes in the next release. */
  workerId?: string | undefined;
  /** A record processor per shard, in the KCL's shape. Give this or `handler`. */
  processor?: RecordProcessorFactory | undefined;
  /** An async batch handler; records are checkpointed after it succeeds. Give this or `processor`. */
  handler?: BatchHandler | undefined;
  /** Lambda-style retries, bisect, record age, on-failure destination (with `handler`). */
  errorHandling?: ErrorHandlingOptions | undefined;
  /**
   * Where a new lease starts: 'LATEST', 'TRIM_HORIZON' or `{ timestamp }` (AT_TIMESTAMP); the
   * KCL's `initialPositionInStreamExtended`. @defaultValue 'LATEST' (as the KCL)
   */
  initialPositionInStreamExtended?: InitialPosition | undefined;
  /** @deprecated Use `initialPositionInStreamExtended` (the KCL's name); this name goes in the next release. */
  initialPosition?: InitialPosition | undefined;
  /**
   * How shards are read: `'polling'` (GetRecords) or `{ fanOut: { consumerName?, consumerArn? } }`
   * (enhanced fan-out, SubscribeToShard on an HTTP/2 client of its own; the stream consumer is
   * registered unless an ARN is given). The KCL's `RetrievalConfig`. @defaultValue 'polling'
   */
  retrieval?: RetrievalOption | undefined;
  /** A ready Kinesis client; when absent one is built from `connection`. */
  kinesis?: KinesisClient | undefined;
  /** A ready DynamoDB client for the lease table; when absent one is built from `dynamoDbConnection`. */
  dynamodb?: DynamoDBClient | undefined;
  /**
   * Region, endpoint, credentials (static, or a provider), sockets and request timeout of the
   * clients built when they are not given. Its `endpoint` is Kinesis': DynamoDB never uses it.
   * @defaultValue the SDK's defaults (region, credential chain, `AWS_ENDPOINT_URL_KINESIS`, ...)
   */
  connection?: AwsConnection | undefined;
  /**
   * DynamoDB's connection (the lease table). Fields left out are taken from `connection`, except
   * `endpoint`: without one here, the SDK's `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL`,
   * else the region's AWS endpoint. `start()` fails with `WRONG_ENDPOINT` when Kinesis has an
   * endpoint outside AWS (an emulator) and DynamoDB has none.
   * @defaultValue `connection` without its endpoint
   */
  dynamoDbConnection?: AwsConnection | undefined;
  /** How often shards are listed to create leases for new ones. @defaultValue 60000 (as the KCL) */
  shardSyncIntervalMillis?: number | undefined;
  /**
   * How often a child shard checks whether its parents have ended; a child starts within one
   * interval of its parents' end instead of ten seconds. @defaultValue 1000 (the KCL: 10,000)
   */
  parentShardPollIntervalMillis?: number | undefined;
  /**
   * Kinesis records per GetRecords call, 1–10000. Smaller batches keep a handler's batch, its
   * retries and the records read again after a lease moves small. @defaultValue 1000 (the KCL: 10,000)
   */
  maxRecords?: number | undefined;
  /**
   * Wait after an empty GetRecords result, ms. The KCL waits this long between every two calls;
   * here a shard with records is read again at once (reads are spaced ≥ 200 ms, Kinesis' five
   * per second per shard), so the wait only paces idle shards. @defaultValue 500 (the KCL: 1500)
   */
  idleTimeBetweenReadsInMillis?: number | undefined;
  /** @deprecated Use `idleTimeBetweenReadsInMillis` (the KCL's name); this name goes in the next release. */
  idleTimeBetweenReadsMillis?: number | undefined;
  /** Largest inflated envelope accepted; larger ones are passed through raw and counted. @defaultValue 16 MiB */
  maxInflatedBytes?: number | undefined;
  /**
   * Most user records one aggregated record may hold (and most keys in one of its key tables);
   * an aggregate over it is passed through raw, as one record, and counted
   * (`OversizedAggregates`). An aggregate of the KPL or of the producer is at most 1 MiB, and a
   * user record takes at least 6 bytes of it, so only a hostile one goes past the default.
   * @defaultValue 200000
   */
  maxUserRecordsPerAggregate?: number | undefined;
  /**
   * Most user records handed to the handler or `processRecords` in one call: a read holding
   * more is split into several calls, one after the other, each decoded only once the one
   * before has returned (with `handler`, and checkpointed).
   * @defaultValue 10000 (Lambda's largest Kinesis batch size)
   */
  maxUserRecordsPerBatch?: number | undefined;
  /**
   * Most bytes inflated from envelopes that the records of one call hold: a read holding more is
   * split, as for `maxUserRecordsPerBatch`. At least `maxInflatedBytes`, since an envelope is
   * never split.
   * @defaultValue 16 MiB, or `maxInflatedBytes` when that is larger
   */
  maxInflatedBytesPerBatch?: number | undefined;
  /**
   * Interval of `consumer.metrics` events, ms; 0 turns them off. Not the KCL's
   * `metricsBufferTimeMillis`: nothing is buffered for CloudWatch. @defaultValue 1000
   */
  metricsIntervalMs?: number | undefined;
  /** @deprecated Use `metricsIntervalMs`; this name goes in the next release. */
  metricsInterval?: number | undefined;
  /**
   * Failed tries of the initialization `start()` makes (lease table, first shard sync, first
   * taker round; a step that succeeded is not run again) before it rejects with
   * `INITIALIZATION_FAILED`.
   * @defaultValue 20 (the KCL's maxInitializationAttempts)
   */
  maxInitializationAttempts?: number | undefined;
  /**
   * Longest wait between initialization tries, ms: waits grow from 100 ms to this, with jitter,
   * so a passing fault costs little. The KCL waits this long before every try.
   * @defaultValue 1000 (as the KCL)
   */
  schedulerInitializationBackoffTimeMillis?: number | undefined;
  /** A pino logger, or a console-like object such as `console` (adapted: its methods get the message, then the context; debug and below left out); when absent, warnings and errors go to stderr. Anything else throws `InvalidOptionError`. */
  logger?: LoggerOption | undefined;
  /** Time source; tests pass a simulated clock. @defaultValue the system clock */
  clock?: Clock | undefined;
}

/** Options after defaults and validation; frozen. */
export interface ResolvedConsumerOptions
  extends Readonly<Omit<Required<ConsumerOptions>, DeprecatedConsumerField | 'processor' | 'handler' | 'kinesis' | 'dynamodb' | 'connection' | 'dynamoDbConnection' | 'logger' | 'clock' | 'errorHandling' | 'maxLeasesForWorker' | 'retrieval'>> {
  readonly retrieval: ResolvedRetrieval;
  readonly processor: RecordProcessorFactory | undefined;
  readonly handler: BatchHandler | undefined;
  readonly errorHandling: ErrorHandlingOptions;
  readonly kinesis: KinesisClient | undefined;
  readonly dynamodb: DynamoDBClient | undefined;
  readonly connection: Readonly<AwsConnection> | undefined;
  /** With the fields `connection` supplies. */
  readonly dynamoDbConnection: Readonly<AwsConnection>;
  readonly logger: Logger | undefined;
  readonly clock: Clock | undefined;
  readonly maxLeasesForWorker: number;
  readonly leaseTableName: string;
}

/** Every default in one place (the lease intervals are fractions of the failover time). */
export const consumerDefaults = Object.freeze({
  initialPositionInStreamExtended: 'LATEST' as InitialPosition,
  failoverTimeMillis: 10_000,
  maxLeasesToStealAtOneTime: 2,
  gracefulLeaseHandoffTimeoutMillis: 30_000,
  shardSyncIntervalMillis: 60_000,
  parentShardPollIntervalMillis: 1_000,
  maxRecords: 1_000,
  idleTimeBetweenReadsInMillis: 500,
  maxInflatedBytes: DEFAULT_MAX_INFLATED_BYTES,
  maxUserRecordsPerAggregate: 200_000,
  maxUserRecordsPerBatch: 10_000,
  maxInflatedBytesPerBatch: DEFAULT_MAX_INFLATED_BYTES,
  metricsIntervalMs: 1_000,
  maxInitializationAttempts: 20,
  schedulerInitializationBackoffTimeMillis: 1_000,
});

type IntegerField = {
  [K in keyof ConsumerOptions]-?: Exclude<ConsumerOptions[K], undefined> extends number ? (K extends DeprecatedConsumerField ? never : K) : never;
}[keyof ConsumerOptions];

/** Applies defaults, checks every field and the rules between them, and freezes the result. */
export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object', options);
  const { streamName, applicationName } = options;
  if (typeof streamName !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(streamName)) {
    throw new InvalidOptionError('streamName', 'must be 1–128 characters of a-z, A-Z, 0-9, _ . -', streamName);
  }
  if (typeof applicationName !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(applicationName)) {
    throw new InvalidOptionError('applicationName', 'must be 3–255 characters of a-z, A-Z, 0-9, _ . - (it names the lease table)', applicationName);
  }
  if ((options.processor === undefined) === (options.handler === undefined)) {
    throw new InvalidOptionError('processor', 'or options.handler must be given, and not both', options.processor === undefined ? undefined : 'both');
  }
  optionalFunction('processor', options.processor, 'a function that creates a record processor for a shard id');
  if (options.errorHandling !== undefined && options.handler === undefined) {
    throw new InvalidOptionError('errorHandling', 'applies to options.handler; a processor handles its own errors', 'given with options.processor');
  }
  optionalFunction('handler', options.handler, 'an async function of a batch of records');
  const position = givenOption(options, renamed.initialPositionInStreamExtended);
  const initialPositionInStreamExtended = (position.value ?? consumerDefaults.initialPositionInStreamExtended) as InitialPosition;
  if (!isInitialPosition(initialPositionInStreamExtended)) {
    throw new InvalidOptionError(position.field, "must be 'LATEST', 'TRIM_HORIZON' or { timestamp: Date }", initialPositionInStreamExtended);
  }
  const worker = givenOption(options, renamed.workerIdentifier);
  const workerIdentifier = worker.value ?? `${hostname()}-${randomUUID().slice(0, 8)}`;
  if (typeof workerIdentifier !== 'string' || workerIdentifier.length === 0) throw new InvalidOptionError(worker.field, 'must be a non-empty string', workerIdentifier);
  const given = {
    idleTimeBetweenReadsInMillis: givenOption(options, renamed.idleTimeBetweenReadsInMillis),
    renewIntervalMs: givenOption(options, renamed.renewIntervalMs),
    takerIntervalMs: givenOption(options, renamed.takerIntervalMs),
    metricsIntervalMs: givenOption(options, renamed.metricsIntervalMs),
  };
  const int = (name: IntegerField, fallback: number, min: number, max: number): number => {
    const { field, value } = name in given ? given[name as keyof typeof given] : { field: name, value: options[name] };
    return integer(field, value ?? fallback, min, max);
  };
  const d = consumerDefaults;
  const failoverTimeMillis = int('failoverTimeMillis', d.failoverTimeMillis, 100, 3_600_000);
  const renewIntervalMs = int('renewIntervalMs', Math.max(25, Math.floor(failoverTimeMillis / 3)), 10, 3_600_000);
  if (renewIntervalMs >= failoverTimeMillis) {
    throw new InvalidOptionError(given.renewIntervalMs.field, `must be below options.failoverTimeMillis (${failoverTimeMillis}), or leases expire between renewals`, renewIntervalMs);
  }
  const connection = resolveAwsConnection(options.connection, 'connection');
  const logger = resolveLogger(options.logger);
  warnDeprecated(options.logger, logger, [worker, position, ...Object.values(given)]);
  const maxInflatedBytes = int('maxInflatedBytes', d.maxInflatedBytes, 1024, 1024 * 1024 * 1024);
  const maxInflatedBytesPerBatch = int('maxInflatedBytesPerBatch', Math.max(d.maxInflatedBytesPerBatch, maxInflatedBytes), 1024, 8 * 1024 * 1024 * 1024);
  if (maxInflatedBytesPerBatch < maxInflatedBytes) {
    throw new InvalidOptionError('maxInflatedBytesPerBatch', `must be at least options.maxInflatedBytes (${maxInflatedBytes}): an envelope is never split across batches`, maxInflatedBytesPerBatch);
  }
  return Object.freeze({
    streamName,
    applicationName,
    leaseTableName: applicationName,
    workerIdentifier,
    processor: options.processor,
    handler: options.handler,
    errorHandling: options.errorHandling ?? {},
    initialPositionInStreamExtended,
    retrieval: resolveRetrieval(options.retrieval, { applicationName, streamName }),
    kinesis: options.kinesis,
    dynamodb: options.dynamodb,
    connection,
    dynamoDbConnection: dynamoDbConnectionOf(connection, resolveAwsConnection(options.dynamoDbConnection, 'dynamoDbConnection')),
    failoverTimeMillis,
    renewIntervalMs,
    takerIntervalMs: int('takerIntervalMs', Math.max(10, Math.floor(failoverTimeMillis / 10)), 10, 3_600_000),
    maxLeasesForWorker: int('maxLeasesForWorker', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER),
    maxLeasesToStealAtOneTime: int('maxLeasesToStealAtOneTime', d.maxLeasesToStealAtOneTime, 0, 1000),
    gracefulLeaseHandoffTimeoutMillis: int('gracefulLeaseHandoffTimeoutMillis', d.gracefulLeaseHandoffTimeoutMillis, 0, 3_600_000),
    ...resolveLeaseScaleOptions(options),
    shardSyncIntervalMillis: int('shardSyncIntervalMillis', d.shardSyncIntervalMillis, 100, 86_400_000),
    parentShardPollIntervalMillis: int('parentShardPollIntervalMillis', d.parentShardPollIntervalMillis, 10, 3_600_000),
    maxRecords: int('maxRecords', d.maxRecords, 1, 10_000),
    idleTimeBetweenReadsInMillis: int('idleTimeBetweenReadsInMillis', d.idleTimeBetweenReadsInMillis, 0, 3_600_000),
    maxInflatedBytes,
    maxUserRecordsPerAggregate: int('maxUserRecordsPerAggregate', d.maxUserRecordsPerAggregate, 1, 0xffffffff),
    maxUserRecordsPerBatch: int('maxUserRecordsPerBatch', d.maxUserRecordsPerBatch, 1, 10_000_000),
    maxInflatedBytesPerBatch,
    metricsIntervalMs: int('metricsIntervalMs', d.metricsIntervalMs, 0, 86_400_000),
    maxInitializationAttempts: int('maxInitializationAttempts', d.maxInitializationAttempts, 1, 10_000),
    schedulerInitializationBackoffTimeMillis: int('schedulerInitializationBackoffTimeMillis', d.schedulerInitializationBackoffTimeMillis, 1, 600_000),
    logger,
    clock: options.clock,
  });
}
