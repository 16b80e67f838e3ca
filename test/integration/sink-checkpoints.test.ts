import { ListObjectsV2Command, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverySink } from '../../src/stages/sink/delivery-sink.ts';
import { s3Destination } from '../../src/stages/sink/s3/s3-destination.ts';
import { createConsumer } from '../../src/consumer/consumer.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import type { ConsumerRecord } from '../../src/consumer/record.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';
import { pipelineProcessor } from '../../src/pipeline/pipeline-processor.ts';
import { parseJson } from '../../src/stages/parse-json.ts';
import { silentLogger } from '../../src/internal/logger.ts';
import { startLocalS3, type LocalS3 } from '../../src/testing/local-s3.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { putClickEvents, range } from './producer-helpers.ts';
import { startS3FaultProxy, type S3FaultProxy } from './s3-fault-proxy.ts';
import { until } from './wait.ts';

const BUCKET = 'sink-checkpoints';
let stack: LocalStack;
let s3: LocalS3;
let proxy: S3FaultProxy;
let reader: S3Client;

beforeAll(async () => {
  [stack, s3] = await Promise.all([startLocalStack(), startLocalS3({ buckets: [BUCKET] })]);
  proxy = await startS3FaultProxy(s3.endpoint);
  reader = new S3Client({ ...s3.connection, forcePathStyle: true, requestHandler: new NodeHttpHandler() });
});

afterAll(async () => {
  reader.destroy();
  await proxy.close();
  await Promise.all([stack.close(), s3.close()]);
});

async function idsInBucket(): Promise<number[]> {
  const listed = await reader.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  const ids: number[] = [];
  for (const { Key } of listed.Contents ?? []) {
    const object = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
    for (const line of (await object.Body!.transformToString()).trim().split('\n')) ids.push((JSON.parse(line) as { id: number }).id);
  }
  return ids;
}

describe('a consumer pipeline ending in an S3 delivery sink', () => {
  it('does not advance the checkpoint while S3 is down past the retry window, and delivers everything once it is back', async () => {
    const stream = randomName('sinkdown');
    const app = randomName('sinkdown-app');
    await createStream(stack.kinesis, stream, 1);
    await putClickEvents(stack.kinesis, stream, range(200));
    proxy.failPuts(Infinity, 503, 'ServiceUnavailable');
    const destination = s3Destination({ bucket: BUCKET, connection: { ...s3.connection, endpoint: proxy.endpoint } });
    const restarts: unknown[] = [];
    const consumer = createConsumer({
      streamName: stream,
      applicationName: app,
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: 50,
      logger: silentLogger(),
      processor: pipelineProcessor(Pipeline.from<ConsumerRecord>().pipe(parseJson()).pipe(deliverySink({ destination, bufferIntervalMs: 100, retryDurationMs: 200 })), { logger: silentLogger() }),
    });
    consumer.on('consumer.restart', (e) => restarts.push(e.error));
    await consumer.start();
    // Data and error output both fail: the pipeline fails and the shard restarts from its checkpoint.
    await until(() => restarts.length >= 2, 30_000);
    const store = new DynamoDbLeaseStore(stack.dynamodb!, app);
    const [down] = await store.listLeases();
    expect(down.checkpoint).toBe('TRIM_HORIZON');
    expect(restarts[0]).toMatchObject({ code: 'PIPELINE_FAILED' });
    expect(await idsInBucket()).toEqual([]);

    proxy.failPuts(0, 503, 'ServiceUnavailable');
    await until(async () => new Set(await idsInBucket()).size === 200, 30_000);
    await until(async () => (await store.listLeases())[0].checkpoint !== 'TRIM_HORIZON', 30_000);
    await consumer.close();
    destination.close();
    expect(new Set(await idsInBucket()).size).toBe(200);
  });
});
