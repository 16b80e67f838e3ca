import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer } from '../../src/consumer/consumer.ts';
import type { ConsumerMetrics } from '../../src/consumer/metrics.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { putClickEvents, range } from './producer-helpers.ts';

describe('consumer metrics against the embedded Kinesis and DynamoDB', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('counts every batch the handler has finished by the time metrics() is read, checkpointed or not', async () => {
    const stream = randomName('metrics');
    await createStream(stack.kinesis, stream, 4);
    await putClickEvents(stack.kinesis, stream, range(10_000));
    let seen = 0;
    let read!: (metrics: ConsumerMetrics) => void;
    const atLastRecord = new Promise<ConsumerMetrics>((resolve) => (read = resolve));
    const consumer = createConsumer({
      streamName: stream,
      applicationName: randomName('app'),
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      async handler(records) {
        seen += records.length;
        // Read once the handler's promise has settled and what follows it at once has run:
        // the next turn of the event loop, before any I/O such as the checkpoint's answer.
        if (seen === 10_000) setImmediate(() => read(consumer.metrics()));
      },
    });
    try {
      await consumer.start();
      const metrics = await atLastRecord;
      expect(metrics.RecordsProcessed).toBe(10_000);
      expect(metrics.BatchesProcessed).toBeGreaterThan(0);
    } finally {
      await consumer.close();
    }
    expect(consumer.metrics().RecordsProcessed).toBe(10_000);
  });
});
