import { afterEach, describe, expect, it } from 'vitest';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { ConsumerInstrumentation } from '../../../src/consumer/consumer-instrumentation.ts';
import { registerTestMeterProvider } from '../telemetry/test-reader.ts';

let sdk: ReturnType<typeof registerTestMeterProvider> | undefined;
afterEach(async () => {
  await sdk?.disable();
  sdk = undefined;
});

const identity = { applicationName: 'app', streamName: 'clicks', workerIdentifier: 'worker-1' };

describe('the consumer through OpenTelemetry', () => {
  it('counts RecordsProcessed and DataBytesProcessed per shard with the KCL dimensions, and times processRecords', async () => {
    sdk = registerTestMeterProvider();
    const instrumentation = new ConsumerInstrumentation(true, 'polling', identity);
    const shard0 = instrumentation.forShard('shardId-0');
    shard0.batch(3, 1500, { bytes: 300, ms: 7 });
    instrumentation.batch('shardId-0', 3, 1500);
    instrumentation.batch('shardId-1', 5, 0);
    const dims = { ApplicationName: 'app', StreamName: 'clicks', WorkerIdentifier: 'worker-1', Operation: 'ProcessTask' };
    expect(await sdk.reader.value('RecordsProcessed', { ...dims, ShardId: 'shardId-0' })).toBe(3);
    expect(await sdk.reader.value('RecordsProcessed', { ...dims, ShardId: 'shardId-1' })).toBe(5);
    expect(await sdk.reader.value('DataBytesProcessed', { ...dims, ShardId: 'shardId-0' })).toBe(300);
    const time = (await sdk.reader.value('RecordProcessor.processRecords.Time', { ShardId: 'shardId-0' })) as Histogram;
    expect([time.count, time.sum]).toEqual([1, 7]);
    expect(await sdk.reader.value('MillisBehindLatest', { ShardId: 'shardId-0' })).toBe(1500);
    instrumentation.stopReporting();
  });

  it('times shard sync rounds, failed ones apart', async () => {
    sdk = registerTestMeterProvider();
    const instrumentation = new ConsumerInstrumentation(false, 'polling', identity);
    instrumentation.shardSyncRound(40, true);
    instrumentation.shardSyncRound(90, false);
    const points = await sdk.reader.points('ShardSyncTask.Time');
    expect(points.map((p) => [p.attributes.Operation, p.attributes.Success, (p.value as Histogram).sum]).sort()).toEqual([
      ['ShardSyncTask', false, 90],
      ['ShardSyncTask', true, 40],
    ]);
    instrumentation.stopReporting();
  });

  it('observes MillisBehindLatest for the shards held, and stops observing once stopped', async () => {
    sdk = registerTestMeterProvider();
    const instrumentation = new ConsumerInstrumentation(false, 'polling', identity);
    instrumentation.forShard('shardId-0').batch(1, 100);
    instrumentation.forShard('shardId-1').batch(1, 200);
    instrumentation.shardStopped('shardId-0', 'leaseLost');
    expect((await sdk.reader.points('MillisBehindLatest')).map((p) => [p.attributes.ShardId, p.value])).toEqual([['shardId-1', 200]]);
    instrumentation.forShard('shardId-1').batch(1, 300);
    expect(await sdk.reader.value('MillisBehindLatest', { ShardId: 'shardId-1' })).toBe(300);
    instrumentation.stopReporting();
    instrumentation.forShard('shardId-1').batch(1, 999);
    // The SDK keeps exporting a cumulative series' last value; what matters is that nothing new is observed.
    expect(await sdk.reader.value('MillisBehindLatest', { ShardId: 'shardId-1' })).toBe(300);
  });

  it('reaches a MeterProvider registered after it started, from its next batch', async () => {
    const instrumentation = new ConsumerInstrumentation(false, 'polling', identity);
    instrumentation.batch('shardId-0', 4, 0);
    sdk = registerTestMeterProvider();
    instrumentation.batch('shardId-0', 6, 0);
    expect(await sdk.reader.value('RecordsProcessed', { ShardId: 'shardId-0' })).toBe(6);
    instrumentation.stopReporting();
  });
});
