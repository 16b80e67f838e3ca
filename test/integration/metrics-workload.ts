import { createConsumer, createProducer, type Consumer, type Producer } from '../../src/index.ts';
import { createStream, randomName, type LocalStack } from '../../src/testing/index.ts';
import { until } from './wait.ts';

/** A producer and a consumer of one fresh 2-shard stream. */
export interface Workload {
  streamName: string;
  workerIdentifier: string;
  producer: Producer;
  consumer: Consumer;
  /** User records acknowledged so far. */
  acknowledged(): number;
  /** User records the consumer's handler saw so far. */
  seen(): number;
  /** Puts `count` records and waits for every acknowledgement, then until the handler saw them all. */
  putAndConsume(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWorkload(stack: LocalStack): Promise<Workload> {
  const streamName = randomName('metrics');
  await createStream(stack.kinesis, streamName, 2);
  const producer = createProducer({ streamName, kinesis: stack.kinesis, recordMaxBufferedTime: 50 });
  let acknowledged = 0;
  let seen = 0;
  let n = 0;
  const workerIdentifier = randomName('worker');
  const consumer = createConsumer({
    workerIdentifier,
    streamName,
    applicationName: randomName('metrics-app'),
    initialPositionInStreamExtended: 'TRIM_HORIZON',
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    idleTimeBetweenReadsInMillis: 50,
    async handler(records) {
      seen += records.length;
    },
  });
  await consumer.start();
  return {
    streamName,
    workerIdentifier,
    producer,
    consumer,
    acknowledged: () => acknowledged,
    seen: () => seen,
    async putAndConsume(count) {
      const puts: Promise<unknown>[] = [];
      for (let i = 0; i < count; i++, n++) puts.push(producer.put({ n }, { partitionKey: `key-${n % 37}` }).then(() => acknowledged++));
      await Promise.all(puts);
      await until(() => seen >= acknowledged);
    },
    async close() {
      await producer.close();
      await consumer.close();
    },
  };
}
