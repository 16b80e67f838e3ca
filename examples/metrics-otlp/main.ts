/**
 * A producer and a consumer that push their metrics over OTLP/HTTP every 5 s: to the collector
 * OTEL_EXPORTER_OTLP_METRICS_ENDPOINT names (an OpenTelemetry Collector, which can forward them to
 * CloudWatch with its awsemf exporter), or else to a stand-in receiver that logs what arrives.
 * On SIGTERM or Ctrl-C both drain, a last export goes out, and the example prints it.
 *
 *   npx tsx examples/metrics-otlp/main.ts
 *   OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://localhost:4318/v1/metrics npx tsx examples/metrics-otlp/main.ts
 */
import { pino } from 'pino';
import { createConsumer, createProducer } from '../../src/index.ts';
import { startLocalStack, createStream } from '../../src/testing/index.ts';
import { startOtlpMetrics } from './metrics.ts';
import { startOtlpReceiver } from './receiver.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const receiver = process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ? undefined : await startOtlpReceiver();
const otlp = startOtlpMetrics({ url: process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? receiver!.url, intervalMs: 5000 });
const stack = await startLocalStack();
const streamName = 'example-metrics-otlp';
await createStream(stack.kinesis, streamName, 2);

const producer = createProducer({ streamName, kinesis: stack.kinesis, logger });
let put = 0;
let n = 0;
const feeding = setInterval(() => {
  for (let i = 0; i < 100; i++, n++) void producer.put({ page: `/p/${n % 5}`, n }, { partitionKey: `user-${n % 100}` }).then(() => put++, () => {});
}, 100);

let processed = 0;
const consumer = createConsumer({
  streamName,
  applicationName: 'example-metrics-otlp',
  initialPositionInStreamExtended: 'TRIM_HORIZON',
  kinesis: stack.kinesis,
  dynamodb: stack.dynamodb,
  logger,
  async handler(records) {
    processed += records.length;
  },
});
await consumer.start();
logger.info({ exportingTo: process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? receiver!.url }, 'producing and consuming; send SIGTERM or press Ctrl-C to stop');

async function shutdown(signal: string) {
  logger.info({ signal }, 'draining');
  clearInterval(feeding);
  await producer.close();
  await consumer.close();
  await otlp.flush();
  const received = [...(receiver?.values ?? [])].filter(([series]) => /^(UserRecordsPut|RecordsProcessed)\{/.test(series));
  logger.info({ put, processed }, `last export:\n${received.map(([series, value]) => `${series} ${value}`).join('\n')}`);
  await otlp.close();
  await receiver?.close();
  await stack.close();
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
