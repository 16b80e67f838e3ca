import { InvalidOptionError } from '../../../errors.ts';

/** Where the PostgreSQL server is, as `pg` takes it. */
export interface PostgresConnection {
  host?: string | undefined;
  port?: number | undefined;
  user?: string | undefined;
  password?: string | undefined;
  database?: string | undefined;
  /** TLS settings as `pg` takes them (`true`, or tls.connect options). @defaultValue false */
  ssl?: boolean | object | undefined;
}

/** Options of {@link postgresDestination}. */
export interface PostgresDestinationOptions {
  /** The table rows are loaded into, `name` or `schema.name`; it must exist. */
  table: string;
  /** A connection string (`postgres://user:password@host:port/database`) or its parts. @defaultValue pg's defaults (PGHOST, PGPORT, ...) */
  connection?: string | PostgresConnection | undefined;
  /**
   * Columns filled from the records' fields of the same name (cast by PostgreSQL, as
   * `jsonb_populate_record` does); columns left out take their defaults.
   * @defaultValue every column of the table that has no default
   */
  columns?: string[] | undefined;
  /** The load-ledger table, `name` or `schema.name`; created if missing. @defaultValue 'kinesis_actors_load_ledger' */
  ledgerTable?: string | undefined;
  /** Connections in the pool, shared by every shard's sink, 1–100. @defaultValue 4 */
  maxConnections?: number | undefined;
}

/** Options of {@link postgresDestination} after defaults and validation. @internal */
export interface ResolvedPostgresDestinationOptions {
  /** As given, for the ledger. */
  readonly table: string;
  /** Quoted for SQL: `"schema"."name"`. */
  readonly tableSql: string;
  readonly ledgerSql: string;
  readonly connection: string | PostgresConnection | undefined;
  readonly columns: readonly string[] | undefined;
  readonly maxConnections: number;
}

/** Every default in one place. */
export const postgresDestinationDefaults = Object.freeze({ ledgerTable: 'kinesis_actors_load_ledger', maxConnections: 4 });

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** `name` or `schema.name` double-quoted, or an {@link InvalidOptionError}. @internal */
export function quoteTableName(value: unknown, field: string): string {
  const parts = typeof value === 'string' ? value.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new InvalidOptionError(field, 'must be a table name or schema.name of letters, digits and _ (at most 63 characters each)', value);
  }
  return parts.map((p) => `"${p}"`).join('.');
}

/** Applies defaults, checks every field, and freezes the result. @internal */
export function resolvePostgresDestinationOptions(options: PostgresDestinationOptions): ResolvedPostgresDestinationOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object with at least a table', options);
  const tableSql = quoteTableName(options.table, 'table');
  const ledgerSql = quoteTableName(options.ledgerTable ?? postgresDestinationDefaults.ledgerTable, 'ledgerTable');
  const { connection, columns } = options;
  if (connection !== undefined && typeof connection !== 'string' && (connection === null || typeof connection !== 'object')) {
    throw new InvalidOptionError('connection', 'must be a connection string or an object of host, port, user, password, database', connection);
  }
  if (columns !== undefined && (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string' && IDENTIFIER.test(c)))) {
    throw new InvalidOptionError('columns', 'must be a non-empty array of column names', columns);
  }
  const maxConnections = options.maxConnections ?? postgresDestinationDefaults.maxConnections;
  if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > 100) throw new InvalidOptionError('maxConnections', 'must be an integer from 1 to 100', maxConnections);
  return Object.freeze({ table: options.table, tableSql, ledgerSql, connection, columns: columns && Object.freeze([...columns]), maxConnections });
}
