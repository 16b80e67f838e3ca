import { createHash } from 'node:crypto';
import * as crypto from 'node:crypto';
import { InvalidRecordError, describe } from '../errors.ts';

/** The largest hash key: 2^128 − 1. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;

function md5(key: string): Buffer {
  // crypto.hash skips the Hash object: half the cost of createHash per key.
  return oneShotHash ? oneShotHash('md5', key, 'buffer') : createHash('md5').update(key).digest();
}

/** The hash key Kinesis derives from a partition key: MD5 of its UTF-8 bytes, read big-endian. */
export function hashKeyOf(partitionKey: string): bigint {
  const digest = md5(partitionKey);
  return (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
}

/** Parses an explicit hash key: a decimal string from 0 to 2^128 − 1. */
export function parseExplicitHashKey(value: unknown): bigint {
  if (typeof value !== 'string' || !/^[0-9]{1,39}$/.test(value)) {
    throw new InvalidRecordError(
      'INVALID_EXPLICIT_HASH_KEY',
      `explicitHashKey must be a decimal string from 0 to 2^128-1 (got ${describe(value)})`,
    );
  }
  const hashKey = BigInt(value);
  if (hashKey > MAX_HASH_KEY) {
    throw new InvalidRecordError('INVALID_EXPLICIT_HASH_KEY', `explicitHashKey ${value} is over 2^128-1`);
  }
  return hashKey;
}
