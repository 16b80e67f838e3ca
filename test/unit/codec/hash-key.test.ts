import { describe, expect, it } from 'vitest';
import { hashKeyOf, parseExplicitHashKey, MAX_HASH_KEY } from '../../../src/codec/hash-key.ts';
import { InvalidRecordError } from '../../../src/errors.ts';
import { vectors } from './vectors.ts';

describe('hash keys', () => {
  it('is MD5 of the partition key read big-endian (the vector stores MD5("abc") as its explicit hash key)', () => {
    const vector = vectors.find((v) => v.name === 'java_aggregator_multirecord')!;
    expect(hashKeyOf('abc').toString()).toBe(vector.expectedUserRecords[0].explicitHashKey);
    expect(hashKeyOf('abc')).toBe(0x900150983cd24fb0d6963f7d28e17f72n);
  });

  it('accepts explicit hash keys from 0 to 2^128-1', () => {
    expect(parseExplicitHashKey('0')).toBe(0n);
    expect(parseExplicitHashKey(MAX_HASH_KEY.toString())).toBe(MAX_HASH_KEY);
  });

  it.each([[(2n ** 128n).toString()], ['-1'], ['12a'], [''], ['1'.repeat(40)], [42], [undefined], [' 1']])('rejects %j', (value) => {
    try {
      parseExplicitHashKey(value);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRecordError);
      expect((error as InvalidRecordError).code).toBe('INVALID_EXPLICIT_HASH_KEY');
    }
  });
});
