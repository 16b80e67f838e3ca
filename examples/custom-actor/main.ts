// The custom-actor example: a dedupe stage (dedupe.ts) in a consumer pipeline on the embedded
// stack. Run: npx tsx examples/custom-actor/main.ts
import { pino } from 'pino';
import { createConsumer, createProducer, defineStage, parseJson, Pipeline, pipelineProcessor, type ConsumerRecord } from '../../src/index.ts';
import { createStream, randomName, startLocalStack } from '../../src/testing/index.ts';
import { dedupe } from './dedupe.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const stack = await startLocalStack();
const streamName = randomName('custom-actor');
await createStream(stack.kinesis, streamName, 2);

// 1,000 orders, 100 of them written twice, as a producer retry after a lost response would.
const producer = createProducer({ streamName, kinesis: stack.kinesis, logger });
const ids = Array.from({ length: 1000 }, (_, i) => `order-${i}`);
const writes = [...ids, ...ids.slice(0, 100)];
await Promise.all(writes.map((id) => producer.put({ id, amount: 10 }, { partitionKey: id })));
await producer.close();

type Order = { id: string; amount: number };
const counted = new Set<string>();
let total = 0;
const count = defineStage<{ value: Order }, never>({
  name: 'count',
  create: () => ({
    process(items) {
      for (const { value } of items) {
        counted.add(value.id);
        total += value.amount;
      }
      return [];
    },
  }),
});

const pipeline = Pipeline.from<ConsumerRecord>().pipe(parseJson<Order>()).pipe(dedupe<Order>({ id: (o) => o.id })).pipe(count);
const consumer = createConsumer({
  streamName,
  applicationName: randomName('custom-actor-app'),
  kinesis: stack.kinesis,
  dynamodb: stack.dynamodb,
  initialPositionInStreamExtended: 'TRIM_HORIZON',
  idleTimeBetweenReadsInMillis: 100,
  processor: pipelineProcessor(pipeline),
  logger,
});
await consumer.start();
const deadline = Date.now() + 30_000;
while (counted.size < ids.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
await consumer.close();
await stack.close();

const ok = counted.size === ids.length && total === ids.length * 10;
console.log(`${ok ? 'OK' : 'FAILED'}: ${writes.length} records written, ${counted.size} unique orders counted, total ${total} (duplicates dropped: ${writes.length - total / 10})`);
process.exit(ok ? 0 : 1);
