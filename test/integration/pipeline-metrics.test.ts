import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheusMetrics } from '../../examples/metrics-prometheus/metrics.ts';
import { createConsumer } from '../../src/consumer/consumer.ts';
import type { ConsumerRecord } from '../../src/consumer/record.ts';
import { KinesisActorsError } from '../../src/errors.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';
import { pipelineProcessor } from '../../src/pipeline/pipeline-processor.ts';
import { defineStage } from '../../src/pipeline/stage.ts';
import type { StreamItem } from '../../src/pipeline/stream-item.ts';
import { dropWhen } from '../../src/stages/clean/filter-records.ts';
import { parseJson } from '../../src/stages/parse-json.ts';
import { deliverySink } from '../../src/stages/sink/delivery-sink.ts';
import { s3Destination } from '../../src/stages/sink/s3/s3-destination.ts';
import { startLocalS3, type LocalS3 } from '../../src/testing/local-s3.ts';
import { randomName, startLocalStack, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { putClickEvents, range } from './producer-helpers.ts';
import { scrape, total } from './prometheus-scrape.ts';
import { until } from './wait.ts';

const BUCKET = 'pipeline-metrics';
let stack: LocalStack;
let s3: LocalS3;
let reader: S3Client;
beforeAll(async () => {
  [stack, s3] = await Promise.all([startLocalStack(), startLocalS3({ buckets: [BUCKET] })]);
  reader = new S3Client({ ...s3.connection, forcePathStyle: true, requestHandler: new NodeHttpHandler() });
});
afterAll(async () => {
  reader?.destroy();
  await Promise.all([stack?.close(), s3?.close()]);
});

type Click = { id: number };

describe('a consumer pipeline through OpenTelemetry', () => {
  it('Prometheus scrapes records per stage, the failed attempt of a stage, and the S3 deliveries, per shard', async () => {
    const prometheus = await startPrometheusMetrics(0);
    const streamName = randomName('pmetrics');
    const applicationName = randomName('pmetrics-app');
    const workerIdentifier = randomName('worker');
    await createStream(stack.kinesis, streamName, 2);
    await putClickEvents(stack.kinesis, streamName, range(300));

    // Throws on the first batch it sees per shard; the restarted stage gets that batch again.
    let failedRecords = 0;
    const flaky = defineStage<StreamItem<Click>, StreamItem<Click>>({
      name: 'flaky',
      supervision: { minBackoffMs: 10, maxBackoffMs: 10 },
      create: ({ shardId }) => ({
        process(items) {
          if (!failedOnce.has(shardId!)) {
            failedOnce.add(shardId!);
            failedRecords += items.length;
            throw new KinesisActorsError('SERIALIZATION_FAILED', 'first batch refused');
          }
          return items;
        },
      }),
    });
    const failedOnce = new Set<string>();
    const pipeline = Pipeline.from<ConsumerRecord>()
      .pipe(parseJson<Click>())
      .pipe(dropWhen<StreamItem<Click>>('drop-fifths', (item) => item.value.id % 5 === 0))
      .pipe(flaky)
      .pipe(deliverySink({ name: 's3', destination: s3Destination({ bucket: BUCKET, prefix: `${streamName}/`, connection: s3.connection }), bufferIntervalMs: 100 }));
    const consumer = createConsumer({
      streamName,
      applicationName,
      workerIdentifier,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      idleTimeBetweenReadsInMillis: 50,
      processor: pipelineProcessor(pipeline, { name: 'clicks-archive', tickIntervalMs: 50 }),
    });
    await consumer.start();
    try {
      const pipe = { PipelineName: 'clicks-archive', StreamName: streamName, ApplicationName: applicationName, WorkerIdentifier: workerIdentifier };
      await until(async () => total(await scrape(prometheus.url), 'Sink_DeliveredRecords_total', { ...pipe, Stage: 's3' }) === 240, 60_000);
      const samples = await scrape(prometheus.url);
      expect(total(samples, 'Pipeline_RecordsIn_total', { ...pipe, Stage: 'parseJson' })).toBe(300);
      expect(total(samples, 'Pipeline_RecordsDropped_total', { ...pipe, Stage: 'drop-fifths' })).toBe(60);
      expect(total(samples, 'Pipeline_RecordsOut_total', { ...pipe, Stage: 'drop-fifths' })).toBe(240);
      expect(total(samples, 'Pipeline_RecordsFailed_total', { ...pipe, Stage: 'flaky', ErrorCode: 'SERIALIZATION_FAILED' })).toBe(failedRecords);
      expect(failedOnce.size).toBe(2);
      expect(total(samples, 'Pipeline_RecordsIn_total', { ...pipe, Stage: 's3' })).toBe(240);
      expect(samples.filter((s) => s.name === 'Pipeline_RecordsIn_total' && s.labels.Stage === 's3' && s.labels.StreamName === streamName).map((s) => s.labels.ShardId).sort()).toEqual([
        'shardId-000000000000',
        'shardId-000000000001',
      ]);
      const listed = await reader.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${streamName}/` }));
      const objects = listed.Contents ?? [];
      expect(total(samples, 'Sink_Deliveries_total', { ...pipe, Stage: 's3' })).toBe(objects.length);
      expect(total(samples, 'Sink_DeliveredBytes_total', { ...pipe, Stage: 's3' })).toBe(objects.reduce((sum, o) => sum + (o.Size ?? 0), 0));
      expect(total(samples, 'Sink_DeliveryTime_count', { ...pipe, Stage: 's3' })).toBe(objects.length);
      expect(total(samples, 'Sink_DeliveryFailures_total', { ...pipe })).toBeUndefined();
      expect(total(samples, 'Pipeline_StageTime_count', { ...pipe, Stage: 'flaky' })).toBeGreaterThanOrEqual(4);
    } finally {
      await consumer.close();
      await prometheus.close();
    }
  });
});
