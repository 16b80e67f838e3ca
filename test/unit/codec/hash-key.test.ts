import { describe, expect, it } from 'vitest';
import { hashKeyOf, MAX_HASH_KEY, parseExplicitHashKey } from '../../../src/codec/hash-key.ts';
import { InvalidRecordError } from '../../../src/errors.ts';
import { vectors } from './vectors.ts';

describe('hashKeyOf', () => {
  it('is the MD5 of the key read big-endian (the vector stores MD5("abc") as its explicit hash key)', () => {
    const vector = vectors.find((v) => v.name === 'java_aggregator_multirecord')!;
    expect(hashKeyOf('abc').toString()).toBe(vector.expectedUserRecords[0].explicitHashKey);
    expect(hashKeyOf('abc')).toBe(0x900150983cd24fb0d6963f7d28e17f72n);
  });

  it.each([
    ['', 281949768489412648962353822266799178366n],
    ['The quick brown fox jumps over the lazy dog', 210103647840849757586127012022035159510n],
    ['é', 136732923097551493579404309126273812335n],
    ['ключ-🔑', 310955279035442261340063556077498676343n],
  ])('hashes %j as its UTF-8 bytes', (key, expected) => {
    expect(hashKeyOf(key)).toBe(expected);
  });
});

describe('parseExplicitHashKey', () => {
  it.each([
    ['0', 0n],
    ['1', 1n],
    ['18446744073709551616', 2n ** 64n],
    [MAX_HASH_KEY.toString(), 2n ** 128n - 1n],
  ])('accepts %s', (value, expected) => {
    expect(parseExplicitHashKey(value)).toBe(expected);
  });

  const rejected: unknown[] = [
    (2n ** 128n).toString(),
    '9'.repeat(39),
    '1'.repeat(40),
    '-1',
    '+1',
    '01',
    '00',
    '12a',
    '1e3',
    '0x10',
    '1.0',
    '',
    ' 1',
    '1 ',
    '1\n',
    '١٢',
    42,
    42n,
    null,
    undefined,
    {},
  ];
  const label = (v: unknown) => (typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v)));
  it.each(rejected.map((v) => [label(v), v] as const))('rejects %s with INVALID_EXPLICIT_HASH_KEY, naming the value and the rule', (_label, value) => {
    let thrown: unknown;
    try {
      parseExplicitHashKey(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRecordError);
    expect((thrown as InvalidRecordError).code).toBe('INVALID_EXPLICIT_HASH_KEY');
    expect((thrown as InvalidRecordError).retriable).toBe(false);
    const message = (thrown as Error).message;
    expect(message).toMatch(/explicitHashKey must be/);
    expect(message).toMatch(/2\^128-1/);
    if (typeof value === 'string' && value.length <= 40) expect(message).toContain(JSON.stringify(value));
  });
});
