// The consumer's metrics of enhanced fan-out against kinesis-local (kinesis-mock: the only
// emulator with SubscribeToShard), checked against what each test did: renewals shortened to
// 1.5 s, HTTP/2 sessions broken, a shard held by another subscription, the events a processor
// was handed. kinesis-mock sends one event per subscription every second, with or without
// records, and refuses a second subscription of a shard inside the stream (ResourceInUseException
// as its first message) rather than at the call.
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeStreamSummaryCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { startKinesisLocal, type KinesisLocal } from '../../src/testing/kinesis-local.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import type { ConsumerMetrics } from '../../src/consumer/metrics.ts';
import type { Consumer } from '../../src/consumer/consumer.ts';
import type { RecordProcessor } from '../../src/consumer/processor.ts';
import { createFanOutClient } from '../../src/kinesis/fan-out-client.ts';
import { subscribeToShard } from '../../src/kinesis/subscribe-to-shard.ts';
import { putClickEvents, range } from './producer-helpers.ts';
import { fanOut, received, recordingHandler, sessions, shortTimings, testConsumer } from './fan-out-helpers.ts';
import { until } from './wait.ts';
import { createKinesisClient } from '../../src/aws/clients.ts';

/** A TCP proxy to 127.0.0.1:`targetPort` that can reset every connection through it at once, as a network failure would. */
async function startResetProxy(targetPort: number) {
  const clientSockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    clientSockets.add(client);
    client.on('close', () => clientSockets.delete(client));
    for (const s of [client, upstream]) s.on('error', () => {});
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    resetAll: () => {
      for (const s of clientSockets) s.resetAndDestroy();
    },
    close: () => {
      for (const s of clientSockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A processor that is handed every read, empty ones too (one per SubscribeToShard event), and
 * checks on each call that the consumer's MillisBehindLatest of the shard is what the call
 * before said.
 */
function countingProcessor(metrics: () => ConsumerMetrics) {
  const seen = { calls: 0, records: 0, compared: 0, mismatches: [] as string[] };
  const last = new Map<string, number | undefined>();
  const processor = (): RecordProcessor => ({
    processEmptyBatches: true,
    processRecords({ shardId, records, millisBehindLatest }) {
      if (last.has(shardId)) {
        const reported = metrics().MillisBehindLatest[shardId];
        seen.compared++;
        if (reported !== last.get(shardId)) seen.mismatches.push(`${shardId}: ${reported} after ${last.get(shardId)}`);
      }
      last.set(shardId, millisBehindLatest);
      seen.calls++;
      seen.records += records.length;
    },
    async shardEnded({ checkpointer }) {
      await checkpointer.checkpoint();
    },
  });
  return { seen, processor };
}

const fanOutCounters = (m: ConsumerMetrics) => ({
  SubscriptionsStarted: m.SubscriptionsStarted,
  SubscriptionsRenewed: m.SubscriptionsRenewed,
  SubscriptionsAfterError: m.SubscriptionsAfterError,
  ResourceInUseWaits: m.ResourceInUseWaits,
  SubscribeToShardEvents: m.SubscribeToShardEvents,
});

describe('consumer metrics of enhanced fan-out (kinesis-local)', () => {
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

  it('counts subscriptions, renewals and events, and reports MillisBehindLatest per shard, in metrics() and the metrics event', async () => {
    const stream = randomName('fom');
    await createStream(local.kinesis, stream, 2);
    let consumer!: Consumer;
    const { seen, processor } = countingProcessor(() => consumer.metrics());
    const periodic: ConsumerMetrics[] = [];
    consumer = testConsumer(stream, clients, { retrieval: fanOut(shortTimings(1500)), processor, metricsInterval: undefined, metricsIntervalMs: 200 });
    consumer.on('consumer.metrics', (m) => periodic.push(m));
    let beforeClose: ConsumerMetrics;
    try {
      await consumer.start();
      for (let wave = 0; wave < 3; wave++) {
        await putClickEvents(local.kinesis, stream, range(50).map((i) => wave * 50 + i));
        await until(() => seen.records === (wave + 1) * 50, 30_000);
        // Longer than a subscription lives, so each wave arrives on renewed subscriptions.
        await new Promise((resolve) => setTimeout(resolve, 1600));
      }
      beforeClose = consumer.metrics();
      expect(Object.keys(beforeClose.MillisBehindLatest).sort()).toEqual(consumer.heldShards().sort());
    } finally {
      await consumer.close();
    }
    const m = consumer.metrics();
    const opened = sessions(consumer).opened;
    const counters = JSON.stringify({ ...fanOutCounters(m), opened, calls: seen.calls });
    expect(m.Retrieval).toBe('fanOut');
    expect(seen.mismatches, 'MillisBehindLatest is the last event of each shard').toEqual([]);
    expect(seen.compared).toBeGreaterThan(0);
    expect(m.SubscriptionsRenewed, counters).toBeGreaterThan(0);
    expect(m.SubscriptionsAfterError, counters).toBe(0);
    // Each shard's first subscription, then only renewals.
    expect(m.SubscriptionsStarted, counters).toBe(2 + m.SubscriptionsRenewed);
    // Every SubscribeToShard call has a session of its own: accepted, refused, or cut short by close().
    expect(opened, counters).toBeGreaterThanOrEqual(m.SubscriptionsStarted + m.ResourceInUseWaits);
    expect(opened, counters).toBeLessThanOrEqual(m.SubscriptionsStarted + m.ResourceInUseWaits + 2);
    // One processRecords call per event read; at close up to 10 per shard may be left unread.
    expect(m.SubscribeToShardEvents, counters).toBeGreaterThanOrEqual(seen.calls);
    expect(m.SubscribeToShardEvents, counters).toBeLessThanOrEqual(seen.calls + 20);
    const last = periodic.at(-1)!;
    expect(last.Retrieval).toBe('fanOut');
    expect(last.SubscriptionsStarted).toBeGreaterThanOrEqual(2);
    expect(last.SubscribeToShardEvents).toBeGreaterThan(0);
  });

  it('counts a subscription re-made after its connection was reset, and nothing as a renewal', async () => {
    const stream = randomName('fom-reset');
    await createStream(local.kinesis, stream, 1);
    const proxy = await startResetProxy(Number(new URL(local.endpoint).port));
    const kinesis = createKinesisClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${proxy.port}`, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const got = received();
    const consumer = testConsumer(stream, { ...clients, kinesis }, { retrieval: fanOut(shortTimings()), handler: recordingHandler(got) });
    try {
      await consumer.start();
      await putClickEvents(local.kinesis, stream, range(50));
      await until(() => got.counts.size === 50, 30_000);
      expect(fanOutCounters(consumer.metrics())).toMatchObject({ SubscriptionsStarted: 1, SubscriptionsAfterError: 0 });
      proxy.resetAll();
      await putClickEvents(local.kinesis, stream, range(50).map((i) => 50 + i));
      await until(() => got.counts.size === 100, 30_000);
      const m = consumer.metrics();
      expect(fanOutCounters(m)).toMatchObject({ SubscriptionsStarted: 2, SubscriptionsAfterError: 1, SubscriptionsRenewed: 0 });
      expect(m.Restarts).toBe(0);
    } finally {
      await consumer.close();
      kinesis.destroy();
      await proxy.close();
    }
  });

  it('counts each ResourceInUseException refusal while another subscription holds the shard, and the subscription once it is free', async () => {
    const stream = randomName('fom-inuse');
    await createStream(local.kinesis, stream, 1);
    const applicationName = randomName('fo-app');
    const streamArn = (await local.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!.StreamARN!;
    const { Consumer: registered } = await local.kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: applicationName }));
    // The consumer's own stream consumer (named after the application), subscribed to by someone else first.
    const other = createFanOutClient({ like: local.kinesis }, { connectTimeoutMs: 5000, idleTimeoutMs: 35_000 });
    const holding = new AbortController();
    const got = received();
    const consumer = testConsumer(stream, clients, { applicationName, retrieval: fanOut(shortTimings()), handler: recordingHandler(got) });
    try {
      await until(async () => {
        try {
          await subscribeToShard(other.client, registered!.ConsumerARN!, 'shardId-000000000000', { type: 'LATEST' }, holding.signal);
          return true;
        } catch {
          return false; // the consumer is still CREATING
        }
      }, 30_000);
      await consumer.start();
      await until(() => consumer.metrics().ResourceInUseWaits >= 2, 30_000);
      expect(consumer.metrics().SubscriptionsStarted, 'refused while the shard is held').toBe(0);
      holding.abort();
      await putClickEvents(local.kinesis, stream, range(50));
      await until(() => got.counts.size === 50, 30_000);
      const m = consumer.metrics();
      expect(fanOutCounters(m)).toMatchObject({ SubscriptionsStarted: 1, SubscriptionsRenewed: 0, SubscriptionsAfterError: 0 });
      // One session per call: each refusal, and the one subscription open now.
      expect(sessions(consumer).opened).toBe(m.ResourceInUseWaits + 1);
    } finally {
      holding.abort();
      await consumer.close();
      other.client.destroy();
    }
  });

  it('a polling consumer reports its retrieval, zero fan-out counters, and MillisBehindLatest per shard from GetRecords', async () => {
    const stream = randomName('fom-poll');
    await createStream(local.kinesis, stream, 2);
    let consumer!: Consumer;
    const { seen, processor } = countingProcessor(() => consumer.metrics());
    consumer = testConsumer(stream, clients, { retrieval: 'polling', processor });
    try {
      await consumer.start();
      await putClickEvents(local.kinesis, stream, range(100));
      await until(() => seen.records === 100 && seen.compared > 4, 30_000);
      const m = consumer.metrics();
      expect(m.Retrieval).toBe('polling');
      expect(fanOutCounters(m)).toEqual({ SubscriptionsStarted: 0, SubscriptionsRenewed: 0, SubscriptionsAfterError: 0, ResourceInUseWaits: 0, SubscribeToShardEvents: 0 });
      expect(Object.keys(m.MillisBehindLatest).sort()).toEqual(consumer.heldShards().sort());
      expect(seen.mismatches, 'MillisBehindLatest is the last page of each shard').toEqual([]);
    } finally {
      await consumer.close();
    }
  });
});
