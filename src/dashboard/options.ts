import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Consumer } from '../consumer/consumer.ts';
import { InvalidOptionError } from '../errors.ts';
import { resolveLogger, type Logger, type LoggerOption } from '../internal/logger.ts';
import { boolean, integer, positiveInteger } from '../options/validate.ts';
import type { Producer } from '../producer/producer.ts';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The stream to follow. */
  streamName: string;
  /** The consumer application: its lease table is named after it. */
  applicationName: string;
  /** The lease table, when the consumers were given another name. @defaultValue `applicationName` */
  leaseTableName?: string | undefined;
  /** Client of the stream's Kinesis. @defaultValue a client of the default AWS configuration, closed with the dashboard */
  kinesis?: KinesisClient | undefined;
  /** Client of the lease table's DynamoDB. @defaultValue a client of the default AWS configuration, closed with the dashboard */
  dynamodb?: DynamoDBClient | undefined;
  /** Consumers of the application running in this process: their metrics and lease events. @defaultValue none */
  consumers?: Consumer | readonly Consumer[] | undefined;
  /** A producer of the stream running in this process. @defaultValue none */
  producer?: Producer | undefined;
  /** Port to listen on; 0 picks a free one. @defaultValue 0 */
  port?: number | undefined;
  /** Address to listen on. @defaultValue `'127.0.0.1'` */
  host?: string | undefined;
  /** How often the sources are read and the page updated. @defaultValue 1000 */
  intervalMs?: number | undefined;
  /** How far back the page shows lease moves. @defaultValue 600000 (10 minutes) */
  historyMs?: number | undefined;
  /** Read each open shard's tip from LATEST to measure the write rate (see the README for the cost). @defaultValue true */
  readTip?: boolean | undefined;
  /** How often the shards are listed (ListShards). @defaultValue 10000 */
  listShardsIntervalMs?: number | undefined;
  /** How often each checkpoint's lag is measured on the stream (one GetShardIterator and one GetRecords per shard). @defaultValue 10000 */
  lagIntervalMs?: number | undefined;
  /** @defaultValue warnings and errors on stderr */
  logger?: LoggerOption | undefined;
}

/** @internal */
export interface ResolvedDashboardOptions {
  streamName: string;
  applicationName: string;
  leaseTableName: string;
  kinesis: KinesisClient | undefined;
  dynamodb: DynamoDBClient | undefined;
  consumers: readonly Consumer[];
  producer: Producer | undefined;
  port: number;
  host: string;
  intervalMs: number;
  historyMs: number;
  readTip: boolean;
  listShardsIntervalMs: number;
  lagIntervalMs: number;
  logger: Logger | undefined;
}

function name(field: string, value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new InvalidOptionError(field, 'must be a non-empty string', value);
}

/** A DynamoDB table name, checked here so that a bad one fails before anything is opened. */
function tableName(field: string, value: unknown): string {
  if (typeof value === 'string' && /^[a-zA-Z0-9_.-]{3,255}$/.test(value)) return value;
  throw new InvalidOptionError(field, 'must be 3–255 characters of a-z, A-Z, 0-9, _ . - (it names the lease table)', value);
}

/** Checks the options once; a bad one throws an `InvalidOptionError` naming it. @internal */
export function resolveDashboardOptions(options: DashboardOptions): ResolvedDashboardOptions {
  const applicationName = name('applicationName', options.applicationName);
  const consumers = options.consumers === undefined ? [] : Array.isArray(options.consumers) ? options.consumers : [options.consumers as Consumer];
  consumers.forEach((c, i) => {
    if (typeof c?.metrics !== 'function' || typeof c.on !== 'function') throw new InvalidOptionError(`consumers[${i}]`, 'must be a Consumer from createConsumer()', c);
  });
  if (options.producer !== undefined && typeof options.producer?.metrics !== 'function') {
    throw new InvalidOptionError('producer', 'must be a Producer from createProducer()', options.producer);
  }
  return {
    streamName: name('streamName', options.streamName),
    applicationName,
    leaseTableName: tableName(options.leaseTableName === undefined ? 'applicationName' : 'leaseTableName', options.leaseTableName ?? applicationName),
    kinesis: options.kinesis,
    dynamodb: options.dynamodb,
    consumers,
    producer: options.producer,
    port: integer('port', options.port ?? 0, 0, 65535),
    host: name('host', options.host ?? '127.0.0.1'),
    intervalMs: integer('intervalMs', options.intervalMs ?? 1000, 100),
    historyMs: positiveInteger('historyMs', options.historyMs ?? 600_000),
    readTip: boolean('readTip', options.readTip ?? true),
    listShardsIntervalMs: integer('listShardsIntervalMs', options.listShardsIntervalMs ?? 10_000, 0),
    lagIntervalMs: integer('lagIntervalMs', options.lagIntervalMs ?? 10_000, 0),
    logger: resolveLogger(options.logger),
  };
}
