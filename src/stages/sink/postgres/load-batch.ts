import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { comparePositions, type SinkRecord } from '../sink-record.ts';
import type { SourcePosition } from '../../../pipeline/stream-item.ts';
import { copyRows } from './copy-text.ts';
import type { PgClient, PgDriver } from './pg-driver.ts';
import type { ResolvedPostgresDestinationOptions } from './postgres-options.ts';

/** What one load did: rows inserted, and records skipped as already loaded by an earlier delivery. @internal */
export interface LoadResult {
  loaded: number;
  skipped: number;
}

/** The ledger: one row per load, per shard, with the sequence range it covered. @internal */
export function ledgerDdl(ledgerSql: string): string {
  return `CREATE TABLE IF NOT EXISTS ${ledgerSql} (
  target_table text NOT NULL,
  shard_id text NOT NULL,
  first_sequence_number numeric NOT NULL,
  first_sub_sequence_number integer NOT NULL,
  last_sequence_number numeric NOT NULL,
  last_sub_sequence_number integer NOT NULL,
  rows_loaded integer NOT NULL,
  object_key text NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_table, shard_id, last_sequence_number, last_sub_sequence_number)
)`;
}

/**
 * Loads `records` into the table in one transaction: per shard (locked, so two workers
 * delivering the same shard during a lease move take turns) only the records past the
 * shard's last loaded position go in, through COPY into a staging table and one INSERT, and
 * the ledger gets the range. A failure anywhere rolls everything back. @internal
 */
export async function loadBatch(client: PgClient, driver: PgDriver, options: ResolvedPostgresDestinationOptions, columns: readonly string[], key: string, records: readonly SinkRecord[]): Promise<LoadResult> {
  const byShard = new Map<string, SinkRecord[]>();
  const unplaced: SinkRecord[] = [];
  for (const record of records) {
    if (!record.source) unplaced.push(record);
    else if (byShard.has(record.source.shardId)) byShard.get(record.source.shardId)!.push(record);
    else byShard.set(record.source.shardId, [record]);
  }
  await client.query('BEGIN');
  try {
    const fresh: SinkRecord[] = [...unplaced];
    const ranges: { shardId: string; first: SourcePosition; last: SourcePosition; rows: number }[] = [];
    for (const shardId of [...byShard.keys()].sort()) {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [options.table, shardId]);
      const { rows } = await client.query<{ sequence: string; sub: number }>(
        `SELECT last_sequence_number::text AS sequence, last_sub_sequence_number AS sub FROM ${options.ledgerSql}
         WHERE target_table = $1 AND shard_id = $2 ORDER BY last_sequence_number DESC, last_sub_sequence_number DESC LIMIT 1`,
        [options.table, shardId],
      );
      const loadedUpTo = rows[0] && { shardId, sequenceNumber: rows[0].sequence, subSequenceNumber: rows[0].sub };
      const newer = byShard.get(shardId)!.filter((r) => !loadedUpTo || comparePositions(r.source!, loadedUpTo) > 0);
      if (newer.length === 0) continue;
      fresh.push(...newer);
      const positions = newer.map((r) => r.source!).sort(comparePositions);
      ranges.push({ shardId, first: positions[0], last: positions[positions.length - 1], rows: newer.length });
    }
    if (fresh.length > 0) {
      await client.query('CREATE TEMP TABLE kinesis_actors_staging (sequence_number numeric, sub_sequence_number integer, doc jsonb) ON COMMIT DROP');
      await pipeline(Readable.from(copyRows(fresh)), client.query(driver.copyFrom('COPY kinesis_actors_staging (sequence_number, sub_sequence_number, doc) FROM STDIN')));
      const list = columns.map((c) => `"${c}"`).join(', ');
      await client.query(
        `INSERT INTO ${options.tableSql} (${list}) SELECT ${columns.map((c) => `r."${c}"`).join(', ')}
         FROM kinesis_actors_staging s CROSS JOIN LATERAL jsonb_populate_record(NULL::${options.tableSql}, s.doc) r`,
      );
      for (const { shardId, first, last, rows } of ranges) {
        await client.query(
          `INSERT INTO ${options.ledgerSql} (target_table, shard_id, first_sequence_number, first_sub_sequence_number, last_sequence_number, last_sub_sequence_number, rows_loaded, object_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [options.table, shardId, first.sequenceNumber, first.subSequenceNumber, last.sequenceNumber, last.subSequenceNumber, rows, key],
        );
      }
    }
    await client.query('COMMIT');
    return { loaded: fresh.length, skipped: records.length - fresh.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
