import { InvalidOptionError } from '../../errors.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import type { SinkDestination } from './destination.ts';
import { directoryDestination } from './directory-destination.ts';

/** Compression of the objects a delivery sink writes; gzip objects end in `.gz`. */
export type SinkCompression = 'none' | 'gzip';

/** Turns one item into one line of an object (without the newline). */
export type SinkSerializer = (item: StreamItem) => string;

/**
 * Options of {@link deliverySink}. Names and defaults follow Kinesis Data Firehose's S3
 * destination where it has the setting.
 */
export interface DeliverySinkOptions {
  /** Stage name, and the first part of every object's name. @defaultValue 'sink' */
  name?: string | undefined;
  /** Where objects go. @defaultValue directoryDestination(options.directory) */
  destination?: SinkDestination | undefined;
  /** Directory of the default destination; not allowed with `destination`. @defaultValue './sink-output' */
  directory?: string | undefined;
  /** Key prefix of data objects, before `YYYY/MM/DD/HH/` (UTC). @defaultValue '' */
  prefix?: string | undefined;
  /** Key prefix of records that could not be delivered, before `YYYY/MM/DD/HH/`. @defaultValue 'errors/' */
  errorPrefix?: string | undefined;
  /** Bytes of lines (before compression) that close a buffer, 1–134217728. @defaultValue 5242880 */
  bufferSizeBytes?: number | undefined;
  /** Milliseconds after its first record that a buffer is closed, 100–900000. @defaultValue 300000 */
  bufferIntervalMs?: number | undefined;
  /** Compression of objects. @defaultValue 'none' */
  compression?: SinkCompression | undefined;
  /** How long a failing write is retried before the records go under `errorPrefix`, 0–7200000 ms; 0 tries once. @defaultValue 300000 */
  retryDurationMs?: number | undefined;
  /** One line per item; must not contain a newline. @defaultValue (item) => JSON.stringify(item.value) */
  serialize?: SinkSerializer | undefined;
}

/** Options after defaults and validation; frozen. */
export type ResolvedDeliverySinkOptions = Readonly<Required<Omit<DeliverySinkOptions, 'directory'>>>;

/** Every default in one place. */
export const deliverySinkDefaults = Object.freeze({
  name: 'sink',
  directory: './sink-output',
  prefix: '',
  errorPrefix: 'errors/',
  bufferSizeBytes: 5 * 1024 * 1024,
  bufferIntervalMs: 300_000,
  compression: 'none' as SinkCompression,
  retryDurationMs: 300_000,
  serialize: ((item: StreamItem) => JSON.stringify(item.value)) as SinkSerializer,
});

type IntegerField = 'bufferSizeBytes' | 'bufferIntervalMs' | 'retryDurationMs';

function integer(options: DeliverySinkOptions, field: IntegerField, min: number, max: number): number {
  const value = options[field] ?? deliverySinkDefaults[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(field, `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

function keyPrefix(options: DeliverySinkOptions, field: 'prefix' | 'errorPrefix'): string {
  const value = options[field] ?? deliverySinkDefaults[field];
  if (typeof value !== 'string' || value.startsWith('/') || value.split('/').includes('..') || value.length > 512) {
    throw new InvalidOptionError(field, "must be a relative key prefix of at most 512 characters, without a leading '/' or '..' parts", value);
  }
  return value;
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
  if (options.destination !== undefined) {
    if (options.directory !== undefined) {
      throw new InvalidOptionError('directory', 'must not be set together with options.destination (it names the default destination)', options.directory);
    }
    if (options.destination === null || typeof options.destination !== 'object' || typeof options.destination.write !== 'function') {
      throw new InvalidOptionError('destination', 'must be an object with write(key, body)', options.destination);
    }
  }
  const directory = options.directory ?? deliverySinkDefaults.directory;
  if (typeof directory !== 'string' || directory.length === 0) throw new InvalidOptionError('directory', 'must be a non-empty path', directory);
  const compression = options.compression ?? deliverySinkDefaults.compression;
  if (compression !== 'none' && compression !== 'gzip') throw new InvalidOptionError('compression', "must be 'none' or 'gzip'", compression);
  if (options.serialize !== undefined && typeof options.serialize !== 'function') {
    throw new InvalidOptionError('serialize', 'must be a function from an item to one line', options.serialize);
  }
  const resolved = {
    name,
    destination: options.destination ?? directoryDestination(directory),
    prefix: keyPrefix(options, 'prefix'),
    errorPrefix: keyPrefix(options, 'errorPrefix'),
    bufferSizeBytes: integer(options, 'bufferSizeBytes', 1, 128 * 1024 * 1024),
    bufferIntervalMs: integer(options, 'bufferIntervalMs', 100, 900_000),
    compression,
    retryDurationMs: integer(options, 'retryDurationMs', 0, 7_200_000),
    serialize: options.serialize ?? deliverySinkDefaults.serialize,
  };
  if (resolved.errorPrefix === '' || resolved.errorPrefix === resolved.prefix) {
    throw new InvalidOptionError('errorPrefix', `must be non-empty and differ from options.prefix (${JSON.stringify(resolved.prefix)}), or failed records would mix with delivered ones`, resolved.errorPrefix);
  }
  return Object.freeze(resolved);
}
