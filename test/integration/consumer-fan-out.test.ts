// Enhanced fan-out against kinesis-local (kinesis-mock: RegisterStreamConsumer,
// DescribeStreamConsumer, SubscribeToShard over h2c on its plain port; kinesalite has none of
// them), with dynalite for the lease table. Real SDK clients over the network; renewals and
// backoffs shortened through the internal `timings` of the fan-out option.
//
// Not here: a reshard during a subscription. kinesis-mock keeps a closed parent's subscription
// open, repeating its last continuation, and never sends the null continuation and ChildShards
// that end a shard on Kinesis; the reader's handling of that event is covered by its unit test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeStreamSummaryCommand, ListStreamConsumersCommand } from '@aws-sdk/client-kinesis';
import { startKinesisLocal, type KinesisLocal } from '../../src/testing/kinesis-local.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { KinesisActorsError } from '../../src/errors.ts';
import { putClickEvents, range } from './producer-helpers.ts';
import { fanOut, fanOutOf, received, recordingHandler, sessions, shortTimings, testConsumer, type Received } from './fan-out-helpers.ts';
import { until } from './wait.ts';

function everyOnce(got: Received, ids: number[]): void {
  const missing = ids.filter((id) => !got.counts.has(id));
  expect(missing, 'every record delivered').toEqual([]);
  expect(got.outOfOrder.size, 'in order per partition key').toBe(0);
}

describe('consumer with enhanced fan-out (kinesis-local)', () => {
  let local: KinesisLocal;
  let stack: LocalStack;
  let clients: { kinesis: KinesisLocal['kinesis']; dynamodb: NonNullable<LocalStack['dynamodb']> };
  beforeAll(async () => {
    [local, stack] = await Promise.all([startKinesisLocal(), startLocalStack({})]);
    clients = { kinesis: local.kinesis, dynamodb: stack.dynamodb! };
  });
  afterAll(async () => {
    await Promise.all([local?.close(), stack?.close()]);
  });

  it('registers its stream consumer, reads every record in order across subscription renewals, reports MillisBehindLatest, and releases every HTTP/2 session on close', async () => {
    const stream = randomName('fo');
    await createStream(local.kinesis, stream, 2);
    const app = randomName('fo-app');
    const got = received();
    const subscribed: number[] = [];
    const consumer = testConsumer(stream, clients, { applicationName: app, retrieval: fanOut(shortTimings(1500)), handler: recordingHandler(got) });
    try {
      await consumer.start();
      const waves = 4;
      for (let wave = 0; wave < waves; wave++) {
        await putClickEvents(local.kinesis, stream, range(100).map((i) => wave * 100 + i));
        await until(() => got.counts.size === (wave + 1) * 100, 30_000).catch((e) => { throw new Error(`${e.message}; got ${got.counts.size}, sessions ${JSON.stringify(sessions(consumer))}, held ${consumer.heldShards()}`); });
        subscribed.push(sessions(consumer).opened);
        // A wave per renewal period, so later waves arrive on renewed subscriptions.
        await new Promise((resolve) => setTimeout(resolve, 1600));
      }
      everyOnce(got, range(waves * 100));
      expect(got.deliveries, 'nothing delivered twice').toBe(waves * 100);
      expect(got.shards.size).toBe(2);
      expect(sessions(consumer).opened, `subscriptions opened per wave: ${subscribed}`).toBeGreaterThan(2 * waves);
      expect(sessions(consumer).open, 'at most one HTTP/2 session per shard').toBeLessThanOrEqual(2);
      expect(Object.keys(consumer.metrics().MillisBehindLatest).sort()).toHaveLength(2);
      const arn = (await local.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!.StreamARN!;
      const { Consumers } = await local.kinesis.send(new ListStreamConsumersCommand({ StreamARN: arn }));
      expect(Consumers!.map((c) => [c.ConsumerName, c.ConsumerStatus])).toEqual([[app, 'ACTIVE']]);
    } finally {
      await consumer.close();
    }
    await until(() => fanOutOf(consumer).sessions().open === 0, 5000);
  });

  it('a consumer ARN that names no consumer fails start() with STREAM_CONSUMER_NOT_FOUND', async () => {
    const stream = randomName('fo-arn');
    await createStream(local.kinesis, stream, 1);
    const arn = `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}/consumer/nobody:1700000000`;
    const consumer = testConsumer(stream, clients, { retrieval: fanOut(shortTimings(), { consumerArn: arn }), handler: async () => {} });
    const error = await consumer.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KinesisActorsError);
    expect((error as KinesisActorsError).code).toBe('STREAM_CONSUMER_NOT_FOUND');
    expect((error as Error).message).toContain('retrieval.fanOut.consumerArn');
  });

  it('a killed subscription (its HTTP/2 sessions destroyed) is re-subscribed from its last continuation: nothing lost, nothing restarted', async () => {
    const stream = randomName('fo-kill');
    await createStream(local.kinesis, stream, 1);
    const got = received();
    const restarts: unknown[] = [];
    const consumer = testConsumer(stream, clients, { retrieval: fanOut(shortTimings()), handler: recordingHandler(got) });
    consumer.on('consumer.restart', (e) => restarts.push(e));
    try {
      await consumer.start();
      await putClickEvents(local.kinesis, stream, range(100));
      await until(() => got.counts.size === 100, 30_000);
      const before = sessions(consumer).opened;
      fanOutOf(consumer).destroyHttp2Sessions();
      await putClickEvents(local.kinesis, stream, range(100).map((i) => 100 + i));
      await until(() => got.counts.size === 200, 30_000);
      expect(sessions(consumer).opened, 'subscribed again').toBeGreaterThan(before);
      everyOnce(got, range(200));
      expect(got.deliveries, 'resumed after the last continuation: nothing twice').toBe(200);
      expect(restarts).toEqual([]);
    } finally {
      await consumer.close();
    }
    expect(sessions(consumer).open).toBe(0);
  });

  it('three applications on one stream, two with fan-out and one polling, each receive every record', async () => {
    const stream = randomName('fo-three');
    await createStream(local.kinesis, stream, 2);
    const apps = [received(), received(), received()];
    const consumers = [
      testConsumer(stream, clients, { retrieval: fanOut(shortTimings()), handler: recordingHandler(apps[0]) }),
      testConsumer(stream, clients, { retrieval: fanOut(shortTimings()), handler: recordingHandler(apps[1]) }),
      testConsumer(stream, clients, { retrieval: 'polling', handler: recordingHandler(apps[2]) }),
    ];
    try {
      await Promise.all(consumers.map((c) => c.start()));
      await putClickEvents(local.kinesis, stream, range(300));
      await until(() => apps.every((a) => a.counts.size === 300), 60_000);
      for (const got of apps) everyOnce(got, range(300));
      const arn = (await local.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!.StreamARN!;
      const { Consumers } = await local.kinesis.send(new ListStreamConsumersCommand({ StreamARN: arn }));
      expect(Consumers, 'one stream consumer per fan-out application').toHaveLength(2);
    } finally {
      await Promise.all(consumers.map((c) => c.close()));
    }
  });

  it('a slow handler: every record arrives, in order, while subscriptions stay paused behind the handler', async () => {
    const stream = randomName('fo-slow');
    await createStream(local.kinesis, stream, 1);
    const got = received();
    const consumer = testConsumer(stream, clients, { retrieval: fanOut(shortTimings()), handler: recordingHandler(got, 150), maxUserRecordsPerBatch: 10 });
    try {
      await consumer.start();
      for (let wave = 0; wave < 10; wave++) await putClickEvents(local.kinesis, stream, range(30).map((i) => wave * 30 + i));
      await until(() => got.counts.size === 300, 60_000);
      everyOnce(got, range(300));
      expect(got.deliveries).toBe(300);
      expect(sessions(consumer).open).toBeLessThanOrEqual(1);
    } finally {
      await consumer.close();
    }
  });

  it('a lease moving between two workers while subscribed: the new owner subscribes (waiting out ResourceInUseException), every record is processed', async () => {
    const stream = randomName('fo-move');
    await createStream(local.kinesis, stream, 2);
    const applicationName = randomName('fo-app');
    const a = received();
    const b = received();
    const both = () => new Set([...a.counts.keys(), ...b.counts.keys()]).size;
    const workerA = testConsumer(stream, clients, { applicationName, retrieval: fanOut(shortTimings()), handler: recordingHandler(a) });
    const workerB = testConsumer(stream, clients, { applicationName, retrieval: fanOut(shortTimings()), handler: recordingHandler(b) });
    try {
      await workerA.start();
      await putClickEvents(local.kinesis, stream, range(100));
      await until(() => a.counts.size === 100, 30_000);
      expect(workerA.heldShards()).toHaveLength(2);

      await workerB.start();
      await until(() => workerB.heldShards().length === 1 && workerA.heldShards().length === 1, 30_000);
      await putClickEvents(local.kinesis, stream, range(100).map((i) => 100 + i));
      await until(() => both() === 200, 60_000);
      expect(b.shards.size, 'the worker that took a lease read its shard').toBe(1);

      await workerA.close();
      expect(sessions(workerA).open, 'the worker that left released its subscriptions').toBe(0);
      await until(() => workerB.heldShards().length === 2, 30_000);
      await putClickEvents(local.kinesis, stream, range(100).map((i) => 200 + i));
      await until(() => both() === 300, 60_000);
      expect(b.shards.size).toBe(2);
    } finally {
      await workerA.close();
      await workerB.close();
    }
  });
});
