import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverySink } from '../../src/stages/sink/delivery-sink.ts';
import { postgresDestination } from '../../src/stages/sink/postgres/postgres-destination.ts';
import type { StreamItem } from '../../src/pipeline/stream-item.ts';
import { systemClock } from '../../src/internal/clock.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/testing/embedded-postgres.ts';
import { stageHarness } from '../../src/testing/stage-harness.ts';
import { memoryDestination } from '../unit/stages/sink/fakes.ts';
import { startTcpDropProxy, type TcpDropProxy } from './tcp-drop-proxy.ts';

let server: EmbeddedPostgres;
let proxy: TcpDropProxy;
let sql: pg.Client;

beforeAll(async () => {
  server = await startEmbeddedPostgres();
  proxy = await startTcpDropProxy(server.port);
  sql = new pg.Client({ connectionString: server.connectionString });
  await sql.connect();
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await proxy?.close();
  await server?.close();
});

let tables = 0;
async function createTable(): Promise<string> {
  const table = `clicks_${++tables}`;
  await sql.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, event_id text NOT NULL, page text, duration_ms integer, price numeric, at timestamptz, context jsonb, loaded_at timestamptz DEFAULT now())`);
  return table;
}

const click = (i: number, shard = 'shardId-000000000000'): StreamItem => ({
  value: { event_id: `e-${i}`, page: `p${i % 3}`, duration_ms: i, price: i / 4, at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), context: { tab: 'a\tb\\c', n: i }, ignored: true },
  partitionKey: `u${i}`,
  source: { shardId: shard, sequenceNumber: String(10_000 + i), subSequenceNumber: 0 },
});

async function count(table: string): Promise<{ rows: number; distinct: number }> {
  const { rows } = await sql.query<{ rows: string; distinct: string }>(`SELECT count(*) AS rows, count(DISTINCT event_id) AS distinct FROM ${table}`);
  return { rows: Number(rows[0].rows), distinct: Number(rows[0].distinct) };
}

/** Delivers `batches` through a fresh sink instance (as a new lease owner would), to the end. */
async function deliver(destination: ReturnType<typeof postgresDestination>, batches: StreamItem[][], errors = memoryDestination(), retryDurationMs = 30_000) {
  const h = stageHarness(deliverySink({ destination, errorDestination: errors, retryDurationMs }), { clock: systemClock });
  for (const batch of batches) await h.process(batch);
  await h.flush();
  await h.close();
  return { h, errors };
}

describe('postgresDestination against a real PostgreSQL', () => {
  it('loads every record into the columns of the same name, with its types, in one transaction with a ledger row', async () => {
    const table = await createTable();
    const destination = postgresDestination({ table, connection: server.connectionString });
    const items = Array.from({ length: 500 }, (_, i) => click(i));
    const { h } = await deliver(destination, [items.slice(0, 200), items.slice(200)]);
    expect(h.openHolds()).toBe(0);
    expect(await count(table)).toEqual({ rows: 500, distinct: 500 });
    const { rows } = await sql.query(`SELECT event_id, page, duration_ms, price::float8 AS price, at, context, loaded_at IS NOT NULL AS defaulted FROM ${table} WHERE event_id = 'e-7'`);
    expect(rows[0]).toEqual({ event_id: 'e-7', page: 'p1', duration_ms: 7, price: 1.75, at: new Date(Date.UTC(2026, 0, 1, 0, 0, 7)), context: { tab: 'a\tb\\c', n: 7 }, defaulted: true });
    const ledger = await sql.query(`SELECT shard_id, first_sequence_number::text AS first, last_sequence_number::text AS last, rows_loaded FROM kinesis_actors_load_ledger WHERE target_table = $1`, [table]);
    expect(ledger.rows).toEqual([{ shard_id: 'shardId-000000000000', first: '10000', last: '10499', rows_loaded: 500 }]);
    await destination.close();
  });

  it('loads no row twice when batches are delivered again after a restart, whatever their boundaries', async () => {
    const table = await createTable();
    const destination = postgresDestination({ table, connection: server.connectionString, columns: ['event_id', 'page'] });
    const items = Array.from({ length: 300 }, (_, i) => click(i, 'shardId-000000000001'));
    await deliver(destination, [items.slice(0, 120)]);
    // The next owner reads again from an older checkpoint, in other batches, and goes further.
    await deliver(destination, [items.slice(50, 100), items.slice(100, 250)]);
    await deliver(destination, [items.slice(0, 300)]);
    expect(await count(table)).toEqual({ rows: 300, distinct: 300 });
    const ledger = await sql.query(`SELECT rows_loaded FROM kinesis_actors_load_ledger WHERE target_table = $1 ORDER BY last_sequence_number`, [table]);
    expect(ledger.rows.map((r: { rows_loaded: number }) => r.rows_loaded)).toEqual([120, 130, 50]);
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE duration_ms IS NULL`);
    expect(rows[0].n).toBe(300); // only the named columns were filled
    await destination.close();
  });

  it('rolls back a load whose connection drops mid-COPY, retries it on a new connection, and loads each row once', async () => {
    const table = await createTable();
    const destination = postgresDestination({ table, connection: { host: '127.0.0.1', port: proxy.port, user: server.user, password: server.password, database: server.database } });
    const items = Array.from({ length: 5000 }, (_, i) => click(i, 'shardId-000000000002'));
    // Warm up: the ledger exists and the columns are known, so the next bytes sent are the load.
    await deliver(destination, [[click(-1, 'shardId-000000000002')]]);
    proxy.dropAfter(200_000);
    const { h, errors } = await deliver(destination, [items]);
    expect(proxy.dropped).toBe(1);
    expect(h.failures).toEqual([]);
    expect(errors.objects.size).toBe(0);
    expect(await count(table)).toEqual({ rows: 5001, distinct: 5001 });
    const ledger = await sql.query(`SELECT count(*)::int AS n FROM kinesis_actors_load_ledger WHERE target_table = $1`, [table]);
    expect(ledger.rows[0].n).toBe(2);
    await destination.close();
  });

  it('when PostgreSQL stays down past retryDurationMs, writes the records to the error destination; if that fails too, acknowledges nothing', async () => {
    const table = await createTable();
    const down = await startTcpDropProxy(1); // nothing listens on port 1: every connection is refused
    await down.close();
    const destination = postgresDestination({ table, connection: { host: '127.0.0.1', port: down.port, user: 'postgres', database: 'postgres' } });
    const { h, errors } = await deliver(destination, [[click(1), click(2)]], memoryDestination(), 1000);
    expect(h.failures).toEqual([]);
    const [[key, body]] = [...errors.objects];
    expect(key).toMatch(/^errors\/\d{4}\/\d\d\/\d\d\/\d\d\/sink-shardId-000000000000-10001-0-10002-0$/);
    const lines = Buffer.from(body).toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ errorCode: 'ECONNREFUSED', sequenceNumber: '10001' });

    const failing = memoryDestination(() => new Error('error bucket down'));
    const second = await deliver(destination, [[click(3)]], failing, 500);
    expect(second.h.failures).toHaveLength(1);
    expect(second.h.failures[0]).toMatchObject({ code: 'SINK_DELIVERY_FAILED' });
    expect(await count(table)).toEqual({ rows: 0, distinct: 0 });
    await destination.close();
  });
});
