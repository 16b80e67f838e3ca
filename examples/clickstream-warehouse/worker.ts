// One worker of the clickstream example, run as its own process by main.ts: it reads the
// clicks stream twice, as the lake's and the warehouse's consumer application. SIGTERM drains
// it (final deliveries and checkpoints); main.ts also kills one with SIGKILL mid-delivery.
import { pino } from 'pino';
import { createConsumer, createDynamoDbClient, createKinesisClient, pipelineProcessor } from '../../src/index.ts';
import { lakePipeline, warehousePipeline } from './pipelines.ts';

const env = process.env as Record<string, string>;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
// s3rver accepts the one key pair it knows, S3RVER/S3RVER; the other emulators accept any.
const s3 = { region: 'us-east-1', endpoint: env.S3_ENDPOINT, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
const lake = lakePipeline(s3);
const warehouse = warehousePipeline(s3, env.POSTGRES_URL);
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const consumers = [
  { app: `${env.APP}-lake`, pipeline: lake.pipeline },
  { app: `${env.APP}-warehouse`, pipeline: warehouse.pipeline },
].map(({ app, pipeline }) =>
  createConsumer({
    streamName: env.STREAM,
    applicationName: app,
    workerIdentifier: env.WORKER_ID,
    kinesis: createKinesisClient({ region: 'us-east-1', endpoint: env.KINESIS_ENDPOINT, credentials }),
    dynamodb: createDynamoDbClient({ region: 'us-east-1', endpoint: env.DYNAMODB_ENDPOINT, credentials }),
    initialPositionInStreamExtended: 'TRIM_HORIZON',
    failoverTimeMillis: 3_000,
    idleTimeBetweenReadsInMillis: 200,
    maxRecords: 500,
    metricsInterval: 0,
    processor: pipelineProcessor(pipeline, { logger: logger.child({ app }) }),
    logger: logger.child({ app }),
  }),
);
await Promise.all(consumers.map((c) => c.start()));
process.send?.({ started: env.WORKER_ID });
process.once('SIGTERM', async () => {
  await Promise.all(consumers.map((c) => c.close()));
  await Promise.all([lake.close(), warehouse.close()]);
  process.exit(0);
});
