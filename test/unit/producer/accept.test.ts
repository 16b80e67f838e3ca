import { describe, expect, it } from 'vitest';
import { acceptUserRecord } from '../../../src/producer/accept.ts';
import { resolveProducerOptions, type ProducerOptions } from '../../../src/producer/options.ts';
import { ShardBuffer } from '../../../src/producer/shard-buffer.ts';
import { recordBytes } from '../../../src/producer/byte-arena.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { InvalidRecordError } from '../../../src/errors.ts';
import type { PutOptions, UserRecord } from '../../../src/producer/user-record.ts';

const hashKeys = new HashKeyCache();

function accept(value: unknown, putOptions: PutOptions = { partitionKey: 'k' }, options: Partial<ProducerOptions> = {}): UserRecord {
  return acceptUserRecord(value, putOptions, resolveProducerOptions({ streamName: 's', ...options }), hashKeys, 0);
}

/** The bytes the producer keeps for a record once its shard buffer has stored it. */
function storedBytes(value: unknown, options: Partial<ProducerOptions> = {}): number[] {
  const record = accept(value, { partitionKey: 'k' }, options);
  new ShardBuffer('shard-0').push(record);
  expect(record.dataSize).toBe(recordBytes(record).length);
  expect(record.size).toBe(record.dataSize + 1);
  return [...recordBytes(record)];
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

describe('acceptUserRecord: bytes', () => {
  const underlying = () => Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer;

  it('takes an ArrayBuffer as its exact bytes', () => {
    expect(storedBytes(Uint8Array.from([0, 255, 10, 123, 125]).buffer)).toEqual([0, 255, 10, 123, 125]);
    expect(storedBytes(new ArrayBuffer(8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('takes a Uint8Array subarray as the bytes of its range, not of its whole buffer', () => {
    expect(storedBytes(new Uint8Array(underlying()).subarray(2, 5))).toEqual([2, 3, 4]);
  });

  it('takes a DataView as the bytes of its range', () => {
    expect(storedBytes(new DataView(underlying(), 3, 4))).toEqual([3, 4, 5, 6]);
    const view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, 0x01020304);
    expect(storedBytes(view)).toEqual([1, 2, 3, 4]);
  });

  it('takes any typed array as the bytes of its range', () => {
    expect(storedBytes(new Int16Array(underlying(), 2, 3))).toEqual([2, 3, 4, 5, 6, 7]);
    expect(storedBytes(new Float64Array([1]))).toEqual([...new Uint8Array(new Float64Array([1]).buffer)]);
    expect(storedBytes(new Uint8ClampedArray([300, -1]))).toEqual([255, 0]);
  });

  it('takes a SharedArrayBuffer as its bytes', () => {
    const shared = new SharedArrayBuffer(3);
    new Uint8Array(shared).set([7, 8, 9]);
    expect(storedBytes(shared)).toEqual([7, 8, 9]);
  });

  it('counts the bytes of the range toward the record limit', () => {
    const big = new ArrayBuffer(2000);
    expect(() => accept(new DataView(big, 0, 1000), { partitionKey: 'k' }, { maxRecordSize: 1001 })).not.toThrow();
    expect(refusal(new DataView(big, 0, 1001), { partitionKey: 'k' }, { maxRecordSize: 1001 }).code).toBe('RECORD_TOO_LARGE');
  });
});

describe('acceptUserRecord: values the default JSON serializer cannot write faithfully', () => {
  it.each([
    ['NaN', NaN, /NaN at \$/],
    ['Infinity', { v: Infinity }, /Infinity at \$\.v/],
    ['-Infinity', [-Infinity], /-Infinity at \$\[0\]/],
    ['undefined', undefined, /undefined at \$/],
    ['a function', { f: () => 1 }, /a function at \$\.f/],
    ['a symbol', { s: Symbol('s') }, /a symbol at \$\.s/],
    ['a BigInt', { n: 10n }, /a BigInt at \$\.n/],
    ['a cycle', (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })(), /circular reference at \$\.self/],
    ['a Map', new Map([['a', 1]]), /a Map at \$/],
    ['a Set', { s: new Set([1]) }, /a Set at \$\.s/],
    ['a nested ArrayBuffer', { b: new ArrayBuffer(8) }, /an ArrayBuffer at \$\.b/],
    ['a nested typed array', { b: new Uint16Array(2) }, /a Uint16Array at \$\.b/],
  ])('refuses %s with SERIALIZATION_FAILED naming it and where it is', (_name, value, message) => {
    const error = refusal(value);
    expect(error.code).toBe('SERIALIZATION_FAILED');
    expect(error.message).toMatch(message);
  });

  it('accepts a Date and leaves out undefined properties, as JSON does', () => {
    expect(Buffer.from(storedBytes({ at: new Date(1000), gone: undefined })).toString()).toBe('{"at":"1970-01-01T00:00:01.000Z"}');
  });

  it('lets JSON.stringify, given as the serializer, write such values its own way', () => {
    expect(Buffer.from(storedBytes({ v: NaN, m: new Map() }, { serializer: JSON.stringify })).toString()).toBe('{"v":null,"m":{}}');
  });
});

describe('acceptUserRecord: a custom serializer', () => {
  it.each([
    ['a number', () => 42, /got a number/],
    ['an object', () => ({ a: 1 }), /got an object/],
    ['a Map', () => new Map(), /got a Map/],
    ['null', () => null, /got null/],
    ['undefined', () => undefined, /got undefined/],
  ])('refuses %s as the result with SERIALIZATION_FAILED', (_name, serializer, message) => {
    const error = refusal({ a: 1 }, { partitionKey: 'k' }, { serializer: serializer as never });
    expect(error.code).toBe('SERIALIZATION_FAILED');
    expect(error.message).toMatch(/the serializer must return a string or bytes/);
    expect(error.message).toMatch(message);
  });

  it('refuses a string with a lone surrogate, which UTF-8 cannot carry', () => {
    const error = refusal({ a: 1 }, { partitionKey: 'k' }, { serializer: () => 'ab\udc00' });
    expect(error.code).toBe('SERIALIZATION_FAILED');
    expect(error.message).toMatch(/lone surrogate at index 2/);
  });

  it('wraps what it throws in SERIALIZATION_FAILED, with the thrown error as the cause', () => {
    const thrown = new RangeError('no schema for this event');
    const error = refusal({ a: 1 }, { partitionKey: 'k' }, { serializer: () => { throw thrown; } });
    expect(error.code).toBe('SERIALIZATION_FAILED');
    expect(error.message).toMatch(/no schema for this event/);
    expect(error.cause).toBe(thrown);
  });

  it('may return bytes in any form: their exact range is stored', () => {
    const buffer = Uint8Array.from([1, 2, 3, 4]).buffer;
    expect(storedBytes({}, { serializer: () => buffer })).toEqual([1, 2, 3, 4]);
    expect(storedBytes({}, { serializer: () => new DataView(buffer, 1, 2) })).toEqual([2, 3]);
    expect(storedBytes({}, { serializer: () => 'é' })).toEqual([0xc3, 0xa9]);
  });
});

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
