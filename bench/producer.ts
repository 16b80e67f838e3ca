import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { createKinesisClient, createProducer, type ProducerOptions } from '../src/index.ts';
import { startLocalStack, startNullKinesis, createStream, randomName, type LocalStack } from '../src/testing/index.ts';
import { clickEvent, putClickEventsFor } from './click-events.ts';
import { putAllRecords } from './peer-put-records.ts';

export interface ProducerRun {
  eventsPerSec: number;
  bytesPerEvent: number;
  kinesisRecords: number;
  /** Shard batches per PutRecords request: how much the collector shares requests (the producer only). */
  batchesPerRequest?: number;
}

/**
 * Puts click events through the producer into a fresh 4-shard stream for `seconds`, and waits for
 * every acknowledgement; the rate counts from the first put to the last acknowledgement. The
 * producer has its default options (compression 'none') but for `options`.
 */
export async function runProducer(stack: LocalStack, seconds: number, options: Partial<ProducerOptions> = {}, create = true): Promise<ProducerRun> {
  const streamName = randomName('bench');
  if (create) await createStream(stack.kinesis, streamName, 4);
  const producer = createProducer({ streamName, kinesis: stack.kinesis, workerThreads: 1, ...options });
  let wireBytes = 0;
  let batches = 0;
  producer.on('producer.putRecords', (e) => {
    batches++;
    wireBytes += e.error ? 0 : e.bytes;
  });
  let requests = 0;
  const counter = 'benchCountPutRecords';
  stack.kinesis.middlewareStack.add((next) => (args) => ((requests += (args.input as { Records?: unknown }).Records ? 1 : 0), next(args)), { step: 'initialize', name: counter });
  const started = performance.now();
  let events: number;
  try {
    events = await putClickEventsFor(producer, seconds);
  } finally {
    stack.kinesis.middlewareStack.remove(counter);
  }
  const elapsed = (performance.now() - started) / 1000;
  await producer.close();
  const m = producer.metrics();
  return { eventsPerSec: Math.round(events / elapsed), bytesPerEvent: wireBytes / m.UserRecordsPut, kinesisRecords: m.KinesisRecordsPut, batchesPerRequest: batches / requests };
}

/** The peer: a plain SDK PutRecords loop, 500 records per request, 8 requests in flight, for `seconds`. */
export async function runSdkLoop(stack: LocalStack, seconds: number): Promise<ProducerRun> {
  const streamName = randomName('bench');
  await createStream(stack.kinesis, streamName, 4);
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const lane = async () => {
    while (performance.now() < deadline) {
      const entries: PutRecordsRequestEntry[] = [];
      while (entries.length < 500) {
        const { value, partitionKey } = clickEvent(next++);
        const data = Buffer.from(JSON.stringify(value));
        bytes += data.length + partitionKey.length;
        entries.push({ Data: data, PartitionKey: partitionKey });
      }
      await putAllRecords(stack.kinesis, streamName, entries);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  const elapsed = (performance.now() - started) / 1000;
  return { eventsPerSec: Math.round(next / elapsed), bytesPerEvent: bytes / next, kinesisRecords: next };
}

/** The producer (compression 'deflate') against the null endpoint (16 shards): the framework's own ceiling. */
export async function runNullEndpoint(seconds: number): Promise<ProducerRun> {
  const endpoint = await startNullKinesis(16, { ownProcess: true });
  const kinesis = createKinesisClient({ region: 'us-east-1', endpoint: endpoint.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    return await runProducer({ kinesis } as LocalStack, seconds, { compression: 'deflate' }, false);
  } finally {
    kinesis.destroy();
    await endpoint.close();
  }
}

export async function withStack<T>(fn: (stack: LocalStack) => Promise<T>): Promise<T> {
  const stack = await startLocalStack({ dynamodb: false });
  try {
    return await fn(stack);
  } finally {
    await stack.close();
  }
}
