// Delivery throughput of the sink's destinations on the embedded servers, with the clickstream
// example's records: rows per second loaded into PostgreSQL (COPY, ledger, one transaction per
// load) and Parquet objects per second put into the embedded S3 (s3rver), one sink instance,
// writes in order as the sink makes them.
//
// Run: npx tsx bench/delivery.ts [--rows 100000] [--per-load 2000] [--objects 200]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createObjectEncoder } from '../src/stages/sink/encode-object.ts';
import { resolveDeliverySinkOptions } from '../src/stages/sink/options.ts';
import type { SinkRecord } from '../src/stages/sink/sink-record.ts';
import { postgresDestination, s3Destination } from '../src/index.ts';
import { startEmbeddedPostgres, startLocalS3 } from '../src/testing/index.ts';
import { LAKE_BUCKET, WAREHOUSE_DDL, WAREHOUSE_TABLE } from '../examples/clickstream-warehouse/pipelines.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, 'per-load': { type: 'string', default: '2000' }, objects: { type: 'string', default: '200' } } });
const rows = Number(values.rows);
const perLoad = Number(values['per-load']);
const objects = Number(values.objects);

const record = (i: number): SinkRecord => {
  const value = { event_id: `click-${i}`, page: 'home', user_id: `user-${i % 997}`, ip: `203.0.113.0`, country: 'PT', duration_ms: i % 30_000, ts: new Date(Date.UTC(2026, 0, 1) + i * 100).toISOString() };
  return { value, line: JSON.stringify(value), source: { shardId: 'shardId-000000000000', sequenceNumber: String(10n ** 20n + BigInt(i)), subSequenceNumber: 0 }, eventTime: undefined };
};

const [postgres, s3] = await Promise.all([startEmbeddedPostgres(), startLocalS3({ buckets: [LAKE_BUCKET] })]);
try {
  const sql = new pg.Client({ connectionString: postgres.connectionString });
  await sql.connect();
  await sql.query(WAREHOUSE_DDL);
  await sql.end();
  const warehouse = postgresDestination({ table: WAREHOUSE_TABLE, connection: postgres.connectionString, columns: ['event_id', 'page', 'user_id', 'ip', 'country', 'duration_ms', 'ts'] });
  const all = Array.from({ length: rows }, (_, i) => record(i));
  await warehouse.write('warm-up', new Uint8Array(), { records: all.slice(0, 1), contentType: 'application/x-ndjson' });
  let started = performance.now();
  for (let i = 1; i < rows; i += perLoad) await warehouse.write(`load-${i}`, new Uint8Array(), { records: all.slice(i, i + perLoad), contentType: 'application/x-ndjson' });
  const pgSeconds = (performance.now() - started) / 1000;
  await warehouse.close();
  console.log(`PostgreSQL: ${rows - 1} rows in loads of ${perLoad}: ${Math.round((rows - 1) / pgSeconds)} rows/s (${((rows - 1) / perLoad / pgSeconds).toFixed(1)} loads/s)`);

  // A Parquet object as the example's lake writes them: ~1,000 clicks of one partition.
  const encoder = createObjectEncoder(resolveDeliverySinkOptions({ format: 'parquet', destination: { write: async () => {} } }));
  const { object } = await encoder.encode(all.slice(0, 1000));
  const lake = s3Destination({ bucket: LAKE_BUCKET, connection: s3.connection });
  started = performance.now();
  for (let i = 0; i < objects; i++) await lake.write(`bench/object-${i}.parquet`, object!.body, object!);
  const s3Seconds = (performance.now() - started) / 1000;
  lake.close();
  console.log(`S3 (s3rver): ${objects} Parquet objects of ${object!.body.length} bytes (1,000 records): ${(objects / s3Seconds).toFixed(0)} objects/s`);
} finally {
  await Promise.all([postgres.close(), s3.close()]);
}
