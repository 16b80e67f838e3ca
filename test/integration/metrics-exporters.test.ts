import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/testing/index.ts';
import { startPrometheusMetrics } from '../../examples/metrics-prometheus/metrics.ts';
import { startOtlpMetrics } from '../../examples/metrics-otlp/metrics.ts';
import { startOtlpReceiver } from '../../examples/metrics-otlp/receiver.ts';
import { startWorkload } from './metrics-workload.ts';
import { scrape, total } from './prometheus-scrape.ts';
import { until } from './wait.ts';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('metrics through OpenTelemetry', () => {
  it('Prometheus scrapes the producer and the consumer series with their KPL and KCL names and values', async () => {
    const prometheus = await startPrometheusMetrics(0);
    const work = await startWorkload(stack);
    try {
      await work.putAndConsume(600);
      const workerId = work.workerIdentifier;
      const samples = await scrape(prometheus.url);
      const stream = { StreamName: work.streamName };
      const m = work.producer.metrics();
      expect(total(samples, 'UserRecordsPut_total', stream)).toBe(work.acknowledged());
      expect(work.acknowledged()).toBe(600);
      expect(total(samples, 'UserRecordsReceived_total', stream)).toBe(600);
      expect(total(samples, 'KinesisRecordsPut_total', stream)).toBe(m.KinesisRecordsPut);
      expect(total(samples, 'UserRecordsDataPut_total', stream)).toBe(m.UserRecordsDataPut);
      expect(total(samples, 'UserRecordsPending', stream)).toBe(0);
      expect(total(samples, 'RequestTime_count', stream)).toBeGreaterThan(0);
      expect(total(samples, 'UserRecordsPerPutRecordsRequest_sum', stream)).toBe(600);
      expect(total(samples, 'RecordsProcessed_total', { ...stream, Operation: 'ProcessTask' })).toBe(work.seen());
      expect(samples.filter((s) => s.name === 'RecordsProcessed_total' && s.labels.StreamName === work.streamName).map((s) => s.labels.ShardId).sort()).toEqual([
        'shardId-000000000000',
        'shardId-000000000001',
      ]);
      expect(total(samples, 'MillisBehindLatest', stream)).toBeGreaterThanOrEqual(0);
      expect(total(samples, 'RecordsProcessed_total', { ...stream, WorkerIdentifier: workerId })).toBe(work.seen());
      expect(total(samples, 'CurrentLeases', { WorkerIdentifier: workerId, Operation: 'RenewAllLeases' })).toBe(2);
      expect(total(samples, 'TakenLeases_total', { WorkerIdentifier: workerId, Operation: 'TakeLeases' })).toBe(2);
    } finally {
      await work.close();
      await prometheus.close();
    }
  });

  it('an OTLP/HTTP export carries the same values to a collector', async () => {
    const receiver = await startOtlpReceiver();
    const otlp = startOtlpMetrics({ url: receiver.url, intervalMs: 60_000 });
    const work = await startWorkload(stack);
    try {
      await work.putAndConsume(400);
      await otlp.flush();
      expect(receiver.exports).toBeGreaterThan(0);
      expect(receiver.values.get(`UserRecordsPut{StreamName="${work.streamName}"}`)).toBe(400);
      const processed = [...receiver.values].filter(([series]) => series.startsWith('RecordsProcessed{') && series.includes(`StreamName="${work.streamName}"`));
      expect(processed.length).toBe(2);
      expect(processed.reduce((sum, [, value]) => sum + value, 0)).toBe(work.seen());
    } finally {
      await work.close();
      await otlp.close();
      await receiver.close();
    }
  });

  it('an OTLP target that refuses connections does not touch the producer or the consumer', async () => {
    const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${await closedPort()}/v1/metrics` });
    let failedExports = 0;
    const exportTo = exporter.export.bind(exporter);
    exporter.export = (metrics, done) =>
      exportTo(metrics, (result) => {
        if (result.code !== 0) failedExports++;
        done(result);
      });
    const otlp = startOtlpMetrics({ exporter, intervalMs: 100 });
    const work = await startWorkload(stack);
    try {
      await work.putAndConsume(300);
      await until(() => failedExports >= 2);
      await work.putAndConsume(300);
      expect(work.acknowledged()).toBe(600);
      expect(work.seen()).toBeGreaterThanOrEqual(600);
      expect(work.producer.metrics().UserRecordsPut).toBe(600);
    } finally {
      await work.close();
      await otlp.close();
    }
  });

  it('an SDK registered after the producer and the consumer started gets their values from then on', async () => {
    const work = await startWorkload(stack);
    let prometheus: Awaited<ReturnType<typeof startPrometheusMetrics>> | undefined;
    try {
      await work.putAndConsume(200);
      prometheus = await startPrometheusMetrics(0);
      const url = prometheus.url;
      expect(total(await scrape(url), 'UserRecordsPut_total', { StreamName: work.streamName })).toBeUndefined();
      await work.putAndConsume(200);
      const stream = { StreamName: work.streamName };
      // The counters come from the totals the producer keeps: what it put before the registration counts too.
      expect(total(await scrape(url), 'UserRecordsPut_total', stream)).toBe(400);
      expect(total(await scrape(url), 'RecordsProcessed_total', stream)).toBeGreaterThan(0);
      // The lease coordinator's instruments move over at its next renewal round.
      await until(async () => total(await scrape(url), 'CurrentLeases', { Operation: 'RenewAllLeases' }) !== undefined);
    } finally {
      await work.close();
      await prometheus?.close();
    }
  });

  it('two producers in one process are kept apart by StreamName', async () => {
    const prometheus = await startPrometheusMetrics(0);
    const first = await startWorkload(stack);
    const second = await startWorkload(stack);
    try {
      await Promise.all([first.putAndConsume(150), second.putAndConsume(250)]);
      const samples = await scrape(prometheus.url);
      expect(total(samples, 'UserRecordsPut_total', { StreamName: first.streamName })).toBe(150);
      expect(total(samples, 'UserRecordsPut_total', { StreamName: second.streamName })).toBe(250);
      expect(total(samples, 'RecordsProcessed_total', { StreamName: first.streamName })).toBe(first.seen());
      expect(total(samples, 'RecordsProcessed_total', { StreamName: second.streamName })).toBe(second.seen());
    } finally {
      await Promise.all([first.close(), second.close()]);
      await prometheus.close();
    }
  });
});
