/**
 * One consumer worker, run as a child process by the hand-off benchmark (bench/consumer.ts
 * runHandoff). Modelled on test/fixtures/fleet-worker.ts, but with the consumer's defaults for
 * everything except failoverTimeMillis, so the figure reflects what a user gets out of the box.
 * It logs every batch (one line, with a timestamp and shard) to its own file and drains on SIGTERM.
 *
 * env: KINESIS_ENDPOINT, DYNAMODB_ENDPOINT, STREAM, APP, WORKER_ID, OUT_DIR, FAILOVER_MS
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConsumer, createKinesisClient, createDynamoDbClient } from '../src/index.ts';

const env = process.env as Record<string, string>;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const workerId = env.WORKER_ID;
const out = join(env.OUT_DIR, `${workerId}.log`);

const consumer = createConsumer({
  streamName: env.STREAM,
  applicationName: env.APP,
  workerIdentifier: workerId,
  kinesis: createKinesisClient({ region: 'us-east-1', endpoint: env.KINESIS_ENDPOINT, credentials }),
  dynamodb: createDynamoDbClient({ region: 'us-east-1', endpoint: env.DYNAMODB_ENDPOINT, credentials }),
  initialPositionInStreamExtended: 'TRIM_HORIZON',
  failoverTimeMillis: Number(env.FAILOVER_MS),
  metricsIntervalMs: 0,
  async handler(records, { shardId }) {
    appendFileSync(out, `${Date.now()} ${shardId} ${records.length}\n`);
  },
});
consumer.on('lease.taken', ({ shardId, from }) => appendFileSync(out, `${Date.now()} TAKEN ${shardId} ${from ?? '-'}\n`));
consumer.on('lease.lost', ({ shardId }) => appendFileSync(out, `${Date.now()} LOST ${shardId}\n`));
await consumer.start();
process.send?.({ type: 'started', workerId });
process.once('SIGTERM', async () => {
  await consumer.close();
  appendFileSync(out, `${Date.now()} CLOSED\n`);
  process.exit(0);
});
