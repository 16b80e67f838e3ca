import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskFields } from '../../src/stages/clean/mask-fields.ts';
import { dropWhen } from '../../src/stages/clean/filter-records.ts';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';
import { createProducerPipeline } from '../../src/pipeline/producer-pipeline.ts';
import { defineStage } from '../../src/pipeline/stage.ts';
import type { StreamItem } from '../../src/pipeline/stream-item.ts';
import { createProducer } from '../../src/producer/producer.ts';
import { startFaultProxy } from '../../src/testing/fault-proxy.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { readStream } from '../../src/testing/read-stream.ts';
import { createStream } from '../../src/testing/streams.ts';

type Click = { id: number; page: string; ip: string };

describe('a producer-side pipeline against the embedded Kinesis, through the fault proxy', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterAll(() => stack.close());

  it('masks, filters and routes every record before the put, and every put result arrives despite faults', async () => {
    const clicks = randomName('pp-clicks');
    const errors = randomName('pp-errors');
    await Promise.all([createStream(stack.kinesis, clicks, 2), createStream(stack.kinesis, errors, 1)]);
    const proxy = await startFaultProxy({ upstream: stack.kinesisEndpoint, seed: 7, requestFailureRate: 0.2, entryFailureRate: 0.2, connectionResetRate: 0.05 });
    const kinesis = createKinesisClient({ ...stack.kinesisConnection, endpoint: proxy.endpoint, requestTimeout: 2000 });
    const producers = {
      // Small plain aggregates: many entries for the proxy to fail.
      [clicks]: createProducer({ streamName: clicks, kinesis, recordMaxBufferedTime: 20, retryBaseDelayMs: 20, compression: 'none', aggregationMaxSize: 2048 }),
      [errors]: createProducer({ streamName: errors, kinesis, recordMaxBufferedTime: 20, retryBaseDelayMs: 20, compression: 'none', aggregationMaxSize: 2048 }),
    };
    // Clicks on /error pages go to the errors stream; the rest to clicks.
    const route = defineStage<StreamItem, StreamItem>({
      name: 'route',
      create: () => ({ process: (items) => items.map((i) => ({ ...i, stream: (i.value as Click).page === '/error' ? errors : clicks })) }),
    });
    const pipeline = createProducerPipeline({
      pipeline: Pipeline.from<StreamItem>()
        .pipe(dropWhen<StreamItem>('dropFavicon', (i) => (i.value as Click).page === '/favicon.ico'))
        .pipe(maskFields({ fields: { ip: 'maskIp' } }))
        .pipe(route),
      targets: producers,
    });
    const pages = ['/home', '/favicon.ico', '/error', '/cart'];
    const results = await Promise.all(
      Array.from({ length: 2000 }, (_, id) => pipeline.put({ id, page: pages[id % 4], ip: `198.51.100.${id % 250}` }, { partitionKey: `user-${id % 97}` })),
    );
    await pipeline.close();
    await Promise.all(Object.values(producers).map((p) => p.close()));
    const faults = proxy.stats;
    await proxy.close();

    expect(results.filter((r) => r.length === 0)).toHaveLength(500);
    const read = async (stream: string) => (await readStream(stack.kinesis, stream)).records.map((r) => JSON.parse(r.data.toString()) as Click);
    const [onClicks, onErrors] = await Promise.all([read(clicks), read(errors)]);
    const unique = (list: Click[]) => new Set(list.map((c) => c.id));
    expect(unique(onClicks).size).toBe(1000);
    expect(unique(onErrors).size).toBe(500);
    expect(onErrors.every((c) => c.page === '/error')).toBe(true);
    expect([...onClicks, ...onErrors].every((c) => /^198\.51\.100\.0$/.test(c.ip))).toBe(true);
    expect(faults.failedEntries + faults.connectionResets + Object.values(faults.failedRequests).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
