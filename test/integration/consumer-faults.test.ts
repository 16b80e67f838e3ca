import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { encodeAggregatedRecord } from '../../src/codec/aggregation.ts';
import { encodeEnvelope } from '../../src/codec/envelope.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import type { BatchFailure } from '../../src/consumer/error-handling/options.ts';
import type { ConsumerRecord } from '../../src/consumer/record.ts';
import { until } from './wait.ts';


function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

describe('consumer error handling and hostile input', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('bisects around a poison record, sends only it to the on-failure destination, and the shard goes on', async () => {
    const stream = randomName('poison');
    await createStream(stack.kinesis, stream, 1);
    const records = Array.from({ length: 200 }, (_, i) => ({ Data: json({ id: i }), PartitionKey: `k${i}` }));
    await stack.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
    const processed = new Map<number, number>();
    const failures: BatchFailure[] = [];
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      errorHandling: {
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 2,
        retryBaseDelayMs: 5,
        retryMaxDelayMs: 20,
        onFailure: async (failure) => {
          failures.push(failure);
        },
      },
      async handler(batch: ConsumerRecord[]) {
        const ids = batch.map((r) => (JSON.parse(r.data.toString()) as { id: number }).id);
        if (ids.includes(137)) throw new Error('cannot handle record 137');
        for (const id of ids) processed.set(id, (processed.get(id) ?? 0) + 1);
      },
    });
    await consumer.start();
    await until(() => processed.size === 199);
    await consumer.close();
    expect(failures).toHaveLength(1);
    expect(failures[0].records.map((r) => JSON.parse(r.data.toString()).id)).toEqual([137]);
    expect(failures[0].reason).toBe('retriesExhausted');
    expect(failures[0].error).toBeInstanceOf(Error);
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
    expect(consumer.metrics().RecordsToFailureDestination).toBe(1);
  });

  it('restarts a shard consumer whose processor throws, from the last checkpoint, and still closes', async () => {
    const stream = randomName('crash');
    await createStream(stack.kinesis, stream, 1);
    await stack.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: 10 }, (_, i) => ({ Data: json({ id: i }), PartitionKey: 'k' })) }));
    let calls = 0;
    const delivered: number[] = [];
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      processor: () => ({
        async processRecords({ records, checkpointer }) {
          calls++;
          if (calls <= 2) throw new Error('processor bug');
          for (const r of records) delivered.push(JSON.parse(r.data.toString()).id);
          await checkpointer.checkpoint();
        },
        shardEnded: async ({ checkpointer }) => checkpointer.checkpoint(),
      }),
    });
    const restarts: unknown[] = [];
    consumer.on('consumer.restart', (e) => restarts.push(e));
    await consumer.start();
    await until(() => delivered.length === 10);
    await consumer.close();
    expect(restarts).toHaveLength(2);
    expect(delivered).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(consumer.metrics().Restarts).toBe(2);
  });

  it('passes corrupt records through raw, counts them, and keeps reading the shard', async () => {
    const stream = randomName('corrupt');
    await createStream(stack.kinesis, stream, 1);
    const aggregate = encodeAggregatedRecord({
      partitionKeys: ['k'],
      explicitHashKeys: [],
      records: [
        { partitionKeyIndex: 0, data: json({ id: 'a1' }) },
        { partitionKeyIndex: 0, data: json({ id: 'a2' }) },
      ],
    });
    const badMd5 = Buffer.from(aggregate);
    badMd5[badMd5.length - 1] ^= 0xff;
    const body = aggregate.subarray(4, aggregate.length - 16);
    const truncatedBody = body.subarray(0, body.length - 5);
    const truncated = Buffer.concat([aggregate.subarray(0, 4), truncatedBody, createHash('md5').update(truncatedBody).digest()]);
    const envelope = encodeEnvelope(aggregate);
    const badEnvelope = Buffer.from(envelope);
    badEnvelope[badEnvelope.length - 3] ^= 0xff;
    const bombHeader = Buffer.from([0xf3, 0x4b, 0x41, 0x5a, 1, 1, 0, 0, 0, 0]);
    bombHeader.writeUInt32BE(50 * 1024 * 1024, 6);
    const bomb = Buffer.concat([bombHeader, deflateSync(Buffer.alloc(50 * 1024 * 1024))]);
    const entries = [badMd5, json({ id: 'g1' }), truncated, json({ id: 'g2' }), badEnvelope, json({ id: 'g3' }), bomb, envelope, json({ id: 'g4' })];
    await stack.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries.map((Data) => ({ Data, PartitionKey: 'k' })) }));

    const seen: Buffer[] = [];
    const bad: string[] = [];
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      maxInflatedBytes: 1024 * 1024,
      async handler(batch) {
        for (const r of batch) seen.push(r.data);
      },
    });
    consumer.on('consumer.badRecord', ({ sequenceNumber }) => bad.push(sequenceNumber));
    await consumer.start();
    await until(() => seen.length === 10);
    await consumer.close();
    const text = seen.map((d) => d.toString());
    // the good ones, in order, and the valid envelope's two user records
    expect(text.filter((t) => t.startsWith('{'))).toEqual(['{"id":"g1"}', '{"id":"g2"}', '{"id":"g3"}', '{"id":"a1"}', '{"id":"a2"}', '{"id":"g4"}']);
    // the four corrupt ones came through raw, byte for byte
    expect(seen.filter((d) => !d.toString().startsWith('{')).map((d) => d.length)).toEqual([badMd5.length, truncated.length, badEnvelope.length, bomb.length]);
    const metrics = consumer.metrics();
    expect(metrics.InvalidAggregates).toBe(2);
    expect(metrics.BadEnvelopes).toBe(2);
    expect(bad).toHaveLength(4);
  });

  it('starts new leases at LATEST by default and at a timestamp when asked', async () => {
    const stream = randomName('position');
    await createStream(stack.kinesis, stream, 1);
    await stack.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: [{ Data: json({ id: 'old' }), PartitionKey: 'k' }] }));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const cut = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await stack.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: [{ Data: json({ id: 'middle' }), PartitionKey: 'k' }] }));

    // Its own client, to see when the consumer has its LATEST iterator: only records put after
    // that are past LATEST, however long the consumer took to get there.
    const kinesis = createKinesisClient(stack.kinesisConnection);
    let iterators = 0;
    kinesis.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        if ((args.input as { ShardIteratorType?: string }).ShardIteratorType === 'LATEST') iterators++;
        return result;
      },
      { step: 'initialize' },
    );
    const latest: string[] = [];
    const fromLatest = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis,
      dynamodb: stack.dynamodb,
      idleTimeBetweenReadsInMillis: 20,
      async handler(batch) {
        for (const r of batch) latest.push(JSON.parse(r.data.toString()).id);
      },
    });
    await fromLatest.start();
    await until(() => iterators > 0);
    await stack.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: [{ Data: json({ id: 'new' }), PartitionKey: 'k' }] }));
    await until(() => latest.length === 1);
    await fromLatest.close();
    kinesis.destroy();
    expect(latest).toEqual(['new']);

    const timed: string[] = [];
    const fromTimestamp = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: { timestamp: cut },
      async handler(batch) {
        for (const r of batch) timed.push(JSON.parse(r.data.toString()).id);
      },
    });
    await fromTimestamp.start();
    await until(() => timed.length === 2);
    await fromTimestamp.close();
    expect(timed).toEqual(['middle', 'new']);
  });
});
