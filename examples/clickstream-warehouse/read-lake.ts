// Reads the lake back as Athena would: every Parquet object under clicks/, with DuckDB.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type _Object } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsConnection } from '../../src/index.ts';
import { LAKE_BUCKET } from './pipelines.ts';

export interface LakeContents {
  objects: number;
  records: number;
  distinct: number;
  health: number;
  unmaskedEmails: number;
  partitions: string[];
  /** From the first object written to the last. */
  seconds: number;
}

export async function readLake(connection: AwsConnection): Promise<LakeContents> {
  const client = new S3Client({ ...connection, forcePathStyle: true, requestHandler: new NodeHttpHandler() });
  const dir = await mkdtemp(path.join(tmpdir(), 'lake-'));
  try {
    const objects: _Object[] = [];
    for (let token: string | undefined, more = true; more; ) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: LAKE_BUCKET, Prefix: 'clicks/', ContinuationToken: token }));
      objects.push(...(page.Contents ?? []).filter((o) => o.Key!.endsWith('.parquet')));
      token = page.NextContinuationToken;
      more = token !== undefined;
    }
    const empty = { objects: 0, records: 0, distinct: 0, health: 0, unmaskedEmails: 0, partitions: [], seconds: 0 };
    if (objects.length === 0) return empty;
    const files = await Promise.all(
      objects.map(async ({ Key }) => {
        const file = path.join(dir, Key!);
        await mkdir(path.dirname(file), { recursive: true });
        const body = await client.send(new GetObjectCommand({ Bucket: LAKE_BUCKET, Key }));
        await writeFile(file, await body.Body!.transformToByteArray());
        return file;
      }),
    );
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    const source = `read_parquet([${files.map((f) => `'${f}'`).join(', ')}], hive_partitioning = true)`;
    const [counts] = (await duck.runAndReadAll(
      `SELECT count(*) AS records, count(DISTINCT event_id) AS distinct, count(*) FILTER (WHERE page = 'health') AS health, count(*) FILTER (WHERE email LIKE '%@%') AS unmasked FROM ${source}`,
    )).getRowObjectsJson();
    duck.closeSync();
    db.closeSync();
    const times = objects.map((o) => o.LastModified!.getTime());
    return {
      objects: objects.length,
      records: Number(counts.records),
      distinct: Number(counts.distinct),
      health: Number(counts.health),
      unmaskedEmails: Number(counts.unmasked),
      partitions: [...new Set(objects.map((o) => path.dirname(o.Key!).replace(/^clicks\//, '')))].sort(),
      seconds: (Math.max(...times) - Math.min(...times)) / 1000,
    };
  } finally {
    client.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
