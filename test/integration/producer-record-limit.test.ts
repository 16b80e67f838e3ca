import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../../src/producer/producer.ts';
import type { PutResult } from '../../src/producer/user-record.ts';
import { AGGREGATE_OVERHEAD, aggregateRecordBound } from '../../src/codec/aggregation.ts';
import { DEFAULT_MAX_INFLATED_BYTES, isEnvelope } from '../../src/codec/envelope.ts';
import { decodeKinesisRecord } from '../../src/codec/kinesis-record.ts';
import { listAllShards } from '../../src/kinesis/list-shards.ts';
import { SdkKinesisApi } from '../../src/kinesis/sdk-kinesis-api.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { seededBytes } from '../fixtures/seeded-bytes.ts';

const MiB = 1024 * 1024;

interface Input {
  data: Buffer;
  partitionKey: string;
}

/** Random bytes whose first four bytes are `id`, so the record can be recognized when read back. */
function tagged(id: number, length: number): Buffer {
  const data = seededBytes(Math.max(4, length), id);
  data.writeUInt32BE(id, 0);
  return data;
}

/**
 * Incompressible records that fill one aggregate to exactly 1 MiB (as counted before the outer
 * partition key): 16 of 65,000 bytes and one that makes up the rest, each key used once.
 */
function exactlyOneMiB(firstId: number): Input[] {
  const inputs: Input[] = [];
  let used = AGGREGATE_OVERHEAD;
  for (let i = 0; i < 16; i++) {
    inputs.push({ data: tagged(firstId + i, 65_000), partitionKey: `key-${String(i).padStart(2, '0')}` });
    used += aggregateRecordBound(6, undefined, 65_000, i);
  }
  let filler = MiB - used;
  while (used + aggregateRecordBound(6, undefined, filler, 16) > MiB) filler--;
  expect(used + aggregateRecordBound(6, undefined, filler, 16)).toBe(MiB);
  inputs.push({ data: tagged(firstId + 16, filler), partitionKey: 'key-16' });
  return inputs;
}

/** Every Kinesis record of the stream, as stored. */
async function readKinesisRecords(kinesis: KinesisClient, streamName: string): Promise<_Record[]> {
  const out: _Record[] = [];
  for (const shard of await listAllShards(new SdkKinesisApi(kinesis), streamName)) {
    const start = new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' });
    let iterator = (await kinesis.send(start)).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      if ((page.Records ?? []).length === 0) break;
      out.push(...page.Records!);
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

describe('Kinesis records at the largest aggregationMaxSize, against the embedded Kinesis', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterAll(() => stack.close());

  it.each(['none', 'deflate'] as const)(
    'with compression %s: every record accepted at the first attempt, none over 1 MiB with its key, every user record read back',
    async (compression) => {
      const stream = randomName('limit');
      // One shard, so that the aggregate of exactly 1 MiB is built as planned.
      await createStream(stack.kinesis, stream, 1);
      const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, aggregationMaxSize: MiB, compression });
      const failedRequests: unknown[] = [];
      producer.on('producer.putRecords', (e) => {
        if (e.error || e.failedKinesisRecords > 0) failedRequests.push(e.error ?? `${e.failedKinesisRecords} failed entries`);
      });

      const waves: Input[][] = [
        exactlyOneMiB(1_000),
        // Single user records of the largest size, data plus partition key exactly 1 MiB.
        ['largest-1', 'largest-2'].map((partitionKey, i) => ({ data: tagged(2_000 + i, MiB - partitionKey.length), partitionKey })),
        // Random sizes over a few repeated keys: aggregates close to 1 MiB.
        Array.from({ length: 60 }, (_, i) => ({ data: tagged(3_000 + i, (i * 7919) % 150_000), partitionKey: `user-${i % 5}` })),
        // Compressible JSON, which deflate does shrink.
        Array.from({ length: 3_000 }, (_, i) => ({ data: Buffer.from(JSON.stringify({ id: 4_000 + i, page: '/products', user: `u-${i % 50}` })), partitionKey: `u-${i % 50}` })),
      ];
      const results: PutResult[] = [];
      // Wave by wave: each starts on an empty buffer, so the first one packs as planned.
      for (const wave of waves) results.push(...(await Promise.all(wave.map((i) => producer.put(i.data, { partitionKey: i.partitionKey })))));
      await producer.close();
      expect(failedRequests).toEqual([]);
      expect(producer.metrics().ErrorsByCode).toEqual({});
      expect(results.filter((r) => r.attempts !== 1)).toEqual([]);

      const records = await readKinesisRecords(stack.kinesis, stream);
      const sizes = records.map((r) => r.Data!.length + Buffer.byteLength(r.PartitionKey!));
      expect(sizes.filter((size) => size > MiB)).toEqual([]);
      expect(Math.max(...sizes)).toBe(MiB); // the largest single records reach the limit exactly
      const envelopes = records.filter((r) => isEnvelope(r.Data!)).length;
      if (compression === 'deflate') expect(envelopes).toBeGreaterThan(0);
      else expect(envelopes).toBe(0);

      const read = records.flatMap((r) => decodeKinesisRecord(r.Data!, r.PartitionKey!, undefined, DEFAULT_MAX_INFLATED_BYTES).records);
      const sent = waves.flat();
      expect(read.length).toBe(sent.length);
      const byData = new Map(read.map((u) => [Buffer.from(u.data).toString('base64'), u.partitionKey]));
      expect(sent.filter((i) => byData.get(i.data.toString('base64')) !== i.partitionKey).length).toBe(0);
      console.log(
        `compression ${compression}: ${records.length} Kinesis records, largest aggregate ${Math.max(...records.filter((r) => r.PartitionKey === 'a').map((r) => r.Data!.length))} bytes + key, ${envelopes} envelopes`,
      );
    },
    120_000,
  );
});
