import { InvalidRecordError, describe } from '../errors.ts';
import { parseExplicitHashKey } from '../codec/hash-key.ts';
import type { HashKeyCache } from '../codec/hash-key-cache.ts';
import type { ResolvedProducerOptions } from './options.ts';
import type { PutOptions, PutResult, UserRecord } from './user-record.ts';

function byteLength(value: string | Uint8Array): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
}

/**
 * Serializes and validates one `put()` into a user record, or throws an {@link InvalidRecordError}
 * naming what is wrong. Nothing is shared with other records, so a bad one affects only its call.
 * @internal
 */
export function acceptUserRecord(
  value: unknown,
  putOptions: PutOptions | undefined,
  options: ResolvedProducerOptions,
  hashKeys: HashKeyCache,
  now: number,
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

  let data: string | Uint8Array;
  if (value instanceof Uint8Array) {
    data = value;
  } else {
    let serialized: unknown;
    try {
      serialized = options.serializer(value);
    } catch (cause) {
      throw new InvalidRecordError('SERIALIZATION_FAILED', `the record could not be serialized: ${(cause as Error)?.message ?? cause}`, cause);
    }
    if (typeof serialized !== 'string' && !(serialized instanceof Uint8Array)) {
      throw new InvalidRecordError(
        'SERIALIZATION_FAILED',
        `the serializer must return a string or bytes (got ${describe(serialized)}${value === undefined ? ' for an undefined record' : ''})`,
      );
    }
    data = serialized;
  }
  const dataSize = byteLength(data);
  const size = dataSize + (partitionKey.length < 128 && isAscii(partitionKey) ? partitionKey.length : Buffer.byteLength(partitionKey));
  if (size > options.maxRecordSize) {
    throw new InvalidRecordError(
      'RECORD_TOO_LARGE',
      `the record is ${size} bytes (data plus partition key), over options.maxRecordSize (${options.maxRecordSize})`,
    );
  }
  const promise = new Promise<PutResult>(capture);
  const resolve = captured.resolve!;
  const reject = captured.reject!;
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
    resolve,
    reject,
    promise,
  };
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
