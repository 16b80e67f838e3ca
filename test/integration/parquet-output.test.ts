import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverySink } from '../../src/stages/sink/delivery-sink.ts';
import { s3Destination } from '../../src/stages/sink/s3/s3-destination.ts';
import type { DeliverySinkOptions } from '../../src/stages/sink/options.ts';
import type { StreamItem } from '../../src/pipeline/stream-item.ts';
import { systemClock } from '../../src/internal/clock.ts';
import { startLocalS3, type LocalS3 } from '../../src/testing/local-s3.ts';
import { stageHarness } from '../../src/testing/stage-harness.ts';

const BUCKET = 'clicks-lake';
let s3: LocalS3;
let reader: S3Client;
let work: string;

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] });
  reader = new S3Client({ ...s3.connection, forcePathStyle: true, requestHandler: new NodeHttpHandler() });
  work = await mkdtemp(path.join(tmpdir(), 'parquet-output-'));
});

afterAll(async () => {
  reader.destroy();
  await s3.close();
  await rm(work, { recursive: true, force: true });
});

const DAY = Date.UTC(2026, 0, 1);
const click = (i: number): StreamItem => ({
  value: {
    eventId: `e-${i}`,
    page: ['home', 'cart', 'checkout'][i % 3],
    userId: i % 7 === 0 ? null : `u-${i % 50}`,
    durationMs: i * 3,
    price: i % 4 === 0 ? i + 0.25 : i,
    converted: i % 5 === 0,
    at: new Date(DAY + i * 60_000).toISOString(),
    context: { device: i % 2 ? 'mobile' : 'desktop', tags: [i % 3] },
  },
  partitionKey: `u-${i}`,
  eventTime: DAY + (i % 2) * 86_400_000,
  source: { shardId: 'shardId-000000000003', sequenceNumber: String(5000 + i), subSequenceNumber: 0 },
});

/** Writes `items` through a Parquet sink into `prefix`, copies the objects to local files, and reads them back with DuckDB. */
async function roundTrip(prefix: string, items: StreamItem[], options: DeliverySinkOptions) {
  const destination = s3Destination({ bucket: BUCKET, prefix, connection: s3.connection });
  const h = stageHarness(deliverySink({ destination, format: 'parquet', partitionBy: 'page={page}/dt={yyyy}-{MM}-{dd}/', ...options }), { clock: systemClock });
  for (let i = 0; i < items.length; i += 100) await h.process(items.slice(i, i + 100));
  await h.flush();
  expect(h.openHolds()).toBe(0);
  destination.close();
  await h.close();
  const listed = await reader.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!);
  const files: string[] = [];
  for (const key of keys.filter((k) => k.endsWith('.parquet'))) {
    const object = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const file = path.join(work, key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await object.Body!.transformToByteArray());
    files.push(file);
  }
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const source = `read_parquet([${files.map((f) => `'${f}'`).join(', ')}], hive_partitioning = true)`;
  const types = Object.fromEntries((await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJson().map((r) => [r.column_name, r.column_type]));
  const rows = (await connection.runAndReadAll(`SELECT * FROM ${source} ORDER BY durationMs`)).getRowObjectsJson();
  connection.closeSync();
  db.closeSync();
  return { keys, files, types, rows };
}

describe("deliverySink format 'parquet', read back by DuckDB", () => {
  it('with a schema inferred from the first records: every record, partitioned, with its types', async () => {
    const items = Array.from({ length: 600 }, (_, i) => click(i));
    const { keys, files, types, rows } = await roundTrip('inferred/', items, {});
    expect(keys.filter((k) => k.includes('errors/'))).toEqual([]);
    expect(files.map((f) => path.relative(path.join(work, 'inferred'), path.dirname(f))).sort()).toEqual(
      ['cart', 'checkout', 'home'].flatMap((page) => [`page=${page}/dt=2026-01-01`, `page=${page}/dt=2026-01-02`]),
    );
    expect(types).toMatchObject({ eventId: 'VARCHAR', page: 'VARCHAR', userId: 'VARCHAR', durationMs: 'BIGINT', price: 'DOUBLE', converted: 'BOOLEAN', at: 'VARCHAR' });
    expect(rows).toHaveLength(600);
    rows.forEach((row, i) => {
      const value = items[i].value as Record<string, unknown>;
      expect(row).toMatchObject({ eventId: value.eventId, page: value.page, userId: value.userId, durationMs: String(value.durationMs), price: value.price, converted: value.converted });
      expect(JSON.parse(row.context as string)).toEqual(value.context);
      expect(row.dt).toBe(i % 2 ? '2026-01-02' : '2026-01-01');
    });
  });

  it('with a given schema: typed columns, and a record that does not fit goes under the error prefix with the reason', async () => {
    const items = Array.from({ length: 90 }, (_, i) => click(i));
    (items[10].value as Record<string, unknown>).durationMs = 'thirty';
    const { keys, types, rows } = await roundTrip('typed/', items, {
      parquetSchema: [
        { name: 'eventId', type: 'STRING' },
        { name: 'durationMs', type: 'INT32' },
        { name: 'price', type: 'DOUBLE' },
        { name: 'converted', type: 'BOOLEAN' },
        { name: 'at', type: 'TIMESTAMP' },
        { name: 'context', type: 'JSON' },
      ],
    });
    expect(types).toMatchObject({ eventId: 'VARCHAR', durationMs: 'INTEGER', price: 'DOUBLE', converted: 'BOOLEAN', at: 'TIMESTAMP' });
    expect(rows).toHaveLength(89);
    expect(rows.map((r) => r.eventId)).not.toContain('e-10');
    expect(rows[0].at).toBe('2026-01-01 00:00:00');
    const errorKeys = keys.filter((k) => k.startsWith('typed/errors/format-conversion-failed/'));
    expect(errorKeys).toHaveLength(1);
    const object = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: errorKeys[0] }));
    const [error] = (await object.Body!.transformToString()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(error).toMatchObject({ errorCode: 'DataFormatConversion.MalformedData', errorMessage: 'field durationMs is "thirty", which does not fit column type INT32', sequenceNumber: '5010' });
    expect(JSON.parse(Buffer.from(error.rawData as string, 'base64').toString())).toMatchObject({ eventId: 'e-10' });
  });
});
