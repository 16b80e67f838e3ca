/**
 * The smallest real use of the producer: put events until SIGTERM or SIGINT, then close(),
 * which drains everything accepted before the process exits.
 *
 *   npx tsx examples/producer/main.ts                          # against the embedded Kinesis
 *   KINESIS_STREAM=clicks AWS_REGION=eu-west-1 npx tsx examples/producer/main.ts   # against AWS
 */
import { pino } from 'pino';
import { createProducer, type KinesisActorsError } from '../../src/index.ts';
import { startLocalStack, createStream } from '../../src/testing/index.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const streamName = process.env.KINESIS_STREAM ?? 'example';
const ratePerSecond = Number(process.env.RATE ?? 2000);

// Real AWS when a stream is named, else an embedded Kinesis with a fresh stream.
const stack = process.env.KINESIS_STREAM ? undefined : await startLocalStack({ dynamodb: false });
if (stack) await createStream(stack.kinesis, streamName, 2);
const producer = createProducer({
  streamName,
  logger,
  ...(stack ? { kinesis: stack.kinesis } : { connection: { region: process.env.AWS_REGION } }),
});

let accepted = 0;
let delivered = 0;
let failed = 0;
const timer = setInterval(() => {
  for (let i = 0; i < ratePerSecond / 10; i++) {
    const userId = `user-${Math.floor(Math.random() * 10_000)}`;
    accepted++;
    producer.put({ userId, page: '/example', at: new Date().toISOString() }, { partitionKey: userId }).then(
      () => delivered++,
      (error: KinesisActorsError) => {
        failed++;
        logger.warn({ err: error, code: error.code }, 'put failed');
      },
    );
  }
}, 100);
logger.info({ streamName, ratePerSecond, embedded: Boolean(stack) }, 'producing; send SIGTERM or press Ctrl-C to stop');

async function shutdown(signal: string) {
  logger.info({ signal }, 'closing: draining everything accepted');
  clearInterval(timer);
  await producer.close();
  logger.info({ accepted, delivered, failed, metrics: producer.metrics() }, `delivered ${delivered} of ${accepted}`);
  await stack?.close();
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
