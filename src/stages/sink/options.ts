import { InvalidOptionError } from '../../errors.ts';
import { integer, oneOf, optionalFunction } from '../../options/validate.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import type { SinkDestination } from './destination.ts';
import { directoryDestination } from './directory-destination.ts';
import { loadParquetWriter } from './parquet/encode-parquet.ts';
import { resolveParquetSchema, type ParquetColumn } from './parquet/parquet-schema.ts';
import { resolvePartitioner, type PartitionFunction, type Partitioner } from './partitioning/partitioner.ts';

/** Compression of newline-delimited objects; gzip objects end in `.gz`. */
export type SinkCompression = 'none' | 'gzip';

/** What the objects hold: newline-delimited JSON, or Parquet (Snappy-compressed pages). */
export type SinkFormat = 'ndjson' | 'parquet';

/** Turns one item into one line of an object (without the newline). */
export type SinkSerializer = (item: StreamItem) => string;

/**
 * Options of {@link deliverySink}. Names and defaults follow Kinesis Data Firehose's S3
 * destination where it has the setting.
 */
export interface DeliverySinkOptions {
  /** Stage name, and the first part of every object's name. @defaultValue 'sink' */
  name?: string | undefined;
  /** Where objects go: `directoryDestination`, `s3Destination`, `postgresDestination`, or your own. @defaultValue directoryDestination(options.directory) */
  destination?: SinkDestination | undefined;
  /** Directory of the default destination; not allowed with `destination`. @defaultValue './sink-output' */
  directory?: string | undefined;
  /** Where records that could not be delivered go (required when `destination` loads records). @defaultValue options.destination */
  errorDestination?: SinkDestination | undefined;
  /** Key prefix of data objects. @defaultValue '' */
  prefix?: string | undefined;
  /** Key prefix of records that could not be delivered or partitioned. @defaultValue 'errors/' */
  errorPrefix?: string | undefined;
  /**
   * Dynamic partitioning: each record's partition prefix (after `prefix`), from a template such
   * as `page={page}/dt={yyyy}-{MM}-{dd}/` or a function. Without it objects go under
   * `YYYY/MM/DD/HH/` (UTC). @defaultValue none
   */
  partitionBy?: string | PartitionFunction | undefined;
  /** Partitions buffered at once per shard; a new one past this closes the oldest buffer, 1–10000. @defaultValue 500 */
  maxOpenPartitions?: number | undefined;
  /** Bytes of lines (before compression) that close a buffer (per partition), 1–134217728. @defaultValue 5242880 */
  bufferSizeBytes?: number | undefined;
  /** Milliseconds after its first record that a buffer (per partition) is closed, 100–900000. @defaultValue 300000 */
  bufferIntervalMs?: number | undefined;
  /** Object format. @defaultValue 'ndjson' */
  format?: SinkFormat | undefined;
  /** Compression of ndjson objects (Parquet pages are always Snappy-compressed). @defaultValue 'none' */
  compression?: SinkCompression | undefined;
  /** Columns of Parquet objects; records that do not fit go under `errorPrefix`. @defaultValue inferred from the first records */
  parquetSchema?: ParquetColumn[] | undefined;
  /** Records the Parquet schema is inferred from when none is given, 1–100000. @defaultValue 1000 */
  schemaInferenceRecords?: number | undefined;
  /** How long a failing write is retried before the records go under `errorPrefix`, 0–7200000 ms; 0 tries once. @defaultValue 300000 */
  retryDurationMs?: number | undefined;
  /** One line per item; must not contain a newline. @defaultValue (item) => JSON.stringify(item.value) */
  serialize?: SinkSerializer | undefined;
}

/** Options after defaults and validation; frozen. */
export interface ResolvedDeliverySinkOptions {
  readonly name: string;
  readonly destination: SinkDestination;
  readonly errorDestination: SinkDestination;
  readonly prefix: string;
  readonly errorPrefix: string;
  readonly partitioner: Partitioner | undefined;
  readonly maxOpenPartitions: number;
  readonly bufferSizeBytes: number;
  readonly bufferIntervalMs: number;
  readonly format: SinkFormat;
  readonly compression: SinkCompression;
  readonly parquetSchema: readonly ParquetColumn[] | undefined;
  readonly schemaInferenceRecords: number;
  readonly retryDurationMs: number;
  readonly serialize: SinkSerializer;
  /** The destination loads records: nothing is encoded for it. */
  readonly loadsRecords: boolean;
}

/** Every default in one place. */
export const deliverySinkDefaults = Object.freeze({
  name: 'sink',
  directory: './sink-output',
  prefix: '',
  errorPrefix: 'errors/',
  maxOpenPartitions: 500,
  bufferSizeBytes: 5 * 1024 * 1024,
  bufferIntervalMs: 300_000,
  format: 'ndjson' as SinkFormat,
  compression: 'none' as SinkCompression,
  schemaInferenceRecords: 1000,
  retryDurationMs: 300_000,
  serialize: ((item: StreamItem) => JSON.stringify(item.value)) as SinkSerializer,
});

function keyPrefix(options: DeliverySinkOptions, field: 'prefix' | 'errorPrefix'): string {
  const value = options[field] ?? deliverySinkDefaults[field];
  if (typeof value !== 'string' || value.startsWith('/') || value.split('/').includes('..') || value.length > 512) {
    throw new InvalidOptionError(field, "must be a relative key prefix of at most 512 characters, without a leading '/' or '..' parts", value);
  }
  return value;
}

function checkDestination(value: unknown, field: string): SinkDestination {
  const destination = value as SinkDestination;
  if (destination === null || typeof destination !== 'object' || typeof destination.write !== 'function') {
    throw new InvalidOptionError(field, 'must be an object with write(key, body, object)', value);
  }
  if (destination.accepts !== undefined && destination.accepts !== 'objects' && destination.accepts !== 'records') {
    throw new InvalidOptionError(`${field}.accepts`, "must be 'objects' or 'records'", destination.accepts);
  }
  return destination;
}

/**
 * Applies defaults, checks every field and the rules between fields, and freezes the result.
 * Throws {@link InvalidOptionError} naming the first bad field.
 */
export function resolveDeliverySinkOptions(options: DeliverySinkOptions = {}): ResolvedDeliverySinkOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object', options);
  const name = options.name ?? deliverySinkDefaults.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    throw new InvalidOptionError('name', 'must be 1–64 characters of A-Z, a-z, 0-9, _ . -', name);
  }
  if (options.destination !== undefined && options.directory !== undefined) {
    throw new InvalidOptionError('directory', 'must not be set together with options.destination (it names the default destination)', options.directory);
  }
  const directory = options.directory ?? deliverySinkDefaults.directory;
  if (typeof directory !== 'string' || directory.length === 0) throw new InvalidOptionError('directory', 'must be a non-empty path', directory);
  const destination = options.destination === undefined ? directoryDestination(directory) : checkDestination(options.destination, 'destination');
  const loadsRecords = destination.accepts === 'records';
  const errorDestination = options.errorDestination === undefined ? undefined : checkDestination(options.errorDestination, 'errorDestination');
  if (loadsRecords && (errorDestination === undefined || errorDestination.accepts === 'records')) {
    throw new InvalidOptionError('errorDestination', 'must be an object destination (S3 or a directory) when options.destination loads records: failed records are written there', errorDestination);
  }
  const format = oneOf('format', options.format ?? deliverySinkDefaults.format, ['ndjson', 'parquet']);
  const compression = oneOf('compression', options.compression ?? deliverySinkDefaults.compression, ['none', 'gzip']);
  if (format === 'parquet' && compression !== 'none') {
    throw new InvalidOptionError('compression', "must be 'none' with format 'parquet' (its pages are Snappy-compressed)", compression);
  }
  if (loadsRecords && (format !== 'ndjson' || options.partitionBy !== undefined)) {
    throw new InvalidOptionError(format !== 'ndjson' ? 'format' : 'partitionBy', 'does not apply to a destination that loads records (a warehouse table)', format !== 'ndjson' ? format : options.partitionBy);
  }
  // Missing the optional Parquet writer is a configuration error, found before any record.
  if (format === 'parquet') loadParquetWriter();
  if (options.parquetSchema !== undefined && format !== 'parquet') throw new InvalidOptionError('parquetSchema', "applies only with format 'parquet'", options.parquetSchema);
  const serialize = optionalFunction('serialize', options.serialize, 'a function from an item to one line');
  const resolved: ResolvedDeliverySinkOptions = {
    name,
    destination,
    errorDestination: errorDestination ?? destination,
    prefix: keyPrefix(options, 'prefix'),
    errorPrefix: keyPrefix(options, 'errorPrefix'),
    partitioner: resolvePartitioner(options.partitionBy),
    maxOpenPartitions: integer('maxOpenPartitions', options.maxOpenPartitions ?? deliverySinkDefaults.maxOpenPartitions, 1, 10_000),
    bufferSizeBytes: integer('bufferSizeBytes', options.bufferSizeBytes ?? deliverySinkDefaults.bufferSizeBytes, 1, 128 * 1024 * 1024),
    bufferIntervalMs: integer('bufferIntervalMs', options.bufferIntervalMs ?? deliverySinkDefaults.bufferIntervalMs, 100, 900_000),
    format,
    compression,
    parquetSchema: options.parquetSchema === undefined ? undefined : resolveParquetSchema(options.parquetSchema, 'parquetSchema'),
    schemaInferenceRecords: integer('schemaInferenceRecords', options.schemaInferenceRecords ?? deliverySinkDefaults.schemaInferenceRecords, 1, 100_000),
    retryDurationMs: integer('retryDurationMs', options.retryDurationMs ?? deliverySinkDefaults.retryDurationMs, 0, 7_200_000),
    serialize: serialize ?? deliverySinkDefaults.serialize,
    loadsRecords,
  };
  if (resolved.errorPrefix === '' || (resolved.errorPrefix === resolved.prefix && resolved.errorDestination === resolved.destination)) {
    throw new InvalidOptionError('errorPrefix', `must be non-empty and differ from options.prefix (${JSON.stringify(resolved.prefix)}), or failed records would mix with delivered ones`, resolved.errorPrefix);
  }
  return Object.freeze(resolved);
}
