import { describe, expect, it } from 'vitest';
import { acceptUserRecord } from '../../../src/producer/accept.ts';
import { resolveProducerOptions, type ProducerOptions } from '../../../src/producer/options.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { InvalidRecordError } from '../../../src/errors.ts';
import type { PutOptions, UserRecord } from '../../../src/producer/user-record.ts';

const hashKeys = new HashKeyCache();

function accept(value: unknown, putOptions: PutOptions = { partitionKey: 'k' }, options: Partial<ProducerOptions> = {}): UserRecord {
  return acceptUserRecord(value, putOptions, resolveProducerOptions({ streamName: 's', ...options }), hashKeys, 0);
}

function refusal(value: unknown, putOptions: PutOptions = { partitionKey: 'k' }, options: Partial<ProducerOptions> = {}): InvalidRecordError {
  try {
    accept(value, putOptions, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as InvalidRecordError).retriable).toBe(false);
    return error as InvalidRecordError;
  }
  throw new Error('the record was accepted');
}

describe('acceptUserRecord: partition keys', () => {
  it.each([
    ['a lone high surrogate', 'user-\ud83d', 5],
    ['a lone low surrogate', '\ude00-user', 0],
    ['a reversed pair', 'a\ude00\ud83d', 1],
  ])('refuses %s with INVALID_PARTITION_KEY, saying where it is', (_name, partitionKey, index) => {
    const error = refusal({ a: 1 }, { partitionKey });
    expect(error.code).toBe('INVALID_PARTITION_KEY');
    expect(error.message).toMatch(new RegExp(`well-formed Unicode.*lone surrogate at index ${index}\\b`));
  });

  it('accepts keys outside the Basic Multilingual Plane, whose surrogates come in pairs', () => {
    expect(accept({ a: 1 }, { partitionKey: 'user-\ud83d\ude00' }).partitionKey).toBe('user-😀');
  });

  it('refuses a lone surrogate even with an explicit hash key, as Kinesis still stores the key', () => {
    expect(refusal({ a: 1 }, { partitionKey: '\ud800', explicitHashKey: '0' }).code).toBe('INVALID_PARTITION_KEY');
  });
});
