import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { InvalidOptionError } from '../errors.ts';
import { resolveLogger, type Logger, type LoggerOption } from '../internal/logger.ts';
import { connectionLimits, resolveAwsConnection, type AwsConnection } from '../aws/connection.ts';
import { givenOption, warnDeprecated } from '../options/renamed-option.ts';
import { renamedProducerOptions as renamed, type DeprecatedProducerField } from '../options/renamed-options.ts';
import { boolean, integer, oneOf, optionalFunction } from '../options/validate.ts';
import type { CompressionCodec } from '../codec/envelope.ts';
import type { Clock } from '../internal/clock.ts';
import { resolveStream, type ResolvedStream } from '../kinesis/stream-identity.ts';
import { serializeJson } from './json-serializer.ts';
import { DEFAULT_STREAM_RECORD_SIZE, MAX_STREAM_RECORD_SIZE } from './record-limit.ts';

/**
 * Turns a value given to `put()` into the data of one user record: text (well-formed Unicode,
 * stored as UTF-8), or bytes (an ArrayBuffer, or any view of one: Buffer, typed array, DataView).
 * It may throw to refuse a value; that, or any other result, makes `put()` reject with
 * `SERIALIZATION_FAILED`.
 */
export type Serializer = (value: unknown) => string | ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

/** What `put()` does when the outstanding-records or outstanding-bytes limit is reached. */
export type BackpressureMode = 'wait' | 'reject';

/**
 * Options of {@link createProducer}. A setting the KPL has goes by its name (camel-cased), unit
 * and default; the rest are this framework's additions, whose durations end in `Ms`.
 */
export interface ProducerOptions {
  /** Stream to put records into, by name. Give it or `streamArn`. */
  streamName?: string | undefined;
  /**
   * Stream to put records into, by ARN (`arn:<partition>:kinesis:<region>:<account>:stream/<name>`):
   * every Kinesis call then names it by `StreamARN`, which a stream of another account shared
   * through a resource policy requires. Give it or `streamName`.
   */
  streamArn?: string | undefined;
  /** A ready Kinesis client; when absent one is built from `connection`. */
  kinesis?: KinesisClient | undefined;
  /**
   * Region, endpoint, credentials (static, or a provider), sockets and request timeout of the
   * client built when `kinesis` is absent.
   * @defaultValue the SDK's defaults (region, credential chain, `AWS_ENDPOINT_URL_KINESIS`, ...)
   */
  connection?: AwsConnection | undefined;
  /** Pack user records bound for one shard into KPL aggregated records. @defaultValue true */
  aggregationEnabled?: boolean | undefined;
  /** User records per aggregated record, 1–4294967295. @defaultValue 4294967295 */
  aggregationMaxCount?: number | undefined;
  /**
   * Bytes per aggregated record (before compression), 64–1048576. An aggregate also stays within
   * `maxUserRecordSize` together with its outer partition key. @defaultValue 51200
   */
  aggregationMaxSize?: number | undefined;
  /** Kinesis records per PutRecords request, 1–500. @defaultValue 500 */
  collectionMaxCount?: number | undefined;
  /**
   * Bytes per PutRecords request, 52224–9223372036854775807 (capped at 10 MiB, the request limit
   * of Kinesis). A single Kinesis record larger than this goes in a request of its own.
   * @defaultValue 5242880 (as the KPL)
   */
  collectionMaxSize?: number | undefined;
  /** Longest time a user record waits in a buffer before it is sent, 0–9223372036854775807 ms. @defaultValue 100 */
  recordMaxBufferedTime?: number | undefined;
  /**
   * Time a user record may spend being retried before it fails as expired, 100–9223372036854775807
   * ms. It counts from when the record enters its shard buffer: a wait in the backpressure line
   * is bounded by `maxBackpressureWaitMs` instead. @defaultValue 30000
   */
  recordTtl?: number | undefined;
  /** Per-shard send rate as a percentage of the shard write limits (1 MiB/s, 1000 records/s), 1–9223372036854775807. @defaultValue 150 */
  rateLimit?: number | undefined;
  /** Fail throttled records at once instead of retrying them. @defaultValue false */
  failIfThrottled?: boolean | undefined;
  /**
   * Keep each partition key's records in put order through retries: while a shard has records
   * waiting for a retry nothing newer of it is sent, and a record written after a failed record
   * of its key in the same request is sent again with the retry (see the README, "Order per
   * partition key"). `false` lets newer records go out while failed ones wait out their backoff
   * and re-sends only the failed entries: more throughput under heavy throttling, fewer
   * duplicates, and a retried record may land after newer records of its key.
   * @defaultValue true
   */
  preserveOrder?: boolean | undefined;
  /**
   * Sockets to Kinesis when the producer builds its client, 1–256; the same setting as
   * `connection.maxConnections` (the KPL's name): give either, or both with one value.
   * @defaultValue 24
   */
  maxConnections?: number | undefined;
  /**
   * Milliseconds before a PutRecords request is abandoned and retried, 100–600000; the same
   * setting as `connection.requestTimeout` (the KPL's name): give either, or both with one value.
   * @defaultValue 6000
   */
  requestTimeout?: number | undefined;
  /**
   * The largest user record, in bytes, 1–10485760 (the KPL's `maxUserRecordSize`). The producer
   * learns the stream's own limit at start (DescribeStreamSummary's `MaxRecordSizeInKiB` × 1024;
   * 1 MiB when the stream does not say, as on streams never raised and on emulators) and never
   * goes above it: when this option is absent the stream's limit applies, when given the smaller
   * of the two. A user record whose data plus partition key is larger is refused with
   * `RECORD_TOO_LARGE` naming its size and the limit (the KPL counts the data only; Kinesis
   * counts both), and no aggregated record or compressed envelope sent is larger. Records put
   * before the limit is learned are checked again then, before any is sent.
   * @defaultValue the stream's limit (1048576 unless the stream was created or updated with a larger `MaxRecordSizeInKiB`)
   */
  maxUserRecordSize?: number | undefined;
  /** @deprecated Use `maxUserRecordSize` (the KPL's name); this name goes in the next release. */
  maxRecordSize?: number | undefined;
  /**
   * Compression of aggregated records. 'none' writes plain KPL records, which every Kinesis reader
   * de-aggregates (KCL, Lambda, Firehose, aws-kinesis-agg). 'deflate' wraps them in the
   * framework's envelope, about 6× fewer bytes per JSON event and so more events per shard under
   * its 1 MiB/s write limit, but only this framework's readers can open it: turn it on only when
   * every reader of the stream uses this framework. @defaultValue 'none'
   */
  compression?: CompressionCodec | undefined;
  /** Deflate level, 0–9. @defaultValue 1 */
  compressionLevel?: number | undefined;
  /**
   * Worker threads that encode and compress batches, 1–64. Not the KPL's `threadPoolSize`,
   * which sizes the native daemon's request threads. @defaultValue 1
   */
  workerThreads?: number | undefined;
  /** User records accepted but without a final result, beyond which `put()` waits or rejects. @defaultValue 100000 */
  maxOutstandingRecords?: number | undefined;
  /** Bytes of user records accepted but without a final result, beyond which `put()` waits or rejects. @defaultValue 67108864 */
  maxOutstandingBytes?: number | undefined;
  /** What `put()` does when a limit is reached. @defaultValue 'wait' */
  backpressure?: BackpressureMode | undefined;
  /**
   * Bytes of user records waiting for room in 'wait' mode (the line also holds at most
   * `maxOutstandingRecords` puts), 0–9223372036854775807; a put that would go beyond is rejected
   * with `BACKPRESSURE`. @defaultValue 8388608
   */
  maxWaitingBytes?: number | undefined;
  /**
   * Longest time a put waits in line for room in 'wait' mode, 1–9223372036854775807 ms; then it
   * is rejected with `BACKPRESSURE`. @defaultValue 30000
   */
  maxBackpressureWaitMs?: number | undefined;
  /** @deprecated Use `maxBackpressureWaitMs`; this name goes in the next release. */
  maxBackpressureWait?: number | undefined;
  /**
   * Serializer for values that are not bytes (an ArrayBuffer, a Buffer, a typed array, a DataView).
   * The default is JSON that refuses what `JSON.stringify` would change or drop silently (NaN, a
   * Map, a function...); pass `JSON.stringify` itself to write those as it does.
   * @defaultValue `JSON.stringify`, checked
   */
  serializer?: Serializer | undefined;
  /**
   * First retry delay of a failed record, 1–9223372036854775807 ms; doubles per attempt with full
   * jitter. The KPL has no backoff. @defaultValue 100
   */
  retryBaseDelayMs?: number | undefined;
  /** @deprecated Use `retryBaseDelayMs`; this name goes in the next release. */
  retryBaseDelay?: number | undefined;
  /** Largest retry delay, from `retryBaseDelayMs` to 9223372036854775807 ms. @defaultValue 5000 */
  retryMaxDelayMs?: number | undefined;
  /** @deprecated Use `retryMaxDelayMs`; this name goes in the next release. */
  retryMaxDelay?: number | undefined;
  /**
   * Interval of `producer.metrics` instrumentation events, ms; 0 turns them off. Not the KPL's
   * `metricsUploadDelay` (its CloudWatch uploads, a testing knob). @defaultValue 1000
   */
  metricsIntervalMs?: number | undefined;
  /** @deprecated Use `metricsIntervalMs`; this name goes in the next release. */
  metricsInterval?: number | undefined;
  /** A pino logger, or a console-like object such as `console` (adapted: its methods get the message, then the context; debug and below left out); when absent, warnings and errors go to stderr. Anything else throws `InvalidOptionError`. */
  logger?: LoggerOption | undefined;
  /** Time source; tests pass a simulated clock. */
  clock?: Clock | undefined;
}

/** Options after defaults and validation; frozen. */
export type ResolvedProducerOptions = Readonly<
  Required<Omit<ProducerOptions, 'streamArn' | 'maxUserRecordSize' | 'kinesis' | 'connection' | 'logger' | 'clock' | DeprecatedProducerField>> &
    Pick<ProducerOptions, 'kinesis' | 'connection' | 'clock'> & { logger: Logger | undefined } & ResolvedStream & {
      /** As given; undefined to follow the stream's limit (see {@link RecordLimit}). */
      maxUserRecordSize: number | undefined;
    }
>;

const MAX_LONG = Number.MAX_SAFE_INTEGER;

/** Every default in one place. */
export const producerDefaults = Object.freeze({
  aggregationEnabled: true,
  aggregationMaxCount: 4294967295,
  aggregationMaxSize: 51200,
  collectionMaxCount: 500,
  collectionMaxSize: 5242880,
  recordMaxBufferedTime: 100,
  recordTtl: 30000,
  rateLimit: 150,
  failIfThrottled: false,
  preserveOrder: true,
  maxConnections: 24,
  requestTimeout: 6000,
  compression: 'none' as CompressionCodec,
  compressionLevel: 1,
  workerThreads: 1,
  maxOutstandingRecords: 100_000,
  maxOutstandingBytes: 64 * 1024 * 1024,
  backpressure: 'wait' as BackpressureMode,
  maxWaitingBytes: 8 * 1024 * 1024,
  maxBackpressureWaitMs: 30000,
  serializer: serializeJson as Serializer,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 5000,
  metricsIntervalMs: 1000,
});

type IntegerField = { [K in keyof typeof producerDefaults]: (typeof producerDefaults)[K] extends number ? K : never }[keyof typeof producerDefaults];

/** A setting the producer takes under its KPL name and inside `connection`: one value, wherever it is given. */
function connectionSetting(options: ProducerOptions, name: 'maxConnections' | 'requestTimeout'): number {
  const inConnection = options.connection?.[name];
  if (inConnection !== undefined && options[name] !== undefined && inConnection !== options[name]) {
    throw new InvalidOptionError(name, `and options.connection.${name} (${String(inConnection)}) are the same setting: give one value`, options[name]);
  }
  const [min, max] = connectionLimits[name];
  return integer(name, options[name] ?? inConnection ?? producerDefaults[name], min, max);
}

/**
 * Applies defaults, checks every field and the rules between fields, and freezes the result.
 * Throws {@link InvalidOptionError} naming the first bad field.
 */
export function resolveProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object', options);
  const stream = resolveStream(options);
  const serializer = optionalFunction('serializer', options.serializer) ?? producerDefaults.serializer;
  const connection = resolveAwsConnection(options.connection, 'connection');
  const maxConnections = connectionSetting(options, 'maxConnections');
  const requestTimeout = connectionSetting(options, 'requestTimeout');
  const given = {
    maxUserRecordSize: givenOption(options, renamed.maxUserRecordSize),
    maxBackpressureWaitMs: givenOption(options, renamed.maxBackpressureWaitMs),
    retryBaseDelayMs: givenOption(options, renamed.retryBaseDelayMs),
    retryMaxDelayMs: givenOption(options, renamed.retryMaxDelayMs),
    metricsIntervalMs: givenOption(options, renamed.metricsIntervalMs),
  };
  const logger = resolveLogger(options.logger);
  warnDeprecated(options.logger, logger, Object.values(given));
  const d = producerDefaults;
  const int = (name: IntegerField, min: number, max: number): number => {
    const { field, value } = name in given ? given[name as keyof typeof given] : { field: name, value: options[name] };
    return integer(field, value ?? d[name], min, max);
  };
  const resolved = {
    ...stream,
    kinesis: options.kinesis,
    // The client is built from this one object: what it holds is what the client gets.
    connection: Object.freeze({ ...connection, maxConnections, requestTimeout }),
    logger,
    clock: options.clock,
    aggregationEnabled: boolean('aggregationEnabled', options.aggregationEnabled ?? d.aggregationEnabled),
    aggregationMaxCount: int('aggregationMaxCount', 1, 4294967295),
    aggregationMaxSize: int('aggregationMaxSize', 64, 1048576),
    collectionMaxCount: int('collectionMaxCount', 1, 500),
    collectionMaxSize: Math.min(int('collectionMaxSize', 52224, MAX_LONG), MAX_STREAM_RECORD_SIZE),
    recordMaxBufferedTime: int('recordMaxBufferedTime', 0, MAX_LONG),
    recordTtl: int('recordTtl', 100, MAX_LONG),
    rateLimit: int('rateLimit', 1, MAX_LONG),
    failIfThrottled: boolean('failIfThrottled', options.failIfThrottled ?? d.failIfThrottled),
    preserveOrder: boolean('preserveOrder', options.preserveOrder ?? d.preserveOrder),
    maxConnections,
    requestTimeout,
    maxUserRecordSize: given.maxUserRecordSize.value === undefined ? undefined : integer(given.maxUserRecordSize.field, given.maxUserRecordSize.value, 1, MAX_STREAM_RECORD_SIZE),
    compression: oneOf('compression', options.compression ?? d.compression, ['none', 'deflate']),
    compressionLevel: int('compressionLevel', 0, 9),
    workerThreads: int('workerThreads', 1, 64),
    maxOutstandingRecords: int('maxOutstandingRecords', 1, MAX_LONG),
    maxOutstandingBytes: int('maxOutstandingBytes', 1, MAX_LONG),
    backpressure: oneOf('backpressure', options.backpressure ?? d.backpressure, ['wait', 'reject']),
    maxWaitingBytes: int('maxWaitingBytes', 0, MAX_LONG),
    maxBackpressureWaitMs: int('maxBackpressureWaitMs', 1, MAX_LONG),
    serializer,
    retryBaseDelayMs: int('retryBaseDelayMs', 1, MAX_LONG),
    retryMaxDelayMs: int('retryMaxDelayMs', 1, MAX_LONG),
    metricsIntervalMs: int('metricsIntervalMs', 0, MAX_LONG),
  };
  // Without the option the stream's limit applies, at least 1 MiB: room for one such record is the least.
  const smallestLimit = resolved.maxUserRecordSize ?? DEFAULT_STREAM_RECORD_SIZE;
  if (resolved.maxOutstandingBytes < smallestLimit) {
    throw new InvalidOptionError(
      'maxOutstandingBytes',
      `must be at least options.${given.maxUserRecordSize.field} (${smallestLimit}), or no record of the largest size could ever be accepted`,
      resolved.maxOutstandingBytes,
    );
  }
  if (resolved.retryMaxDelayMs < resolved.retryBaseDelayMs) {
    throw new InvalidOptionError(
      given.retryMaxDelayMs.field,
      `must be at least options.${given.retryBaseDelayMs.field} (${resolved.retryBaseDelayMs})`,
      resolved.retryMaxDelayMs,
    );
  }
  return Object.freeze(resolved);
}
