import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListShardsCommand, SplitShardCommand, MergeShardsCommand } from '@aws-sdk/client-kinesis';
import { createProducer } from '../../src/producer/producer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream, waitForStreamActive } from '../../src/testing/streams.ts';
import { account, clickEvent, range } from './producer-helpers.ts';

describe('producer across resharding', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('keeps delivering through a split and a merge, reloading its shard map when puts land elsewhere', async () => {
    const stream = randomName('reshard');
    await createStream(stack.kinesis, stream, 2);
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis });
    const maps: number[] = [];
    producer.on('producer.shardMap', (e) => maps.push(e.shardIds.length));
    const results: Promise<unknown>[] = [];
    let next = 0;
    const produce = async (n: number) => {
      for (let i = 0; i < n; i++, next++) {
        const { value, partitionKey } = clickEvent(next);
        results.push(producer.put(value, { partitionKey }));
        if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await producer.flush();
    };
    await produce(5000);

    const { Shards } = await stack.kinesis.send(new ListShardsCommand({ StreamName: stream }));
    const first = Shards![0];
    const middle = (BigInt(first.HashKeyRange!.StartingHashKey!) + BigInt(first.HashKeyRange!.EndingHashKey!)) / 2n;
    await stack.kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: first.ShardId!, NewStartingHashKey: middle.toString() }));
    await waitForStreamActive(stack.kinesis, stream);
    await produce(5000);

    const open = (await stack.kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards!.filter(
      (s) => !s.SequenceNumberRange?.EndingSequenceNumber,
    );
    open.sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
    await stack.kinesis.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: open[0].ShardId!, AdjacentShardToMerge: open[1].ShardId! }));
    await waitForStreamActive(stack.kinesis, stream);
    await produce(5000);

    await Promise.all(results);
    await producer.close();
    const got = await account(stack.kinesis, stream, range(15_000));
    expect(got.missing).toEqual([]);
    // initial map (2 shards), after the split (3 open), after the merge (2 open)
    expect(maps[0]).toBe(2);
    expect(maps).toContain(3);
    expect(maps.length).toBeGreaterThanOrEqual(3);
    expect(maps.at(-1)).toBe(2);
  });
});
