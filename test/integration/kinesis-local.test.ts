// Functional tests against kinesis-local (kinesis-mock) for what kinesalite lacks:
// UpdateShardCount, and ChildShards in GetRecords. kinesis-local is ~70× slower than kinesalite
// under load, so the volumes here are small; the volume tests stay on kinesalite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  UpdateShardCountCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { createProducer } from '../../src/producer/producer.ts';
import type { PutResult } from '../../src/producer/user-record.ts';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { listAllShards } from '../../src/kinesis/list-shards.ts';
import { SdkKinesisApi } from '../../src/kinesis/sdk-kinesis-api.ts';
import { startKinesisLocal, type KinesisLocal } from '../../src/testing/kinesis-local.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream, waitForStreamActive } from '../../src/testing/streams.ts';
import { account, clickEvent, range } from './producer-helpers.ts';

const BATCH = 300;

/** Polls until `condition` holds; fails after `timeoutMs` with `describe()` in the message. */
async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function parentsOf(shard: Shard): string[] {
  return [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => Boolean(id));
}

function isOpen(shard: Shard): boolean {
  return shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
}

/** UpdateShardCount with uniform scaling, then waits for ACTIVE. */
async function scaleTo(kinesis: KinesisClient, stream: string, shards: number): Promise<void> {
  await kinesis.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: shards, ScalingType: 'UNIFORM_SCALING' }));
  await waitForStreamActive(kinesis, stream, 20_000);
}

describe('against kinesis-local (UpdateShardCount, ChildShards)', () => {
  let local: KinesisLocal;
  let stack: LocalStack;
  beforeAll(async () => {
    // kinesis-local for Kinesis; only dynalite is used from the local stack (for leases).
    [local, stack] = await Promise.all([startKinesisLocal(), startLocalStack({})]);
  });
  afterAll(async () => {
    await Promise.all([local?.close(), stack?.close()]);
  });

  it('producer: every put succeeds across UpdateShardCount 2→4, and the shard map is reloaded with the 4 new shards', async () => {
    const stream = randomName('kl-prod');
    await createStream(local.kinesis, stream, 2);
    const producer = createProducer({ streamName: stream, kinesis: local.kinesis });
    const maps: string[][] = [];
    const failures: Error[] = [];
    producer.on('producer.shardMap', (e) => maps.push(e.shardIds));
    producer.on('producer.recordFailed', (e) => failures.push(e.error));
    let next = 0;
    const produce = async (n: number): Promise<PutResult[]> => {
      const results: Promise<PutResult>[] = [];
      for (let i = 0; i < n; i++, next++) {
        const { value, partitionKey } = clickEvent(next);
        results.push(producer.put(value, { partitionKey }));
      }
      await producer.flush();
      return Promise.all(results);
    };

    try {
      const before = await produce(BATCH);
      await scaleTo(local.kinesis, stream, 4);
      const after = await produce(BATCH);
      expect(failures).toEqual([]);
      expect(before).toHaveLength(BATCH);
      expect(after).toHaveLength(BATCH);

      const shards = await listAllShards(new SdkKinesisApi(local.kinesis), stream);
      const children = shards.filter(isOpen).map((s) => s.ShardId!).sort();
      expect(children, 'UNIFORM_SCALING 2→4 leaves 4 open shards').toHaveLength(4);
      // Kinesis put the second batch on the new shards only, whatever the producer predicted.
      for (const result of after) expect(children).toContain(result.shardId);

      expect(maps[0], 'the first shard map has the 2 original shards').toHaveLength(2);
      const reloaded = maps.slice(1).find((ids) => ids.length === 4);
      expect(reloaded, `a later shard map with 4 open shards; maps seen: ${JSON.stringify(maps)}`).toBeDefined();
      expect([...reloaded!].sort()).toEqual(children);
    } finally {
      await producer.close();
    }

    const got = await account(local.kinesis, stream, range(2 * BATCH));
    expect(got.missing).toEqual([]);
  });

  it('consumer: reads every record of parents and children, each child only after its parents ended', async () => {
    const stream = randomName('kl-cons');
    await createStream(local.kinesis, stream, 2);
    const producer = createProducer({ streamName: stream, kinesis: local.kinesis });
    let next = 0;
    const produce = async (n: number) => {
      const results: Promise<PutResult>[] = [];
      for (let i = 0; i < n; i++, next++) {
        const { value, partitionKey } = clickEvent(next);
        results.push(producer.put(value, { partitionKey }));
      }
      await producer.flush();
      await Promise.all(results);
    };

    // Receipt order across all shards: one tick per record handed to the handler. After the
    // reshard the producer re-sends the user records of an aggregate that landed on the sibling
    // child (as the KPL does), and the consumer drops the copies outside its shard's hash range
    // (as the KCL does), so every record arrives exactly once.
    let tick = 0;
    let deliveries = 0;
    const firstAt = new Map<string, number>();
    const lastAt = new Map<string, number>();
    const seen = new Set<number>();
    const ended: string[] = [];
    const restarts: unknown[] = [];
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('kl-app'),
      kinesis: local.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      parentShardPollIntervalMillis: 100,
      shardSyncIntervalMillis: 500,
      idleTimeBetweenReadsInMillis: 100,
      async handler(records) {
        for (const r of records) {
          tick++;
          deliveries++;
          if (!firstAt.has(r.shardId)) firstAt.set(r.shardId, tick);
          lastAt.set(r.shardId, tick);
          seen.add((JSON.parse(r.data.toString('utf8')) as { id: number }).id);
        }
      },
    });
    consumer.on('consumer.shardStopped', (e) => {
      if (e.reason === 'shardEnded') ended.push(e.shardId);
    });
    consumer.on('consumer.restart', (e) => restarts.push(e));

    let shards: Shard[] = [];
    try {
      await consumer.start();
      await produce(BATCH);
      await scaleTo(local.kinesis, stream, 4);
      await produce(BATCH);
      await producer.close();

      const total = next;
      await waitFor(
        () => seen.size === total,
        40_000,
        () => `consumer saw ${seen.size} of ${total} records; shards read: ${JSON.stringify([...firstAt.keys()])}; ended: ${JSON.stringify(ended)}`,
      );
      shards = await listAllShards(new SdkKinesisApi(local.kinesis), stream);
      const parents = shards.filter((s) => !isOpen(s)).map((s) => s.ShardId!);
      await waitFor(
        () => parents.every((p) => ended.includes(p)),
        10_000,
        () => `parents ${JSON.stringify(parents)} reached SHARD_END; ended: ${JSON.stringify(ended)}`,
      );
      expect(deliveries).toBe(total);
    } finally {
      await producer.close();
      await consumer.close();
    }

    // kinesis-local reports lineage like kinesalite and AWS: ParentShardId on each child of a
    // uniform 2→4 scaling (no AdjacentParentShardId, since no child spans two parents).
    const children = shards.filter((s) => parentsOf(s).length > 0);
    expect(shards).toHaveLength(6);
    expect(children).toHaveLength(4);
    expect(restarts).toEqual([]);
    for (const shard of shards) expect(firstAt.has(shard.ShardId!), `records of ${shard.ShardId} were processed`).toBe(true);
    for (const child of children) {
      for (const parent of parentsOf(child)) {
        expect(firstAt.get(child.ShardId!)!, `${child.ShardId}'s first record came after the last of its parent ${parent}`).toBeGreaterThan(
          lastAt.get(parent)!,
        );
      }
    }
  });

  it('GetRecords returns ChildShards at the end of a closed parent (our consumer does not rely on it)', async () => {
    // The consumer derives lineage from ListShards' ParentShardId / AdjacentParentShardId
    // (src/consumer/shard-sync.ts) and ends a shard on a null NextShardIterator, because
    // kinesalite never returns ChildShards. This only documents that kinesis-local does.
    const stream = randomName('kl-child');
    await createStream(local.kinesis, stream, 2);
    for (let i = 0; i < 20; i++) {
      await local.kinesis.send(new PutRecordCommand({ StreamName: stream, PartitionKey: `key-${i}`, Data: Buffer.from(`record-${i}`) }));
    }
    await scaleTo(local.kinesis, stream, 4);
    const shards = await listAllShards(new SdkKinesisApi(local.kinesis), stream);

    for (const parent of shards.filter((s) => !isOpen(s))) {
      const expected = shards.filter((s) => parentsOf(s).includes(parent.ShardId!)).map((s) => s.ShardId!).sort();
      expect(expected).toHaveLength(2);
      let iterator = (
        await local.kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: parent.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))
      ).ShardIterator;
      let childShards: { ShardId?: string; ParentShards?: string[] }[] | undefined;
      let records = 0;
      // A closed shard ends with a null NextShardIterator; bounded in case it never does.
      for (let page = 0; iterator && page < 50; page++) {
        const result = await local.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records += result.Records?.length ?? 0;
        if (result.ChildShards?.length) childShards = result.ChildShards;
        iterator = result.NextShardIterator;
      }
      expect(iterator, `${parent.ShardId} ended with a null NextShardIterator`).toBeUndefined();
      expect(records).toBeGreaterThan(0);
      expect(childShards?.map((c) => c.ShardId!).sort(), `ChildShards at the end of ${parent.ShardId}`).toEqual(expected);
      for (const child of childShards!) expect(child.ParentShards).toContain(parent.ShardId);
    }
  });
});
