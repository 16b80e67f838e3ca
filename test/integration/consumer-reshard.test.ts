import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListShardsCommand, MergeShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { createProducer } from '../../src/producer/producer.ts';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream, waitForStreamActive } from '../../src/testing/streams.ts';
import { clickEvent } from './producer-helpers.ts';
import { until } from './wait.ts';


describe('consumer across resharding', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('reads every record of parents and children through a split and a merge, each child only after its parents ended', async () => {
    const stream = randomName('cr');
    await createStream(stack.kinesis, stream, 2);
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis });
    let next = 0;
    const pending: Promise<unknown>[] = [];
    const produce = async (n: number) => {
      for (let i = 0; i < n; i++, next++) pending.push(producer.put(clickEvent(next).value, { partitionKey: clickEvent(next).partitionKey }));
      await producer.flush();
    };

    let tick = 0;
    const firstAt = new Map<string, number>();
    const lastAt = new Map<string, number>();
    const seen = new Set<number>();
    let deliveries = 0;
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
        for (const r of records) {
          tick++;
          if (!firstAt.has(r.shardId)) firstAt.set(r.shardId, tick);
          lastAt.set(r.shardId, tick);
          seen.add((JSON.parse(r.data.toString()) as { id: number }).id);
          deliveries++;
        }
      },
    });
    await consumer.start();
    await produce(3000);

    const { Shards } = await stack.kinesis.send(new ListShardsCommand({ StreamName: stream }));
    const first = Shards![0];
    const middle = (BigInt(first.HashKeyRange!.StartingHashKey!) + BigInt(first.HashKeyRange!.EndingHashKey!)) / 2n;
    await stack.kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: first.ShardId!, NewStartingHashKey: middle.toString() }));
    await waitForStreamActive(stack.kinesis, stream);
    await produce(3000);

    const open = (await stack.kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards!.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
    open.sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
    await stack.kinesis.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: open[0].ShardId!, AdjacentShardToMerge: open[1].ShardId! }));
    await waitForStreamActive(stack.kinesis, stream);
    await produce(3000);
    await Promise.all(pending);
    await producer.close();

    await until(() => seen.size === next);
    await consumer.close();
    // Aggregates built before the producer saw the split may land on a child that does not own
    // all of their user records; the consumer drops them whole and the producer sends all of
    // their user records again, so nothing arrives twice.
    expect(deliveries).toBe(next);

    const all = (await stack.kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards!;
    expect(all.length).toBe(5);
    for (const shard of all) {
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => Boolean(p));
      if (!firstAt.has(shard.ShardId!)) continue;
      for (const parent of parents) {
        if (!lastAt.has(parent)) continue;
        expect(firstAt.get(shard.ShardId!)!, `${shard.ShardId} started before its parent ${parent} ended`).toBeGreaterThan(lastAt.get(parent)!);
      }
    }
    // every shard that received records was read
    expect(firstAt.size).toBeGreaterThanOrEqual(4);
  });
});
