import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../../src/producer/producer.ts';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { startFaultProxy } from '../../src/testing/fault-proxy.ts';
import { KinesisActorsError } from '../../src/errors.ts';
import { account, clickEvent, range } from './producer-helpers.ts';
import { until } from './wait.ts';

describe('producer through the fault-injecting proxy', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('delivers every id under throttling, 5 % request failures and connection resets; duplicates are counted', async () => {
    const stream = randomName('faults');
    await createStream(stack.kinesis, stream, 4);
    // A run makes a hundred requests or a few hundred, fewer the busier the machine, so at 5 %
    // and 3 % a run without any request failure or reset would happen now and then. The run
    // starts with every request failing until one did, then every request reset until one was;
    // from then on the rates below apply.
    const rates = { requestFailureRate: 0.05, connectionResetRate: 0.03 };
    const proxy = await startFaultProxy({
      upstream: stack.kinesisEndpoint,
      seed: 42,
      // Tighter than Kinesis so that throttling really happens at the emulator's pace.
      throttle: { bytesPerSecond: 256 * 1024, recordsPerSecond: 1000 },
      requestFailureRate: 1,
      entryFailureRate: 0.02,
      connectionResetRate: 0,
      latencyMs: { min: 0, max: 5 },
    });
    const staged = (async () => {
      await until(() => Object.keys(proxy.stats.failedRequests).length > 0);
      proxy.configure({ requestFailureRate: 0, connectionResetRate: 1 });
      await until(() => proxy.stats.connectionResets > 0);
      proxy.configure(rates);
    })();
    staged.catch(() => {}); // awaited below, once the puts have settled
    const kinesis = createKinesisClient({ ...stack.kinesisConnection, endpoint: proxy.endpoint, requestTimeout: 2000 });
    // Aggregates of 4 KB and no compression give the proxy many entries to throttle.
    const producer = createProducer({
      streamName: stream,
      kinesis,
      compression: 'none',
      aggregationMaxSize: 4096,
      rateLimit: 300,
      recordTtl: 120_000,
      retryBaseDelayMs: 50,
      retryMaxDelayMs: 1000,
    });
    const flushFailures: unknown[] = [];
    producer.on('producer.flushFailed', (e) => flushFailures.push(e.error));
    const ids = range(100_000);
    const results = ids.map((id) => producer.put(clickEvent(id).value, { partitionKey: clickEvent(id).partitionKey }));
    const outcomes = await Promise.allSettled(results);
    await staged;
    await producer.close();
    kinesis.destroy();
    const stats = proxy.stats;
    await proxy.close();

    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    // Kinesis failures are retried inside the batch sender; the sending itself must never break.
    expect(flushFailures).toEqual([]);
    const got = await account(stack.kinesis, stream, ids);
    expect(got.missing).toEqual([]);
    expect(stats.throttledEntries).toBeGreaterThan(0);
    expect(stats.connectionResets).toBeGreaterThan(0);
    expect(Object.keys(stats.failedRequests).length).toBeGreaterThan(0);
    const metrics = producer.metrics();
    expect(metrics.ErrorsByCode.ProvisionedThroughputExceededException).toBeGreaterThan(0);
    expect(metrics.RetriesPerRecord.max).toBeGreaterThan(0);
    console.log(
      `faults: ${stats.throttledEntries} throttled entries, ${stats.failedEntries} failed entries, ` +
        `${JSON.stringify(stats.failedRequests)} failed requests, ${stats.connectionResets} resets ` +
        `(${stats.resetsAfterForward} after the write); ${got.duplicates} duplicate events of 100000; ` +
        `errors ${JSON.stringify(metrics.ErrorsByCode)}`,
    );
  });

  it('fails records with RECORD_EXPIRED after recordTtl when every request fails, and counts them', async () => {
    const stream = randomName('expire');
    await createStream(stack.kinesis, stream, 1);
    const proxy = await startFaultProxy({ upstream: stack.kinesisEndpoint, requestFailureRate: 1 });
    const kinesis = createKinesisClient({ ...stack.kinesisConnection, endpoint: proxy.endpoint });
    const producer = createProducer({ streamName: stream, kinesis, recordTtl: 3_000, retryBaseDelayMs: 20, retryMaxDelayMs: 100 });
    // The time to live runs from put(): with the shard map loaded first, it is spent on attempts,
    // and it is long enough for a busy machine to make some, so the expiry names their error.
    await new Promise((resolve) => producer.on('producer.shardMap', resolve));
    const outcome = await producer.put({ id: 1 }, { partitionKey: 'k' }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(KinesisActorsError);
    expect((outcome as KinesisActorsError).code).toBe('RECORD_EXPIRED');
    expect((outcome as Error).message).toMatch(/InternalFailure|ServiceUnavailable/);
    await producer.close();
    expect(producer.metrics().UserRecordExpired).toBe(1);
    kinesis.destroy();
    await proxy.close();
  });

  it('fails throttled records at once with failIfThrottled', async () => {
    const stream = randomName('fit');
    await createStream(stack.kinesis, stream, 1);
    const proxy = await startFaultProxy({ upstream: stack.kinesisEndpoint, throttle: { bytesPerSecond: 1000, recordsPerSecond: 1 } });
    const kinesis = createKinesisClient({ ...stack.kinesisConnection, endpoint: proxy.endpoint });
    const producer = createProducer({ streamName: stream, kinesis, failIfThrottled: true, aggregationEnabled: false, rateLimit: 10_000 });
    const outcomes = await Promise.allSettled(range(20).map((i) => producer.put({ i }, { partitionKey: `k${i}` })));
    await producer.close();
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((o) => (o.reason as KinesisActorsError).code === 'THROTTLED')).toBe(true);
    kinesis.destroy();
    await proxy.close();
  });
});
