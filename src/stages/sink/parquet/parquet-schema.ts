import { InvalidOptionError } from '../../../errors.ts';

/** Column types of the Parquet objects a delivery sink writes (as Athena and Glue read them). */
export type ParquetColumnType = 'STRING' | 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'TIMESTAMP' | 'JSON';

/**
 * One column: a top-level field of the records. Every column is optional (a missing or null
 * field is a null); TIMESTAMP takes ms since the epoch or an ISO 8601 string and is stored in
 * ms (UTC); JSON stores any value as its JSON text.
 */
export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
}

const TYPES: readonly ParquetColumnType[] = ['STRING', 'BOOLEAN', 'INT32', 'INT64', 'DOUBLE', 'TIMESTAMP', 'JSON'];

/** Checks a schema given as option `field` and returns it frozen. @internal */
export function resolveParquetSchema(schema: unknown, field: string): readonly ParquetColumn[] {
  if (!Array.isArray(schema) || schema.length === 0) throw new InvalidOptionError(field, 'must be a non-empty array of { name, type } columns', schema);
  const names = new Set<string>();
  return Object.freeze(
    schema.map((column: unknown, index) => {
      const { name, type } = (column ?? {}) as Partial<ParquetColumn>;
      if (typeof name !== 'string' || name.length === 0 || names.has(name)) throw new InvalidOptionError(`${field}[${index}].name`, 'must be a non-empty column name, unique in the schema', name);
      if (!TYPES.includes(type as ParquetColumnType)) throw new InvalidOptionError(`${field}[${index}].type`, `must be one of ${TYPES.join(', ')}`, type);
      names.add(name);
      return Object.freeze({ name, type: type as ParquetColumnType });
    }),
  );
}

/**
 * A schema from the first records: one column per top-level field, in the order first seen;
 * whole numbers are INT64, other numbers DOUBLE, objects and arrays JSON, a field that was
 * only ever null STRING. @internal
 */
export function inferParquetSchema(values: readonly unknown[]): readonly ParquetColumn[] {
  const seen = new Map<string, Set<ParquetColumnType | 'NULL'>>();
  for (const value of values) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    for (const [name, field] of Object.entries(value)) {
      let types = seen.get(name);
      if (!types) seen.set(name, (types = new Set()));
      types.add(typeOfValue(field));
    }
  }
  return Object.freeze([...seen].map(([name, types]) => Object.freeze({ name, type: widen(types) })));
}

function typeOfValue(value: unknown): ParquetColumnType | 'NULL' {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'INT64' : 'DOUBLE';
  return 'JSON';
}

function widen(types: Set<ParquetColumnType | 'NULL'>): ParquetColumnType {
  types.delete('NULL');
  if (types.size === 0) return 'STRING';
  if (types.size === 1) return [...types][0] as ParquetColumnType;
  if (types.size === 2 && types.has('INT64') && types.has('DOUBLE')) return 'DOUBLE';
  return 'JSON';
}
