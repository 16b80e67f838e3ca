import { describe, expect, it } from 'vitest';
import { serializeJson } from '../../../src/producer/json-serializer.ts';
import { InvalidRecordError } from '../../../src/errors.ts';

function refusal(value: unknown): InvalidRecordError {
  try {
    serializeJson(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRecordError);
    return error as InvalidRecordError;
  }
  throw new Error(`serializeJson accepted ${String(value)}`);
}

describe('serializeJson', () => {
  it('writes what JSON.stringify writes for values JSON represents faithfully', () => {
    const event = { id: 7, user: 'u-1', ref: null, tags: ['a', 'b'], nested: { ok: true, n: -1.5e-7 }, s: '\ud83d\ude00 \ud800' };
    expect(serializeJson(event)).toBe(JSON.stringify(event));
    expect(serializeJson('text')).toBe('"text"');
    expect(serializeJson(0)).toBe('0');
    expect(serializeJson(null)).toBe('null');
    expect(serializeJson([])).toBe('[]');
  });

  it('writes a Date with its toJSON(), and leaves out a property whose value is undefined, as JSON does', () => {
    expect(serializeJson({ at: new Date(0), gone: undefined, kept: 1 })).toBe('{"at":"1970-01-01T00:00:00.000Z","kept":1}');
  });

  it('walks class instances and objects without a prototype like plain objects', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expect(serializeJson({ p: new Point(1, 2), bare: Object.assign(Object.create(null), { a: 1 }) })).toBe('{"p":{"x":1,"y":2},"bare":{"a":1}}');
    expect(refusal({ p: new Point(NaN, 2) }).message).toMatch(/NaN at \$\.p\.x/);
  });

  it('looks only at own properties, as JSON does: an inherited function is no loss', () => {
    const event = Object.assign(Object.create({ describe: () => 'inherited', n: NaN }), { page: '/home' });
    expect(serializeJson(event)).toBe('{"page":"/home"}');
  });

  const cycle: Record<string, unknown> = { list: [{ name: 'x' }] };
  (cycle.list as object[]).push(cycle);

  it.each([
    ['NaN', { price: NaN }, /NaN at \$\.price: JSON would write null/],
    ['Infinity', { a: [1, Infinity] }, /Infinity at \$\.a\[1\]: JSON would write null/],
    ['-Infinity at the top', -Infinity, /-Infinity at \$: JSON would write null/],
    ['a NaN Number object', { n: new Number(NaN) }, /NaN at \$\.n/],
    ['undefined at the top', undefined, /undefined at \$: JSON has no text for it/],
    ['undefined in an array', { ids: [1, undefined] }, /undefined at \$\.ids\[1\]: JSON would write null/],
    ['a hole in an array', [1, , 3], /undefined at \$\[1\]/],
    ['a function property', { onClick() {} }, /a function at \$\.onClick: JSON would drop the property/],
    ['a function at the top', () => 1, /a function at \$: JSON has no text for it/],
    ['a symbol in an array', [Symbol('s')], /a symbol at \$\[0\]: JSON would write null/],
    ['a symbol property', { kind: Symbol('s') }, /a symbol at \$\.kind: JSON would drop the property/],
    ['a BigInt', { n: { count: 1n } }, /a BigInt at \$\.n\.count/],
    ['a cycle', cycle, /a circular reference at \$\.list\[1\]/],
    ['a Map', { seen: new Map([['a', 1]]) }, /a Map at \$\.seen: JSON would write it as \{\}/],
    ['a Set', new Set([1]), /a Set at \$: JSON would write it as \{\}/],
    ['an Error', { err: new Error('boom') }, /an Error at \$\.err/],
    ['an iterator', { ids: [1, 2].values() }, /an Array Iterator at \$\.ids/],
    ['an invalid Date', { at: new Date(Number.NaN) }, /an invalid Date at \$\.at: JSON would write null/],
    ['a nested ArrayBuffer', { body: new ArrayBuffer(4) }, /an ArrayBuffer at \$\.body: JSON has no bytes/],
    ['a nested Uint8Array', { 'raw bytes': new Uint8Array(4) }, /a Uint8Array at \$\["raw bytes"\]: JSON has no bytes/],
    ['a nested Float64Array', [new Float64Array(2)], /a Float64Array at \$\[0\]/],
    ['a nested DataView', { view: new DataView(new ArrayBuffer(2)) }, /a DataView at \$\.view/],
    ['a nested Buffer', { b: Buffer.from('x') }, /a Buffer at \$\.b/],
  ])('refuses %s with SERIALIZATION_FAILED naming it and where it is', (_name, value, message) => {
    const error = refusal(value);
    expect(error.code).toBe('SERIALIZATION_FAILED');
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/^the record cannot be written as JSON: /);
    expect(error.message).toMatch(message);
  });

  it('keeps the TypeError of JSON.stringify as the cause when it threw', () => {
    const error = refusal({ n: 1n });
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(refusal({ a: NaN }).cause).toBeUndefined();
  });

  it('reports what JSON.stringify said when the walk cannot find the problem', () => {
    const error = refusal({
      get broken() {
        throw new Error('getter failed');
      },
    });
    expect(error.message).toBe('the record cannot be written as JSON: getter failed');
  });
});
