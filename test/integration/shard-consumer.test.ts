import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { ListShardsCommand, PutRecordsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { createProducer } from '../../src/producer/producer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream, waitForStreamActive } from '../../src/testing/streams.ts';
import { systemClock } from '../../src/internal/clock.ts';
import { silentLogger } from '../../src/internal/logger.ts';
import { ShardConsumerSteps } from '../../src/consumer/shard-consumer-steps.ts';
import { shardConsumerLogic } from '../../src/consumer/shard-consumer.machine.ts';
import type { LeaseHandle } from '../../src/leases/lease-handle.ts';
import { newLease, type Lease } from '../../src/leases/lease.ts';
import type { RecordProcessor } from '../../src/consumer/processor.ts';
import type { ConsumerRecord } from '../../src/consumer/record.ts';
import { newDecodeCounts, type DecodeLimits } from '../../src/consumer/decode-records.ts';
import { handlerProcessor } from '../../src/consumer/handler-processor.ts';
import { resolveErrorHandlingOptions } from '../../src/consumer/error-handling/options.ts';
import { encodeAggregatedRecord } from '../../src/codec/aggregation.ts';
import { SdkKinesisApi } from '../../src/kinesis/sdk-kinesis-api.ts';

/** A lease kept in memory, so the shard consumer can be tested without the lease table. */
function memoryLease(shardId: string) {
  const history: string[] = [];
  const memory: { lease: Lease; history: string[]; handle: LeaseHandle } = {
    lease: newLease(shardId, { checkpoint: 'TRIM_HORIZON' }),
    history,
    handle: {
      shardId,
      read: async () => memory.lease,
      parentsDone: async () => true,
      checkpoint: async (checkpoint, checkpointSubSequenceNumber) => {
        memory.lease = { ...memory.lease, checkpoint, checkpointSubSequenceNumber };
        history.push(`${checkpoint}/${checkpointSubSequenceNumber}`);
        return memory.lease;
      },
    },
  };
  return memory;
}

const noReport = { batch: () => {}, badRecord: () => {}, checkpointed: () => {}, checkpointFailed: () => {} };

const limits = { maxInflatedBytes: 16 * 1024 * 1024, maxUserRecordsPerAggregate: 200_000, maxUserRecordsPerBatch: 10_000, maxInflatedBytesPerBatch: 32 * 1024 * 1024 };

function steps(stack: LocalStack, stream: string, shardId: string, processor: RecordProcessor, lease: ReturnType<typeof memoryLease>, decodeLimits: DecodeLimits = limits) {
  return new ShardConsumerSteps({
    stream: stream,
    kinesis: new SdkKinesisApi(stack.kinesis),
    clock: systemClock,
    logger: silentLogger(),
    processor,
    initialPosition: 'TRIM_HORIZON',
    reader: { maxRecords: 1000, minTimeBetweenReadsMs: 0, idleTimeBetweenReadsMs: 20, retryBaseDelayMs: 10, retryMaxDelayMs: 100 },
    limits: decodeLimits,
    parentPollIntervalMs: 20,
    lease: lease.handle,
    counts: newDecodeCounts(),
    report: noReport,
  });
}

describe('shard consumer against the embedded Kinesis', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterAll(() => stack.close());

  it('reads a shard to its end, checkpoints SHARD_END, and a restart resumes inside an aggregate', async () => {
    const stream = randomName('sc');
    await createStream(stack.kinesis, stream, 1);
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis });
    await Promise.all(Array.from({ length: 3000 }, (_, i) => producer.put({ i }, { partitionKey: `k${i % 10}` })));
    await producer.close();
    const shardId = 'shardId-000000000000';

    // First run: stop after 1,000 records with a checkpoint in the middle of an aggregate.
    const seen: number[] = [];
    const lease = memoryLease('shardId-000000000000');
    let checkpointedAt: ConsumerRecord | undefined;
    const first = createActor(
      shardConsumerLogic(
        steps(stack, stream, shardId, {
          async processRecords({ records, checkpointer }) {
            for (const r of records) {
              if (seen.length === 1000) break;
              seen.push(JSON.parse(r.data.toString()).i);
              checkpointedAt = r;
            }
            await checkpointer.checkpoint(checkpointedAt);
          },
          shardEnded: () => {},
        }, lease),
      ),
    );
    first.start();
    while (seen.length < 1000) await new Promise((resolve) => setTimeout(resolve, 10));
    first.send({ type: 'shardConsumer.shutdown' });
    await toPromise(first);
    expect(checkpointedAt!.subSequenceNumber).toBeGreaterThan(0);
    expect(lease.lease.checkpoint).toBe(checkpointedAt!.sequenceNumber);

    // Second run resumes right after the checkpointed user record and ends at SHARD_END... of an open shard: drain instead.
    const resumed: number[] = [];
    const second = createActor(
      shardConsumerLogic(
        steps(stack, stream, shardId, {
          async processRecords({ records, checkpointer }) {
            for (const r of records) resumed.push(JSON.parse(r.data.toString()).i);
            await checkpointer.checkpoint();
          },
          shardEnded: () => {},
        }, lease),
      ),
    );
    second.start();
    while (resumed.length < 2000) await new Promise((resolve) => setTimeout(resolve, 10));
    second.send({ type: 'shardConsumer.shutdown' });
    await toPromise(second);
    expect([...seen, ...resumed]).toEqual(Array.from({ length: 3000 }, (_, i) => i));

    // Close the shard by splitting it: the consumer reads to the end and must checkpoint SHARD_END.
    const { Shards } = await stack.kinesis.send(new ListShardsCommand({ StreamName: stream }));
    await stack.kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: shardId, NewStartingHashKey: (2n ** 127n).toString() }));
    await waitForStreamActive(stack.kinesis, stream);
    expect(Shards).toHaveLength(1);
    let ended = false;
    const third = createActor(
      shardConsumerLogic(
        steps(stack, stream, shardId, {
          processRecords: () => {},
          async shardEnded({ checkpointer }) {
            ended = true;
            await checkpointer.checkpoint();
          },
        }, lease),
      ),
    );
    third.start();
    const output = await toPromise(third);
    expect(output.reason).toBe('shardEnded');
    expect(ended).toBe(true);
    expect(lease.lease.checkpoint).toBe('SHARD_END');

    // A lease already at SHARD_END finishes at once.
    const fourth = createActor(shardConsumerLogic(steps(stack, stream, shardId, { processRecords: () => expect.unreachable(), shardEnded: () => {} }, lease)));
    fourth.start();
    await toPromise(fourth);
  });

  it('splits a read into batches, checkpoints after each handler call, and a restart resumes inside the aggregate', async () => {
    const stream = randomName('sc3');
    await createStream(stack.kinesis, stream, 1);
    const aggregate = encodeAggregatedRecord({
      partitionKeys: ['k'],
      explicitHashKeys: [],
      records: Array.from({ length: 50 }, (_, i) => ({ partitionKeyIndex: 0, data: Buffer.from(`a${i}`) })),
    });
    const entries = [Buffer.from('p0'), aggregate, Buffer.from('p1')];
    const { Records } = await stack.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries.map((Data) => ({ Data, PartitionKey: 'k' })) }));
    const [, aggregateSequence, lastSequence] = Records!.map((r) => r.SequenceNumber!);
    const all = ['p0', ...Array.from({ length: 50 }, (_, i) => `a${i}`), 'p1'];
    const lease = memoryLease('shardId-000000000000');
    const small = { ...limits, maxUserRecordsPerBatch: 7 };
    const run = (onBatch: (data: string[]) => void) =>
      createActor(
        shardConsumerLogic(
          steps(
            stack,
            stream,
            'shardId-000000000000',
            handlerProcessor(async (records) => onBatch(records.map((r) => r.data.toString())), resolveErrorHandlingOptions({}), { clock: systemClock, logger: silentLogger() }),
            lease,
            small,
          ),
        ),
      );

    // First run: drained during its third handler call, inside the aggregate.
    const first: string[][] = [];
    const firstRun = run((data) => {
      first.push(data);
      if (first.length === 3) firstRun.send({ type: 'shardConsumer.shutdown' });
    });
    firstRun.start();
    await toPromise(firstRun);
    expect(first).toEqual([all.slice(0, 7), all.slice(7, 14), all.slice(14, 21)]);
    // One checkpoint per call; the batches after the drain were never handed over.
    expect(lease.history).toEqual([`${aggregateSequence}/5`, `${aggregateSequence}/12`, `${aggregateSequence}/19`]);

    const second: string[][] = [];
    const secondRun = run((data) => second.push(data));
    secondRun.start();
    while (second.flat().length < all.length - 21) await new Promise((resolve) => setTimeout(resolve, 10));
    secondRun.send({ type: 'shardConsumer.shutdown' });
    await toPromise(secondRun);
    expect(second.flat()).toEqual(all.slice(21));
    expect(second.every((batch) => batch.length <= 7)).toBe(true);
    expect(lease.history.at(-1)).toBe(`${lastSequence}/0`);
  });

  it('fails the actor when a processor returns from shardEnded without checkpointing', async () => {
    const stream = randomName('sc2');
    await createStream(stack.kinesis, stream, 1);
    await stack.kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '1000' }));
    await waitForStreamActive(stack.kinesis, stream);
    const lease = memoryLease('shardId-000000000000');
    const actor = createActor(shardConsumerLogic(steps(stack, stream, 'shardId-000000000000', { processRecords: () => {}, shardEnded: () => {} }, lease)));
    const failure = new Promise((resolve) => actor.subscribe({ error: resolve }));
    actor.start();
    expect(((await failure) as { code: string }).code).toBe('SHARD_END_NOT_CHECKPOINTED');
  });
});
