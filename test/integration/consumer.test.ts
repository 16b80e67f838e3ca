import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import type { ConsumerRecord } from '../../src/consumer/record.ts';
import { putClickEvents, range } from './producer-helpers.ts';
import { until } from './wait.ts';

function produce(stack: LocalStack, stream: string, ids: number[]) {
  return putClickEvents(stack.kinesis, stream, ids);
}


describe('consumer against the embedded Kinesis and DynamoDB', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('one worker processes 100,000 events from 4 shards at least once, in order per shard; a restart resumes from its checkpoints', async () => {
    const stream = randomName('c1');
    const app = randomName('app');
    await createStream(stack.kinesis, stream, 4);
    await produce(stack, stream, range(100_000));

    const seen = new Map<number, number>();
    const lastSeq = new Map<string, bigint>();
    const orderViolations: string[] = [];
    const handler = async (records: ConsumerRecord[]) => {
      for (const r of records) {
        const id = (JSON.parse(r.data.toString()) as { id: number }).id;
        seen.set(id, (seen.get(id) ?? 0) + 1);
        const position = BigInt(r.sequenceNumber) * 100_000n + BigInt(r.subSequenceNumber);
        const previous = lastSeq.get(r.shardId);
        if (previous !== undefined && position <= previous) orderViolations.push(r.shardId);
        lastSeq.set(r.shardId, position);
      }
    };
    const options = { streamName: stream, applicationName: app, kinesis: stack.kinesis, dynamodb: stack.dynamodb, initialPositionInStreamExtended: 'TRIM_HORIZON' as const, idleTimeBetweenReadsInMillis: 50 };
    const first = createConsumer({ ...options, handler });
    const started = Date.now();
    await first.start();
    await until(() => seen.size === 100_000);
    const seconds = (Date.now() - started) / 1000;
    await first.close();
    expect(orderViolations).toEqual([]);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const metrics = first.metrics();
    expect(metrics.RecordsProcessed).toBe(100_000);
    expect(metrics.CheckpointsWritten).toBeGreaterThan(0);
    console.log(`one worker: 100,000 user records in ${seconds.toFixed(2)} s = ${Math.round(100_000 / seconds)} records/s`);

    // More events; a new worker resumes from the checkpoints: nothing checkpointed is reprocessed.
    await produce(stack, stream, range(20_000).map((i) => 100_000 + i));
    const resumed = new Map<number, number>();
    const second = createConsumer({
      ...options,
      async handler(records) {
        for (const r of records) {
          const id = (JSON.parse(r.data.toString()) as { id: number }).id;
          resumed.set(id, (resumed.get(id) ?? 0) + 1);
        }
      },
    });
    await second.start();
    await until(() => resumed.size === 20_000);
    await second.close();
    expect([...resumed.keys()].every((id) => id >= 100_000)).toBe(true);
    expect([...resumed.values()].every((n) => n === 1)).toBe(true);
  });

  it('resumes inside an aggregated record after a checkpoint in its middle', async () => {
    const stream = randomName('c2');
    const app = randomName('app');
    await createStream(stack.kinesis, stream, 1);
    await produce(stack, stream, range(2000));
    let checkpointed: ConsumerRecord | undefined;
    const processed: number[] = [];
    const first = createConsumer({
      streamName: stream,
      applicationName: app,
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      processor: () => ({
        async processRecords({ records, checkpointer }) {
          for (const r of records) {
            if (processed.length === 777) break;
            processed.push((JSON.parse(r.data.toString()) as { id: number }).id);
            checkpointed = r;
          }
          await checkpointer.checkpoint(checkpointed);
        },
        shardEnded: async ({ checkpointer }) => checkpointer.checkpoint(),
      }),
    });
    await first.start();
    await until(() => processed.length === 777);
    await first.close();
    expect(checkpointed!.subSequenceNumber).toBeGreaterThan(0);

    const rest: number[] = [];
    const second = createConsumer({
      streamName: stream,
      applicationName: app,
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      async handler(records) {
        for (const r of records) rest.push((JSON.parse(r.data.toString()) as { id: number }).id);
      },
    });
    await second.start();
    await until(() => rest.length >= 2000 - 777);
    await second.close();
    expect([...processed, ...rest].sort((a, b) => a - b)).toEqual(range(2000));
  });
});
