import type { ParquetColumn, ParquetColumnType } from './parquet-schema.ts';

/** A record that does not fit the schema, with the reason, written to the error output. @internal */
export class SchemaMismatchError extends Error {
  readonly code = 'DataFormatConversion.MalformedData';

  constructor(message: string) {
    super(message);
    this.name = 'SchemaMismatchError';
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The columns' values of one record, converted for the Parquet writer; throws
 * {@link SchemaMismatchError} naming the first field that does not fit. @internal
 */
export function toParquetRow(value: unknown, schema: readonly ParquetColumn[]): unknown[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SchemaMismatchError(`the record is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not an object with the schema's fields`);
  }
  const record = value as Record<string, unknown>;
  return schema.map((column) => convert(record[column.name], column));
}

function convert(value: unknown, { name, type }: ParquetColumn): unknown {
  if (value === null || value === undefined) return null;
  const converted = CONVERTERS[type](value);
  if (converted === undefined) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : String(value);
    throw new SchemaMismatchError(`field ${name} is ${shown}, which does not fit column type ${type}`);
  }
  return converted;
}

const CONVERTERS: Readonly<Record<ParquetColumnType, (value: unknown) => unknown>> = {
  STRING: (v) => (typeof v === 'string' ? v : undefined),
  BOOLEAN: (v) => (typeof v === 'boolean' ? v : undefined),
  INT32: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? v : undefined),
  INT64: (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : typeof v === 'bigint' ? v : undefined),
  DOUBLE: (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined),
  TIMESTAMP: (v) => {
    const ms = typeof v === 'number' ? v : typeof v === 'string' && /^\d{4}-\d\d-\d\d/.test(v) ? Date.parse(v) : Number.NaN;
    return Number.isFinite(ms) ? new Date(ms) : undefined;
  },
  JSON: (v) => v,
};
