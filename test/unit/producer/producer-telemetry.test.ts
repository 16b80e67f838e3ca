import { afterEach, describe, expect, it } from 'vitest';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { MetricsRecorder } from '../../../src/producer/metrics.ts';
import { ProducerTelemetry } from '../../../src/producer/producer-telemetry.ts';
import { registerTestMeterProvider } from '../telemetry/test-reader.ts';

let sdk: ReturnType<typeof registerTestMeterProvider> | undefined;
afterEach(async () => {
  await sdk?.disable();
  sdk = undefined;
});

describe('ProducerTelemetry', () => {
  it('reads the KPL counters and the pending gauge from the recorder at collection time, per StreamName', async () => {
    sdk = registerTestMeterProvider();
    const recorder = new MetricsRecorder();
    const telemetry = new ProducerTelemetry('clicks', recorder);
    recorder.values.UserRecordsReceived = 7;
    recorder.values.UserRecordsPut = 5;
    recorder.values.UserRecordsDataPut = 500;
    recorder.values.UserRecordsPending = 2;
    recorder.error('ProvisionedThroughputExceededException', 3);
    recorder.error('InternalFailure');
    expect(await sdk.reader.value('UserRecordsPut', { StreamName: 'clicks' })).toBe(5);
    expect(await sdk.reader.value('UserRecordsDataPut', { StreamName: 'clicks' })).toBe(500);
    expect(await sdk.reader.value('UserRecordsPending', { StreamName: 'clicks' })).toBe(2);
    expect(await sdk.reader.value('ErrorsByCode', { ErrorCode: 'ProvisionedThroughputExceededException' })).toBe(3);
    expect(await sdk.reader.value('AllErrors', { StreamName: 'clicks' })).toBe(4);
    recorder.values.UserRecordsPut = 9;
    expect(await sdk.reader.value('UserRecordsPut', { StreamName: 'clicks' })).toBe(9);
    telemetry.close();
  });

  it('records the per-request histograms with the KPL names', async () => {
    sdk = registerTestMeterProvider();
    const telemetry = new ProducerTelemetry('clicks', new MetricsRecorder());
    telemetry.request(12, 3, 30);
    telemetry.request(8, 1, 10);
    telemetry.buffered(40);
    telemetry.settled(0);
    telemetry.kinesisRecordPut(10);
    const requestTime = (await sdk.reader.value('RequestTime', { StreamName: 'clicks' })) as Histogram;
    expect([requestTime.count, requestTime.sum]).toEqual([2, 20]);
    expect(((await sdk.reader.value('UserRecordsPerPutRecordsRequest')) as Histogram).sum).toBe(40);
    expect(((await sdk.reader.value('KinesisRecordsPerPutRecordsRequest')) as Histogram).sum).toBe(4);
    expect(((await sdk.reader.value('BufferingTime')) as Histogram).sum).toBe(40);
    expect(((await sdk.reader.value('RetriesPerRecord')) as Histogram).count).toBe(1);
    expect(((await sdk.reader.value('UserRecordsPerKinesisRecord')) as Histogram).sum).toBe(10);
    telemetry.close();
  });

  it('reaches a MeterProvider registered after it was created, with the counts from before', async () => {
    const recorder = new MetricsRecorder();
    const telemetry = new ProducerTelemetry('late', recorder);
    recorder.values.UserRecordsPut = 4;
    telemetry.request(5, 1, 4);
    sdk = registerTestMeterProvider();
    expect(await sdk.reader.value('UserRecordsPut', { StreamName: 'late' })).toBeUndefined();
    telemetry.request(6, 1, 2);
    expect(await sdk.reader.value('UserRecordsPut', { StreamName: 'late' })).toBe(4);
    expect(((await sdk.reader.value('RequestTime', { StreamName: 'late' })) as Histogram).count).toBe(1);
    telemetry.close();
  });

  it('keeps two producers apart by StreamName, adds up counters of the same stream, and keeps a closed producer counted', async () => {
    sdk = registerTestMeterProvider();
    const a = new MetricsRecorder();
    const b = new MetricsRecorder();
    const c = new MetricsRecorder();
    const ta = new ProducerTelemetry('orders', a);
    const tb = new ProducerTelemetry('clicks', b);
    const tc = new ProducerTelemetry('clicks', c);
    a.values.UserRecordsPut = 1;
    b.values.UserRecordsPut = 10;
    c.values.UserRecordsPut = 100;
    expect(await sdk.reader.value('UserRecordsPut', { StreamName: 'orders' })).toBe(1);
    expect(await sdk.reader.value('UserRecordsPut', { StreamName: 'clicks' })).toBe(110);
    c.values.UserRecordsPut = 150;
    tc.close();
    c.values.UserRecordsPut = 999;
    expect(await sdk.reader.value('UserRecordsPut', { StreamName: 'clicks' })).toBe(160);
    ta.close();
    tb.close();
  });
});
