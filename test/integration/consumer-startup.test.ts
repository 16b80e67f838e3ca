import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { ConsumerInitializationError } from '../../src/consumer/initialization.ts';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { startFailingProxy, type FailingProxy } from './failing-proxy.ts';
import { putClickEvents, range } from './producer-helpers.ts';
import { until } from './wait.ts';

describe('consumer start-up against the embedded Kinesis and DynamoDB', () => {
  let stack: LocalStack;
  const proxies: FailingProxy[] = [];
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await stack.close();
  });

  async function failingListShards(failures: number) {
    const proxy = await startFailingProxy(stack.kinesisEndpoint, 'ListShards', failures);
    proxies.push(proxy);
    return { proxy, kinesis: createKinesisClient({ ...stack.kinesisConnection, endpoint: proxy.endpoint }) };
  }

  it('tries the first shard sync again after a 500, and reads at once instead of a shard sync interval later', async () => {
    const stream = randomName('start');
    await createStream(stack.kinesis, stream, 2);
    await putClickEvents(stack.kinesis, stream, range(500));
    const { proxy, kinesis } = await failingListShards(1);
    let processed = 0;
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      // An hour: without a second try at start-up, nothing would be read before the next sync.
      shardSyncIntervalMillis: 3_600_000,
      async handler(records) {
        processed += records.length;
      },
    });
    try {
      await consumer.start();
      expect(proxy.failed).toBe(1);
      expect(consumer.heldShards().sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
      await until(() => processed === 500);
    } finally {
      await consumer.close();
      kinesis.destroy();
    }
  });

  it('resolves start() without starting the worker when close() is called before it is initialized', async () => {
    const stream = randomName('start');
    await createStream(stack.kinesis, stream, 2);
    const { proxy, kinesis } = await failingListShards(1_000);
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis,
      dynamodb: stack.dynamodb,
      async handler() {},
    });
    try {
      // The shard sync keeps failing, so the worker is still starting when its owner closes it.
      const started = consumer.start();
      await until(() => proxy.failed >= 1);
      await consumer.close();
      await expect(started).resolves.toBeUndefined();
      expect(consumer.heldShards()).toEqual([]);
    } finally {
      kinesis.destroy();
    }
  });

  it('rejects start() with INITIALIZATION_FAILED naming the shard sync once every attempt failed', async () => {
    const stream = randomName('start');
    await createStream(stack.kinesis, stream, 1);
    const { proxy, kinesis } = await failingListShards(Infinity);
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis,
      dynamodb: stack.dynamodb,
      maxInitializationAttempts: 3,
      schedulerInitializationBackoffTimeMillis: 20,
      async handler() {},
    });
    const error = await consumer.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    kinesis.destroy();
    expect(error).toBeInstanceOf(ConsumerInitializationError);
    expect(error).toMatchObject({ code: 'INITIALIZATION_FAILED', step: 'shardSync', attempts: 3 });
    expect((error as Error).message).toMatch(/at step shardSync after 3 attempt\(s\).*InternalFailure/);
    expect((error as Error & { cause: { code: string } }).cause.code).toBe('KINESIS_ERROR');
    expect(proxy.seen).toBe(3);
    expect(consumer.heldShards()).toEqual([]);
  });

  it('fails fast, with their own errors, on a stream that does not exist and on a lease table of another schema', async () => {
    const { proxy, kinesis } = await failingListShards(0);
    const missing = createConsumer({ streamName: randomName('missing'), applicationName: randomName('app'), kinesis, dynamodb: stack.dynamodb, async handler() {} });
    await expect(missing.start()).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND', retriable: false, message: expect.stringContaining('does not exist') });
    expect(proxy.seen).toBe(1);
    kinesis.destroy();

    const stream = randomName('start');
    await createStream(stack.kinesis, stream, 1);
    const table = randomName('app');
    await stack.dynamodb!.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const wrongTable = createConsumer({ streamName: stream, applicationName: table, kinesis: stack.kinesis, dynamodb: stack.dynamodb, async handler() {} });
    await expect(wrongTable.start()).rejects.toMatchObject({ code: 'LEASE_TABLE_SCHEMA' });
  });
});
