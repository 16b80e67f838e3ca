import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { createProducer } from '../../src/producer/producer.ts';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream, waitForStreamActive } from '../../src/testing/streams.ts';
import { clickEvent, range } from './producer-helpers.ts';
import { readRawShards, readWithAwsKinesisAgg } from './kcl-readers.ts';
import { until } from './wait.ts';

const BEFORE = 1500;
const AFTER = 1500;

/** How often each event id was seen, and which expected ids never were. */
function tally(data: readonly Buffer[], expected: number) {
  const counts = new Map<number, number>();
  for (const d of data) {
    const { id } = JSON.parse(d.toString('utf8')) as { id: number };
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const missing = range(expected).filter((id) => !counts.has(id));
  let duplicates = 0;
  for (const n of counts.values()) duplicates += n - 1;
  return { missing: missing.length, duplicates };
}

describe('a 2 → 4 split while the producer writes on a stale shard map', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('every event reaches the framework consumer once, and a KCL-rule reader and plain aws-kinesis-agg at least once', async () => {
    const stream = randomName('split');
    await createStream(stack.kinesis, stream, 2);
    // KPL records only, so readers other than the framework can read the stream.
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, compression: 'none' });
    const results: Promise<unknown>[] = [];
    const produce = async (from: number, n: number) => {
      for (let id = from; id < from + n; id++) {
        const { value, partitionKey } = clickEvent(id);
        results.push(producer.put(value, { partitionKey }));
      }
      await producer.flush();
    };
    await produce(0, BEFORE);

    // Split both shards. The producer is not told: its next aggregates are built for the
    // parents, land on one child each, and hold user records of the sibling child too.
    const { Shards = [] } = await stack.kinesis.send(new ListShardsCommand({ StreamName: stream }));
    for (const parent of Shards) {
      const middle = (BigInt(parent.HashKeyRange!.StartingHashKey!) + BigInt(parent.HashKeyRange!.EndingHashKey!)) / 2n;
      await stack.kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: parent.ShardId!, NewStartingHashKey: middle.toString() }));
      await waitForStreamActive(stack.kinesis, stream);
    }
    await produce(BEFORE, AFTER);
    await Promise.all(results);
    await producer.close();
    const total = BEFORE + AFTER;

    const shards = await readRawShards(stack.kinesis, stream);
    expect(shards).toHaveLength(6);
    const kinesisRecords = shards.reduce((n, s) => n + s.records.length, 0);
    const plain = tally(readWithAwsKinesisAgg(shards, 'plain'), total);
    const kcl = tally(readWithAwsKinesisAgg(shards, 'kcl'), total);

    const seen: Buffer[] = [];
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      shardSyncIntervalMillis: 300,
      parentShardPollIntervalMillis: 50,
      idleTimeBetweenReadsInMillis: 20,
      async handler(records) {
        for (const r of records) seen.push(r.data);
      },
    });
    await consumer.start();
    await until(() => consumer.metrics().KinesisRecordsRead >= kinesisRecords);
    await consumer.close();
    const framework = tally(seen, total);
    const metrics = consumer.metrics();

    const report = { kinesisRecords, plain, kcl, framework, dropped: [metrics.AggregatesOutsideShard, metrics.UserRecordsOutsideShard] };
    expect(report.plain.missing, JSON.stringify(report)).toBe(0);
    expect(report.kcl.missing, JSON.stringify(report)).toBe(0);
    expect(report.framework, JSON.stringify(report)).toEqual({ missing: 0, duplicates: 0 });
    // The split did put straddling aggregates on the children: the rule was exercised.
    expect(metrics.AggregatesOutsideShard, JSON.stringify(report)).toBeGreaterThan(0);
  });
});
