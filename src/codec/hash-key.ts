import * as crypto from 'node:crypto';
import { InvalidRecordError, describe } from '../errors.ts';

/** The largest hash key: 2^128 − 1. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

// The Kinesis API's own pattern for ExplicitHashKey: a leading zero fails the whole PutRecords
// request, not just the record, so it is refused here, where only the one record suffers.
const DECIMAL_HASH_KEY = /^(?:0|[1-9][0-9]{0,38})$/;

// crypto.hash (Node 20.12+) skips the Hash object: about half the cost of createHash per call.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'buffer') => Buffer }).hash;

/**
 * MD5 of a string's UTF-8 bytes, or of bytes.
 * @internal
 */
export function md5(data: string | Uint8Array): Buffer {
  return oneShotHash ? oneShotHash('md5', data, 'buffer') : crypto.createHash('md5').update(data).digest();
}

/**
 * The hash key Kinesis derives from a partition key: the MD5 of its UTF-8 bytes read as a
 * 128-bit big-endian unsigned integer. It picks the shard whose hash key range contains it.
 *
 * @example
 * hashKeyOf('abc'); // 0x900150983cd24fb0d6963f7d28e17f72n
 */
export function hashKeyOf(partitionKey: string): bigint {
  const digest = md5(partitionKey);
  return (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
}

/**
 * Parses an explicit hash key: a decimal string without sign, spaces or leading zeros, from 0 to
 * 2^128 − 1 (the pattern Kinesis itself enforces).
 *
 * @throws {InvalidRecordError} `INVALID_EXPLICIT_HASH_KEY`, naming the value and the rule.
 */
export function parseExplicitHashKey(value: unknown): bigint {
  if (typeof value !== 'string' || !DECIMAL_HASH_KEY.test(value)) {
    throw new InvalidRecordError(
      'INVALID_EXPLICIT_HASH_KEY',
      `explicitHashKey must be a decimal string of digits without leading zeros, from 0 to 2^128-1 (got ${describe(value)})`,
    );
  }
  const hashKey = BigInt(value);
  if (hashKey > MAX_HASH_KEY) {
    throw new InvalidRecordError(
      'INVALID_EXPLICIT_HASH_KEY',
      `explicitHashKey must be at most 2^128-1 = ${MAX_HASH_KEY} (got ${describe(value)})`,
    );
  }
  return hashKey;
}
