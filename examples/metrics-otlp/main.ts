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
import { startLocalStack } from '../../src/testing/index.ts';
import { startOtlpMetrics } from './metrics.ts';
import { startOtlpReceiver } from './receiver.ts';
import { startClickWorkload } from '../metrics-prometheus/workload.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const receiver = process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ? undefined : await startOtlpReceiver();
const otlp = startOtlpMetrics({ url: process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? receiver!.url, intervalMs: 5000 });
const stack = await startLocalStack();
const streamName = 'example-metrics-otlp';
const work = await startClickWorkload(stack, streamName, logger);
logger.info({ exportingTo: process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? receiver!.url }, 'producing and consuming; send SIGTERM or press Ctrl-C to stop');

async function shutdown(signal: string) {
  logger.info({ signal }, 'draining');
  await work.drain();
  await otlp.flush();
  const received = [...(receiver?.values ?? [])].filter(([series]) => /^(UserRecordsPut|RecordsProcessed)\{/.test(series));
  logger.info(work.counts(), `last export:\n${received.map(([series, value]) => `${series} ${value}`).join('\n')}`);
  await otlp.close();
  await receiver?.close();
  await stack.close();
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
