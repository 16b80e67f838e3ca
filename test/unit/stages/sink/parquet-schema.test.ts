import { describe, expect, it } from 'vitest';
import { toParquetRow } from '../../../../src/stages/sink/parquet/parquet-rows.ts';
import { inferParquetSchema, resolveParquetSchema } from '../../../../src/stages/sink/parquet/parquet-schema.ts';

describe('Parquet schema', () => {
  it('is inferred from the first records, widening where they disagree', () => {
    const schema = inferParquetSchema([
      { page: '/a', n: 1, price: 1, ok: true, tags: ['x'], later: null },
      { page: '/b', n: 2, price: 1.5, ok: false, meta: { a: 1 }, mixed: 1 },
      { mixed: 'one', later: null },
      'not an object',
    ]);
    expect(schema).toEqual([
      { name: 'page', type: 'STRING' },
      { name: 'n', type: 'INT64' },
      { name: 'price', type: 'DOUBLE' },
      { name: 'ok', type: 'BOOLEAN' },
      { name: 'tags', type: 'JSON' },
      { name: 'later', type: 'STRING' },
      { name: 'meta', type: 'JSON' },
      { name: 'mixed', type: 'JSON' },
    ]);
  });

  it('converts a record to its columns, nulls for missing fields', () => {
    const schema = resolveParquetSchema(
      [
        { name: 's', type: 'STRING' },
        { name: 'i', type: 'INT32' },
        { name: 'l', type: 'INT64' },
        { name: 'd', type: 'DOUBLE' },
        { name: 't', type: 'TIMESTAMP' },
        { name: 'b', type: 'BOOLEAN' },
        { name: 'j', type: 'JSON' },
      ],
      'parquetSchema',
    );
    expect(toParquetRow({ s: 'x', i: 7, l: 8, d: 0.5, t: '2026-01-01T00:00:00Z', b: false, j: { a: [1] }, extra: 1 }, schema)).toEqual(['x', 7, 8n, 0.5, new Date('2026-01-01T00:00:00Z'), false, { a: [1] }]);
    expect(toParquetRow({ t: 0 }, schema)).toEqual([null, null, null, null, new Date(0), null, null]);
  });

  it('names the field that does not fit', () => {
    const schema = resolveParquetSchema([{ name: 'n', type: 'INT32' }, { name: 't', type: 'TIMESTAMP' }], 'parquetSchema');
    expect(() => toParquetRow({ n: 'seven' }, schema)).toThrow('field n is "seven", which does not fit column type INT32');
    expect(() => toParquetRow({ n: 2 ** 31 }, schema)).toThrow(/field n is 2147483648/);
    expect(() => toParquetRow({ t: 'yesterday' }, schema)).toThrow(/field t is "yesterday"/);
    expect(() => toParquetRow([1], schema)).toThrow(/the record is an array/);
  });

  it('refuses a schema with bad columns', () => {
    expect(() => resolveParquetSchema([], 'parquetSchema')).toThrow(/non-empty array/);
    expect(() => resolveParquetSchema([{ name: 'a', type: 'STRING' }, { name: 'a', type: 'STRING' }], 'parquetSchema')).toThrow(/parquetSchema\[1\]\.name/);
    expect(() => resolveParquetSchema([{ name: 'a', type: 'DATE' }], 'parquetSchema')).toThrow(/parquetSchema\[0\]\.type must be one of/);
  });
});
