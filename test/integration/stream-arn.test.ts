// A producer and a consumer configured by stream ARN, on an on-demand stream, against
// kinesis-local (kinesis-mock), which takes StreamARN on every call and creates on-demand streams
// (4 shards). It does not scale them by itself: UpdateShardCount on the on-demand stream stands
// in for Kinesis scaling it, and drives the same path the producer takes on any reshard (a put
// lands on an unexpected shard, the shard map is reloaded with ListShards, records of closed
// shards are routed again). kinesalite takes no StreamARN and no on-demand streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeStreamSummaryCommand, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { createProducer } from '../../src/producer/producer.ts';
import type { PutResult } from '../../src/producer/user-record.ts';
import { listAllShards } from '../../src/kinesis/list-shards.ts';
import { SdkKinesisApi } from '../../src/kinesis/sdk-kinesis-api.ts';
import { startKinesisLocal, type KinesisLocal } from '../../src/testing/kinesis-local.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream, waitForStreamActive } from '../../src/testing/streams.ts';
import { clickEvent } from './producer-helpers.ts';
import { until } from './wait.ts';

const BATCH = 150;

describe('streamArn and on-demand streams (kinesis-local)', () => {
  let local: KinesisLocal;
  let stack: LocalStack;
  beforeAll(async () => {
    [local, stack] = await Promise.all([startKinesisLocal(), startLocalStack({})]);
  });
  afterAll(async () => {
    await Promise.all([local?.close(), stack?.close()]);
  });

  it('a producer and a consumer by ARN put and read every record across a scaling of the on-demand stream', async () => {
    const stream = randomName('od');
    await createStream(local.kinesis, stream, 1, { onDemand: true });
    const summary = (await local.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!;
    expect(summary.StreamModeDetails?.StreamMode).toBe('ON_DEMAND');
    const streamArn = summary.StreamARN!;
    expect(streamArn).toBe(`arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`);
    const before = (await listAllShards(new SdkKinesisApi(local.kinesis), streamArn)).map((s) => s.ShardId!);

    const producer = createProducer({ streamArn, kinesis: local.kinesis });
    const maps: string[][] = [];
    producer.on('producer.shardMap', (e) => maps.push(e.shardIds));
    const failed: unknown[] = [];
    producer.on('producer.recordFailed', (e) => failed.push(e.error));
    const seen = new Map<number, number>();
    const applicationName = randomName('od-app');
    const consumer = createConsumer({
      streamArn,
      applicationName,
      kinesis: local.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      parentShardPollIntervalMillis: 100,
      shardSyncIntervalMillis: 500,
      idleTimeBetweenReadsInMillis: 100,
      async handler(records) {
        for (const r of records) {
          const id = (JSON.parse(r.data.toString('utf8')) as { id: number }).id;
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }
      },
    });
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
    let after: PutResult[];
    try {
      await consumer.start();
      await produce(BATCH);
      await local.kinesis.send(new UpdateShardCountCommand({ StreamARN: streamArn, TargetShardCount: before.length * 2, ScalingType: 'UNIFORM_SCALING' }));
      await waitForStreamActive(local.kinesis, stream, 20_000);
      after = await produce(BATCH);
      await until(() => seen.size === next, 60_000);
    } finally {
      await producer.close();
      await consumer.close();
    }
    // WrongShard: aggregates that landed on a sibling child were re-sent (the reshard path), nothing failed.
    expect(Object.keys(producer.metrics().ErrorsByCode).filter((code) => code !== 'WrongShard')).toEqual([]);
    expect(failed).toEqual([]);
    const open = (await listAllShards(new SdkKinesisApi(local.kinesis), streamArn)).filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined).map((s) => s.ShardId!);
    expect(open).toHaveLength(before.length * 2);
    for (const result of after) expect(open).toContain(result.shardId);
    expect(maps[0]!.sort()).toEqual([...before].sort());
    expect(maps.some((ids) => [...ids].sort().join() === [...open].sort().join()), `a shard map with the new shards; maps: ${JSON.stringify(maps)}`).toBe(true);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: next }, (_, i) => i));
  }, 240_000);

  it('refuses both or neither of streamName and streamArn, and a malformed ARN, before any call', () => {
    const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/s';
    expect(() => createProducer({ streamName: 's', streamArn: arn, kinesis: local.kinesis })).toThrow('options.streamName and options.streamArn name the same stream: give only one of them');
    expect(() => createProducer({ kinesis: local.kinesis })).toThrow('options.streamName or options.streamArn is required');
    expect(() => createProducer({ streamArn: 'arn:aws:kinesis:us-east-1:0:stream/s', kinesis: local.kinesis })).toThrow(/options\.streamArn must be a stream ARN/);
    const consumerOptions = { applicationName: 'app-x', kinesis: local.kinesis, dynamodb: stack.dynamodb, handler: async () => {} };
    expect(() => createConsumer({ ...consumerOptions, streamArn: 'arn:aws:kinesis:us-east-1:000000000000:s' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('options.streamArn must be a stream ARN') }),
    );
    expect(() => createConsumer({ ...consumerOptions, streamName: 's', streamArn: arn })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
