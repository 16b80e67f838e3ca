import type { SinkDestination, SinkObject } from '../destination.ts';
import { ledgerDdl, loadBatch } from './load-batch.ts';
import { loadPgDriver, type PgPool } from './pg-driver.ts';
import { resolvePostgresDestinationOptions, type PostgresDestinationOptions, type ResolvedPostgresDestinationOptions } from './postgres-options.ts';

/** A warehouse table as a sink destination; `close()` ends its connection pool. */
export interface PostgresDestination extends SinkDestination {
  readonly accepts: 'records';
  readonly table: string;
  close(): Promise<void>;
}

/**
 * A destination that loads each buffer of records into a PostgreSQL table, as Firehose loads
 * Redshift: COPY into a staging table, then one INSERT that maps each record's JSON fields to
 * the columns of the same name, in one transaction with a row in the load ledger. Records
 * carry their shard and sequence number (from `parseJson`); a record at or before the last
 * position the ledger holds for its shard is skipped, so a batch delivered again after a
 * restart or a lease move loads no row twice. Records without a source position are loaded
 * every time they are delivered.
 *
 * @example
 * const warehouse = postgresDestination({ table: 'analytics.clicks', connection: process.env.DATABASE_URL });
 * const sink = deliverySink({ destination: warehouse, errorDestination: s3Destination({ bucket: 'clicks-errors' }), bufferIntervalMs: 60_000 });
 */
export function postgresDestination(options: PostgresDestinationOptions): PostgresDestination {
  const resolved = resolvePostgresDestinationOptions(options);
  const driver = loadPgDriver();
  let pool: PgPool | undefined;
  let ready: Promise<readonly string[]> | undefined;
  let closing: Promise<void> | undefined;

  const poolOf = (): PgPool => {
    if (closing) throw new TypeError(`the postgresDestination of ${resolved.table} is closed`);
    if (!pool) {
      pool = driver.createPool(resolved.connection, resolved.maxConnections);
      // An idle connection that drops is replaced on the next connect; the error is not fatal.
      pool.on('error', () => {});
    }
    return pool;
  };

  /** Creates the ledger and finds the columns to fill, once (again after a failure). */
  const prepare = (): Promise<readonly string[]> => {
    ready ??= (async () => {
      const client = await poolOf().connect();
      try {
        await client.query(ledgerDdl(resolved.ledgerSql));
        return resolved.columns ?? (await tableColumns(client, resolved));
      } finally {
        client.release();
      }
    })();
    ready.catch(() => (ready = undefined));
    return ready;
  };

  return {
    accepts: 'records',
    table: resolved.table,
    async write(key: string, _body: Uint8Array, object?: SinkObject) {
      if (!object) throw new TypeError('postgresDestination loads records: write must be given the object with its records (deliverySink does)');
      const columns = await prepare();
      const client = await poolOf().connect();
      // A connection dropped mid-load also emits 'error'; the failed query already reports it.
      const ignore = () => {};
      client.on('error', ignore);
      try {
        await loadBatch(client, driver, resolved, columns, key, object.records);
        client.release();
      } catch (error) {
        // A connection that failed mid-transaction is not reused.
        client.release(error instanceof Error ? error : true);
        throw error;
      } finally {
        client.off('error', ignore);
      }
    },
    close() {
      closing ??= pool ? pool.end() : Promise.resolve();
      return closing;
    },
  };
}

async function tableColumns(client: Awaited<ReturnType<PgPool['connect']>>, options: ResolvedPostgresDestinationOptions): Promise<readonly string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND NOT atthasdef AND attidentity = '' AND attgenerated = ''
     ORDER BY attnum`,
    [options.tableSql],
  );
  if (rows.length === 0) throw new TypeError(`table ${options.table} has no column without a default to load records into; name them in options.columns`);
  return Object.freeze(rows.map((r) => r.name));
}
