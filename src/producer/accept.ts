import { InvalidRecordError, describe } from '../errors.ts';
import { parseExplicitHashKey } from '../codec/hash-key.ts';
import type { HashKeyCache } from '../codec/hash-key-cache.ts';
import { kindOf, serializeJson } from './json-serializer.ts';
import type { ResolvedProducerOptions } from './options.ts';
import { RecordLimit } from './record-limit.ts';
import type { PutOptions, PutResult, UserRecord } from './user-record.ts';

function byteLength(value: string | Uint8Array): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
}

/**
 * Serializes and validates one `put()` into a user record with its promise, or throws an
 * {@link InvalidRecordError} naming what is wrong. Nothing is shared with other records, so a bad
 * one affects only its call. `limit` is the producer's {@link RecordLimit}; without it (in tests)
 * the one the options give before the stream's limit is known.
 * @internal
 */
export function acceptUserRecord(
  value: unknown,
  putOptions: PutOptions | undefined,
  options: ResolvedProducerOptions,
  hashKeys: HashKeyCache,
  now: number,
  limit?: RecordLimit,
): UserRecord {
  return withPromise(readUserRecord(value, putOptions, options, hashKeys, now, limit));
}

/** Gives a record the promise `put()` returns (or `flush()` waits on), if it has none yet. @internal */
export function withPromise(record: UserRecord): UserRecord {
  if (record.promise !== undefined) return record;
  record.promise = new Promise<PutResult>(capture);
  record.resolve = captured.resolve;
  record.reject = captured.reject;
  return record;
}

/**
 * {@link acceptUserRecord} without the promise: for `send()`, whose caller does not wait, and
 * `putMany()`, whose records share one.
 * @internal
 */
export function readUserRecord(
  value: unknown,
  putOptions: PutOptions | undefined,
  options: ResolvedProducerOptions,
  hashKeys: HashKeyCache,
  now: number,
  limit: RecordLimit = new RecordLimit(options.maxUserRecordSize, options.maxOutstandingBytes),
): UserRecord {
  const partitionKey = putOptions?.partitionKey;
  if (typeof partitionKey !== 'string' || partitionKey.length < 1 || partitionKey.length > 256) {
    throw new InvalidRecordError(
      'INVALID_PARTITION_KEY',
      `partitionKey must be a string of 1 to 256 characters (got ${describe(partitionKey)})`,
    );
  }
  // A lone surrogate has no UTF-8 form: the key Kinesis would hash and store is not this one, nor
  // is the MD5 the producer predicts its shard with.
  if (!partitionKey.isWellFormed()) {
    throw new InvalidRecordError(
      'INVALID_PARTITION_KEY',
      `partitionKey must be well-formed Unicode, but has a lone surrogate at index ${loneSurrogateAt(partitionKey)}, which UTF-8 cannot encode`,
    );
  }
  const explicitHashKey = putOptions?.explicitHashKey;
  const hashKey = explicitHashKey === undefined ? hashKeys.get(partitionKey) : parseExplicitHashKey(explicitHashKey);
  const data = asBytes(value) ?? serialize(value, options);
  const dataSize = byteLength(data);
  const size = dataSize + (partitionKey.length < 128 && isAscii(partitionKey) ? partitionKey.length : Buffer.byteLength(partitionKey));
  if (size > limit.bytes) throw limit.tooLarge(size);
  return {
    data,
    chunk: undefined,
    offset: 0,
    partitionKey,
    explicitHashKey,
    hashKey,
    size,
    dataSize,
    arrivedAt: now,
    deadline: now + options.recordTtl,
    attempts: 0,
    notBefore: 0,
    settled: false,
    lastError: undefined,
    resolve: undefined,
    reject: undefined,
    promise: undefined,
    group: undefined,
  };
}

/** The exact bytes of an ArrayBuffer or of a view's range (a Buffer, any typed array, a DataView), without copying. */
function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return new Uint8Array(value);
  return undefined;
}

function serialize(value: unknown, options: ResolvedProducerOptions): string | Uint8Array {
  let serialized: unknown;
  try {
    serialized = options.serializer(value);
  } catch (cause) {
    if (cause instanceof InvalidRecordError) throw cause;
    throw new InvalidRecordError('SERIALIZATION_FAILED', `the serializer threw: ${(cause as Error)?.message ?? String(cause)}`, cause);
  }
  if (typeof serialized === 'string') {
    // UTF-8 would write U+FFFD in place of a lone surrogate, and a reader would get other text.
    // JSON.stringify escapes lone surrogates; checking its text would scan every non-Latin-1 event.
    if (options.serializer === serializeJson || serialized.isWellFormed()) return serialized;
    throw new InvalidRecordError(
      'SERIALIZATION_FAILED',
      `the serializer returned a string with a lone surrogate at index ${loneSurrogateAt(serialized)}, which UTF-8 cannot encode`,
    );
  }
  const bytes = asBytes(serialized);
  if (bytes !== undefined) return bytes;
  throw new InvalidRecordError('SERIALIZATION_FAILED', `the serializer must return a string or bytes (got ${kindOf(serialized)})`);
}

function loneSurrogateAt(text: string): number {
  return text.search(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
}

/** One executor for every record's promise: a closure per `put()` would be garbage per `put()`. */
const captured: { resolve: ((result: PutResult) => void) | undefined; reject: ((error: Error) => void) | undefined } = { resolve: undefined, reject: undefined };
function capture(resolve: (result: PutResult) => void, reject: (error: Error) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}
