import { createRequire } from 'node:module';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { createProducer } from '../../src/producer/producer.ts';
import type { ProducerOptions } from '../../src/producer/options.ts';
import { listAllShards } from '../../src/kinesis/list-shards.ts';
import { SdkKinesisApi } from '../../src/kinesis/sdk-kinesis-api.ts';
import { isEnvelope } from '../../src/codec/envelope.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { clickEvent, range } from './producer-helpers.ts';
import { until } from './wait.ts';

// aws-kinesis-agg's own declarations import the v2 SDK, which is not installed: type what is used.
const agg = createRequire(import.meta.url)('aws-kinesis-agg') as {
  deaggregateSync(record: object, checksums: boolean, done: (err: Error | null, records?: { Data?: string; PartitionKey?: string }[]) => void): void;
};

/** Reads every Kinesis record of a stream and de-aggregates it with aws-kinesis-agg, as a Lambda or a plain SDK reader would. */
async function readWithKinesisAgg(kinesis: KinesisClient, streamName: string) {
  const out = { kinesisRecords: 0, envelopes: 0, userRecords: [] as { data: Buffer; partitionKey: string | undefined }[] };
  for (const shard of await listAllShards(new SdkKinesisApi(kinesis), streamName)) {
    const start = new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' });
    let iterator = (await kinesis.send(start)).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = page.Records ?? [];
      if (records.length === 0) break;
      for (const record of records) {
        out.kinesisRecords++;
        if (isEnvelope(record.Data!)) out.envelopes++;
        agg.deaggregateSync(record, true, (err, users) => {
          if (err) throw err;
          for (const u of users!) out.userRecords.push({ data: Buffer.from(u.Data!, 'base64'), partitionKey: u.PartitionKey });
        });
      }
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

/** Puts click events `ids` through a producer with these options, and closes it. */
async function put(kinesis: KinesisClient, streamName: string, ids: number[], options: Partial<ProducerOptions> = {}): Promise<void> {
  const producer = createProducer({ streamName, kinesis, ...options });
  await Promise.all(ids.map((id) => producer.put(clickEvent(id).value, { partitionKey: clickEvent(id).partitionKey })));
  await producer.close();
}

describe('what Kinesis readers make of the producer’s records', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('with default options writes plain KPL records: aws-kinesis-agg de-aggregates every user record', async () => {
    const stream = randomName('readers');
    await createStream(stack.kinesis, stream, 2);
    await put(stack.kinesis, stream, range(2000));

    const got = await readWithKinesisAgg(stack.kinesis, stream);
    const unreadable = got.userRecords.filter((u) => !u.data.toString('utf8').startsWith('{'));
    expect(unreadable.length).toBe(0);
    expect(got.envelopes).toBe(0);
    // Aggregated, so the check is about readers and not about single records sent as-is.
    expect(got.kinesisRecords).toBeLessThan(100);
    const ids = got.userRecords.map((u) => (JSON.parse(u.data.toString('utf8')) as { id: number }).id);
    expect(ids.sort((a, b) => a - b)).toEqual(range(2000));
    for (const u of got.userRecords) {
      const { id } = JSON.parse(u.data.toString('utf8')) as { id: number };
      expect(u.partitionKey).toBe(clickEvent(id).partitionKey);
    }
  });

  it("with compression 'deflate' writes envelopes that the framework's consumer reads in full", async () => {
    const stream = randomName('deflate');
    await createStream(stack.kinesis, stream, 2);
    await put(stack.kinesis, stream, range(2000), { compression: 'deflate' });
    expect((await readWithKinesisAgg(stack.kinesis, stream)).envelopes).toBeGreaterThan(0);

    const seen = new Map<number, number>();
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: 50,
      async handler(records) {
        for (const r of records) {
          const { id } = JSON.parse(r.data.toString('utf8')) as { id: number };
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }
      },
    });
    await consumer.start();
    await until(() => seen.size === 2000);
    await consumer.close();
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(range(2000));
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });
});
