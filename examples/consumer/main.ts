/**
 * The smallest real consumer worker: counts clicks per page, checkpointing after each batch,
 * and on SIGTERM or Ctrl-C drains — final checkpoints, leases released so another worker takes
 * the shards at once. Run several to see them share the shards.
 *
 *   npx tsx examples/consumer/main.ts                         # embedded Kinesis + DynamoDB, with a producer feeding it
 *   KINESIS_STREAM=clicks AWS_REGION=eu-west-1 npx tsx examples/consumer/main.ts   # against AWS
 */
import { pino } from 'pino';
import { createConsumer, createProducer } from '../../src/index.ts';
import { startLocalStack, createStream } from '../../src/testing/index.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const streamName = process.env.KINESIS_STREAM ?? 'example-clicks';
const stack = process.env.KINESIS_STREAM ? undefined : await startLocalStack();
const clients = stack ? { kinesis: stack.kinesis, dynamodb: stack.dynamodb } : { connection: { region: process.env.AWS_REGION } };

// Locally, a producer feeds the stream so there is something to consume.
let feeding: NodeJS.Timeout | undefined;
const producer = stack ? createProducer({ streamName, kinesis: stack.kinesis }) : undefined;
if (stack && producer) {
  await createStream(stack.kinesis, streamName, 2);
  let n = 0;
  feeding = setInterval(() => {
    for (let i = 0; i < 100; i++, n++) void producer.put({ page: `/p/${n % 5}`, n }, { partitionKey: `user-${n % 100}` }).catch(() => {});
  }, 100);
}

const perPage = new Map<string, number>();
let processed = 0;
const consumer = createConsumer({
  streamName,
  applicationName: process.env.APPLICATION ?? 'example-click-counter',
  initialPositionInStreamExtended: 'TRIM_HORIZON',
  logger,
  ...clients,
  errorHandling: { maximumRetryAttempts: 3, bisectBatchOnFunctionError: true, onFailure: async (f) => logger.error({ shardId: f.shardId, records: f.records.length }, 'gave up on records') },
  async handler(records) {
    for (const r of records) {
      const { page } = JSON.parse(r.data.toString()) as { page: string };
      perPage.set(page, (perPage.get(page) ?? 0) + 1);
    }
    processed += records.length;
  },
});
await consumer.start();
logger.info({ streamName, shards: consumer.heldShards() }, 'consuming; send SIGTERM or press Ctrl-C to stop');

async function shutdown(signal: string) {
  logger.info({ signal }, 'draining');
  clearInterval(feeding);
  await producer?.close();
  await consumer.close();
  logger.info({ processed, perPage: Object.fromEntries(perPage), metrics: consumer.metrics() }, `drained after processing ${processed} records`);
  await stack?.close();
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
