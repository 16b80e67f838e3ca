/**
 * A producer and a consumer whose metrics Prometheus scrapes: the KPL's and the KCL's metric
 * names (UserRecordsPut, RecordsProcessed, MillisBehindLatest, ...) at /metrics. On SIGTERM or
 * Ctrl-C both drain, and the example prints what a last scrape shows of them.
 *
 *   npx tsx examples/metrics-prometheus/main.ts         # embedded Kinesis + DynamoDB; curl http://127.0.0.1:9464/metrics
 *   METRICS_PORT=0 npx tsx examples/metrics-prometheus/main.ts
 */
import { pino } from 'pino';
import { startLocalStack } from '../../src/testing/index.ts';
import { startPrometheusMetrics } from './metrics.ts';
import { startClickWorkload } from './workload.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
// First, before the producer and the consumer: their instruments then go straight to this provider.
const prometheus = await startPrometheusMetrics(Number(process.env.METRICS_PORT ?? 9464));
const stack = await startLocalStack();
const streamName = 'example-metrics';
const work = await startClickWorkload(stack, streamName, logger);
logger.info({ scrape: prometheus.url }, 'producing and consuming; send SIGTERM or press Ctrl-C to stop');

async function shutdown(signal: string) {
  logger.info({ signal }, 'draining');
  await work.drain();
  const scraped = await (await fetch(prometheus.url)).text();
  const series = scraped.split('\n').filter((line) => /^(UserRecordsPut|RecordsProcessed)_total\{/.test(line));
  logger.info(work.counts(), `last scrape:\n${series.join('\n')}`);
  await prometheus.close();
  await stack.close();
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
