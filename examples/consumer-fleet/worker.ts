// One worker of the consumer-fleet example, run as its own process by main.ts. It reports the
// ids it processed to its parent and drains on SIGTERM (final checkpoints, leases released).
import { createConsumer, createDynamoDbClient, createKinesisClient } from '../../src/index.ts';

const env = process.env as Record<string, string>;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const consumer = createConsumer({
  streamName: env.STREAM,
  applicationName: env.APP,
  workerIdentifier: env.WORKER_ID,
  kinesis: createKinesisClient({ region: 'us-east-1', endpoint: env.KINESIS_ENDPOINT, credentials }),
  dynamodb: createDynamoDbClient({ region: 'us-east-1', endpoint: env.DYNAMODB_ENDPOINT, credentials }),
  initialPositionInStreamExtended: 'TRIM_HORIZON',
  failoverTimeMillis: 5_000,
  idleTimeBetweenReadsInMillis: 200,
  metricsIntervalMs: 0,
  async handler(records) {
    process.send?.({ ids: records.map((r) => (JSON.parse(r.data.toString()) as { id: number }).id) });
  },
});
await consumer.start();
process.send?.({ started: env.WORKER_ID });
process.once('SIGTERM', async () => {
  await consumer.close();
  process.exit(0);
});
