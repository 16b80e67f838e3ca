/**
 * What the metrics examples measure: a producer putting 1,000 clicks a second into a fresh 2-shard
 * stream of the embedded stack, and a consumer counting them.
 */
import type { Logger } from 'pino';
import { createConsumer, createProducer } from '../../src/index.ts';
import { createStream, type LocalStack } from '../../src/testing/index.ts';

export interface ClickWorkload {
  /** Records acknowledged, and records the consumer's handler saw. */
  counts(): { put: number; processed: number };
  /** Stops putting, closes the producer (every accepted record settled), then the consumer. */
  drain(): Promise<void>;
}

export async function startClickWorkload(stack: LocalStack, streamName: string, logger: Logger): Promise<ClickWorkload> {
  await createStream(stack.kinesis, streamName, 2);
  const producer = createProducer({ streamName, kinesis: stack.kinesis, logger });
  let put = 0;
  let n = 0;
  const feeding = setInterval(() => {
    for (let i = 0; i < 100; i++, n++) void producer.put({ page: `/p/${n % 5}`, n }, { partitionKey: `user-${n % 100}` }).then(() => put++, () => {});
  }, 100);
  let processed = 0;
  const consumer = createConsumer({
    streamName,
    applicationName: streamName,
    initialPositionInStreamExtended: 'TRIM_HORIZON',
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    logger,
    async handler(records) {
      processed += records.length;
    },
  });
  await consumer.start();
  return {
    counts: () => ({ put, processed }),
    async drain() {
      clearInterval(feeding);
      await producer.close();
      await consumer.close();
    },
  };
}
