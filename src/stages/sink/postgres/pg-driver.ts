import type { Writable } from 'node:stream';
import { loadOptional } from '../../../testing/optional-dependency.ts';
import type { PostgresConnection } from './postgres-options.ts';

/** The parts of a `pg` pooled client the destination uses. @internal */
export interface PgClient {
  query<R = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  query(stream: Writable): Writable;
  release(error?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** The parts of a `pg.Pool` the destination uses. @internal */
export interface PgPool {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** `pg` and `pg-copy-streams`, optional peers. @internal */
export interface PgDriver {
  createPool(connection: string | PostgresConnection | undefined, max: number): PgPool;
  copyFrom(sql: string): Writable;
}

const PEERS = ['pg', 'pg-copy-streams'];

/** Loads `pg` and `pg-copy-streams`, or fails with `MISSING_DEPENDENCY`. @internal */
export function loadPgDriver(): PgDriver {
  const pg = loadOptional('pg', 'postgresDestination', PEERS, (r) => r('pg') as { Pool: new (config: object) => PgPool });
  const copy = loadOptional('pg-copy-streams', 'postgresDestination', PEERS, (r) => r('pg-copy-streams') as { from(sql: string): Writable });
  return {
    createPool: (connection, max) => new pg.Pool({ ...(typeof connection === 'string' ? { connectionString: connection } : connection), max }),
    copyFrom: (sql) => copy.from(sql),
  };
}
