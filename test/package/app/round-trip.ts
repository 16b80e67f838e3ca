// A fresh application's use of the installed package: put records through the producer (worker
// threads included) into the embedded Kinesis, read them back with a consumer whose leases live
// in the embedded DynamoDB, and print what was put and what was consumed.
import { createConsumer, createProducer, KinesisActorsError, type ConsumerRecord, type PutResult } from 'kinesis-actors';
import { createStream, startLocalStack } from 'kinesis-actors/testing';

const count = Number(process.argv[2] ?? 3000);
const streamName = `fresh-app-${process.pid}`;
const stack = await startLocalStack();
try {
  await createStream(stack.kinesis, streamName, 2);
  const producer = createProducer({ streamName, kinesis: stack.kinesis });
  const puts: Promise<PutResult>[] = [];
  for (let id = 0; id < count; id++) puts.push(producer.put({ id, page: '/home' }, { partitionKey: `user-${id % 97}` }));
  const results = await Promise.all(puts);
  await producer.close();

  const consumed = new Set<number>();
  let deliveries = 0;
  const consumer = createConsumer({
    streamName,
    applicationName: `${streamName}-reader`,
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    initialPositionInStreamExtended: 'TRIM_HORIZON',
    async handler(records: readonly ConsumerRecord[]) {
      for (const record of records) {
        const event = JSON.parse(record.data.toString()) as { id: number };
        consumed.add(event.id);
        deliveries++;
      }
    },
  });
  await consumer.start();
  const deadline = Date.now() + 60_000;
  while (consumed.size < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await consumer.close();

  const invalid = await producer.put('late', { partitionKey: 'x' }).catch((error: unknown) => error);
  const closedCode = invalid instanceof KinesisActorsError ? invalid.code : String(invalid);
  const shards = new Set(results.map((r) => r.shardId));
  console.log(JSON.stringify({ put: results.length, shards: shards.size, consumed: consumed.size, deliveries, closedCode }));
} finally {
  await stack.close();
}
