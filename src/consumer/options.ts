import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionError } from '../errors.ts';
import { resolveLogger, type Logger, type LoggerOption } from '../logger.ts';
import type { Clock } from '../clock.ts';
import { dynamoDbConnectionOf, resolveAwsConnection, type AwsConnection } from '../aws/connection.ts';
import { DEFAULT_MAX_INFLATED_BYTES } from '../codec/envelope.ts';
import type { InitialPosition, RecordProcessorFactory } from './processor.ts';
import type { BatchHandler } from './handler-processor.ts';
import type { ErrorHandlingOptions } from './error-handling/options.ts';

/**
 * Options of {@link createConsumer}. Lease timing follows the KCL's names; defaults are tuned
 * for fast hand-off (see each field).
 */
export interface ConsumerOptions {
  /** Stream to read. Required. */
  streamName: string;
  /** Names the lease table (one per application and stream, as the KCL does). Required. */
  applicationName: string;
  /** This worker's id in the lease table. @defaultValue `${hostname}-${random}` */
  workerId?: string | undefined;
  /** A record processor per shard, in the KCL's shape. Give this or `handler`. */
  processor?: RecordProcessorFactory | undefined;
  /** An async batch handler; records are checkpointed after it succeeds. Give this or `processor`. */
  handler?: BatchHandler | undefined;
  /** Lambda-style retries, bisect, record age, on-failure destination (with `handler`). */
  errorHandling?: ErrorHandlingOptions | undefined;
  /** Where a new lease starts. @defaultValue 'LATEST' (as the KCL) */
  initialPosition?: InitialPosition | undefined;
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
  /** A lease not renewed for this long is expired and may be taken. @defaultValue 10000 */
  failoverTimeMillis?: number | undefined;
  /** How often leases are renewed. @defaultValue failoverTimeMillis / 3 */
  renewIntervalMillis?: number | undefined;
  /**
   * How often the worker looks for leases to take; released leases move within one interval.
   * @defaultValue failoverTimeMillis / 10 (1000; the KCL: 20,050)
   */
  takerIntervalMillis?: number | undefined;
  /** Most leases this worker holds. @defaultValue unlimited */
  maxLeasesForWorker?: number | undefined;
  /** Most leases stolen in one taker round. @defaultValue 2 (the KCL: 1) */
  maxLeasesToStealAtOneTime?: number | undefined;
  /**
   * How long a lease in another worker's KCL 3.x graceful hand-off (`checkpointOwner` set) is
   * left alone before this worker may take it anyway; 0 takes it like any other lease.
   * @defaultValue 30000 (as the KCL 3.x)
   */
  gracefulLeaseHandoffTimeoutMillis?: number | undefined;
  /** How often shards are listed to create leases for new ones. @defaultValue 60000 */
  shardSyncIntervalMillis?: number | undefined;
  /** How often a child shard checks whether its parents have ended. @defaultValue 1000 (the KCL: 10,000) */
  parentShardPollIntervalMillis?: number | undefined;
  /** Kinesis records per GetRecords call, 1–10000. @defaultValue 1000 */
  maxRecords?: number | undefined;
  /** Wait after an empty GetRecords result. @defaultValue 500 */
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
  /** Interval of `consumer.metrics` events, ms; 0 turns them off. @defaultValue 1000 */
  metricsInterval?: number | undefined;
  /**
   * Failed tries of the initialization `start()` makes (lease table, first shard sync, first
   * taker round; a step that succeeded is not run again) before it rejects with
   * `INITIALIZATION_FAILED`.
   * @defaultValue 20 (the KCL's maxInitializationAttempts)
   */
  maxInitializationAttempts?: number | undefined;
  /**
   * Longest wait between initialization tries, ms; waits grow from 100 ms to this, with jitter.
   * @defaultValue 1000 (the KCL's schedulerInitializationBackoffTimeMillis, there fixed)
   */
  initializationBackoffMillis?: number | undefined;
  /** A pino logger, or a console-like object such as `console` (adapted: its methods get the message, then the context; debug and below left out); silent when absent. Anything else throws `InvalidOptionError`. */
  logger?: LoggerOption | undefined;
  clock?: Clock | undefined;
}

/** Options after defaults and validation; frozen. */
export interface ResolvedConsumerOptions extends Readonly<Omit<Required<ConsumerOptions>, 'processor' | 'handler' | 'kinesis' | 'dynamodb' | 'connection' | 'dynamoDbConnection' | 'logger' | 'clock' | 'errorHandling' | 'maxLeasesForWorker'>> {
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

export const consumerDefaults = Object.freeze({
  initialPosition: 'LATEST' as InitialPosition,
  failoverTimeMillis: 10_000,
  maxLeasesToStealAtOneTime: 2,
  gracefulLeaseHandoffTimeoutMillis: 30_000,
  shardSyncIntervalMillis: 60_000,
  parentShardPollIntervalMillis: 1_000,
  maxRecords: 1_000,
  idleTimeBetweenReadsMillis: 500,
  maxInflatedBytes: DEFAULT_MAX_INFLATED_BYTES,
  maxUserRecordsPerAggregate: 200_000,
  maxUserRecordsPerBatch: 10_000,
  maxInflatedBytesPerBatch: DEFAULT_MAX_INFLATED_BYTES,
  metricsInterval: 1_000,
  maxInitializationAttempts: 20,
  initializationBackoffMillis: 1_000,
});

type IntegerField =
  | 'failoverTimeMillis'
  | 'renewIntervalMillis'
  | 'takerIntervalMillis'
  | 'maxLeasesForWorker'
  | 'maxLeasesToStealAtOneTime'
  | 'gracefulLeaseHandoffTimeoutMillis'
  | 'shardSyncIntervalMillis'
  | 'parentShardPollIntervalMillis'
  | 'maxRecords'
  | 'idleTimeBetweenReadsMillis'
  | 'maxInflatedBytes'
  | 'maxUserRecordsPerAggregate'
  | 'maxUserRecordsPerBatch'
  | 'maxInflatedBytesPerBatch'
  | 'metricsInterval'
  | 'maxInitializationAttempts'
  | 'initializationBackoffMillis';

function integer(options: ConsumerOptions, field: IntegerField, fallback: number, min: number, max: number): number {
  const value = options[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(field, `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

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
  if (options.processor !== undefined && typeof options.processor !== 'function') {
    throw new InvalidOptionError('processor', 'must be a function that creates a record processor for a shard id', options.processor);
  }
  if (options.errorHandling !== undefined && options.handler === undefined) {
    throw new InvalidOptionError('errorHandling', 'applies to options.handler; a processor handles its own errors', 'given with options.processor');
  }
  if (options.handler !== undefined && typeof options.handler !== 'function') {
    throw new InvalidOptionError('handler', 'must be an async function of a batch of records', options.handler);
  }
  const initialPosition = options.initialPosition ?? consumerDefaults.initialPosition;
  if (
    initialPosition !== 'LATEST' &&
    initialPosition !== 'TRIM_HORIZON' &&
    !(typeof initialPosition === 'object' && initialPosition?.timestamp instanceof Date && !Number.isNaN(initialPosition.timestamp.getTime()))
  ) {
    throw new InvalidOptionError('initialPosition', "must be 'LATEST', 'TRIM_HORIZON' or { timestamp: Date }", initialPosition);
  }
  const workerId = options.workerId ?? `${hostname()}-${randomUUID().slice(0, 8)}`;
  if (typeof workerId !== 'string' || workerId.length === 0) throw new InvalidOptionError('workerId', 'must be a non-empty string', workerId);
  const failoverTimeMillis = integer(options, 'failoverTimeMillis', consumerDefaults.failoverTimeMillis, 100, 3_600_000);
  const renewIntervalMillis = integer(options, 'renewIntervalMillis', Math.max(25, Math.floor(failoverTimeMillis / 3)), 10, 3_600_000);
  if (renewIntervalMillis >= failoverTimeMillis) {
    throw new InvalidOptionError('renewIntervalMillis', `must be below options.failoverTimeMillis (${failoverTimeMillis}), or leases expire between renewals`, renewIntervalMillis);
  }
  const connection = resolveAwsConnection(options.connection, 'connection');
  const maxInflatedBytes = integer(options, 'maxInflatedBytes', consumerDefaults.maxInflatedBytes, 1024, 1024 * 1024 * 1024);
  const maxInflatedBytesPerBatch = integer(options, 'maxInflatedBytesPerBatch', Math.max(consumerDefaults.maxInflatedBytesPerBatch, maxInflatedBytes), 1024, 8 * 1024 * 1024 * 1024);
  if (maxInflatedBytesPerBatch < maxInflatedBytes) {
    throw new InvalidOptionError('maxInflatedBytesPerBatch', `must be at least options.maxInflatedBytes (${maxInflatedBytes}): an envelope is never split across batches`, maxInflatedBytesPerBatch);
  }
  return Object.freeze({
    streamName,
    applicationName,
    leaseTableName: applicationName,
    workerId,
    processor: options.processor,
    handler: options.handler,
    errorHandling: options.errorHandling ?? {},
    initialPosition,
    kinesis: options.kinesis,
    dynamodb: options.dynamodb,
    connection,
    dynamoDbConnection: dynamoDbConnectionOf(connection, resolveAwsConnection(options.dynamoDbConnection, 'dynamoDbConnection')),
    failoverTimeMillis,
    renewIntervalMillis,
    takerIntervalMillis: integer(options, 'takerIntervalMillis', Math.max(10, Math.floor(failoverTimeMillis / 10)), 10, 3_600_000),
    maxLeasesForWorker: integer(options, 'maxLeasesForWorker', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER),
    maxLeasesToStealAtOneTime: integer(options, 'maxLeasesToStealAtOneTime', consumerDefaults.maxLeasesToStealAtOneTime, 0, 1000),
    gracefulLeaseHandoffTimeoutMillis: integer(options, 'gracefulLeaseHandoffTimeoutMillis', consumerDefaults.gracefulLeaseHandoffTimeoutMillis, 0, 3_600_000),
    shardSyncIntervalMillis: integer(options, 'shardSyncIntervalMillis', consumerDefaults.shardSyncIntervalMillis, 100, 86_400_000),
    parentShardPollIntervalMillis: integer(options, 'parentShardPollIntervalMillis', consumerDefaults.parentShardPollIntervalMillis, 10, 3_600_000),
    maxRecords: integer(options, 'maxRecords', consumerDefaults.maxRecords, 1, 10_000),
    idleTimeBetweenReadsMillis: integer(options, 'idleTimeBetweenReadsMillis', consumerDefaults.idleTimeBetweenReadsMillis, 0, 3_600_000),
    maxInflatedBytes,
    maxUserRecordsPerAggregate: integer(options, 'maxUserRecordsPerAggregate', consumerDefaults.maxUserRecordsPerAggregate, 1, 0xffffffff),
    maxUserRecordsPerBatch: integer(options, 'maxUserRecordsPerBatch', consumerDefaults.maxUserRecordsPerBatch, 1, 10_000_000),
    maxInflatedBytesPerBatch,
    metricsInterval: integer(options, 'metricsInterval', consumerDefaults.metricsInterval, 0, 86_400_000),
    maxInitializationAttempts: integer(options, 'maxInitializationAttempts', consumerDefaults.maxInitializationAttempts, 1, 10_000),
    initializationBackoffMillis: integer(options, 'initializationBackoffMillis', consumerDefaults.initializationBackoffMillis, 1, 600_000),
    logger: resolveLogger(options.logger),
    clock: options.clock,
  });
}
