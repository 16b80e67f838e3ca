import { afterEach, describe, expect, it } from 'vitest';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { KinesisActorsError } from '../../../src/errors.ts';
import { resolvePipelineOptions } from '../../../src/pipeline/options.ts';
import { StageChain } from '../../../src/pipeline/stage-chain.ts';
import { defineStage, type Stage } from '../../../src/pipeline/stage.ts';
import type { StreamItem } from '../../../src/pipeline/stream-item.ts';
import { deliverySink } from '../../../src/stages/sink/delivery-sink.ts';
import type { SinkDestination } from '../../../src/stages/sink/destination.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { registerTestMeterProvider } from '../telemetry/test-reader.ts';
import { repeat } from './fixtures.ts';

let sdk: ReturnType<typeof registerTestMeterProvider> | undefined;
afterEach(async () => {
  await sdk?.disable();
  sdk = undefined;
});

const identity = { applicationName: 'app', streamName: 'clicks', workerIdentifier: 'worker-1' };

/** Wraps numbers as items; throws a coded error on the first batch holding a 7. */
function toItems(failures: { left: number }): Stage<number, StreamItem<number>> {
  return defineStage({
    name: 'items',
    supervision: { minBackoffMs: 1, maxBackoffMs: 1, maxRestarts: 3, withinMs: 60_000 },
    create: () => ({
      process: (items) => {
        if (items.includes(7) && failures.left-- > 0) throw new KinesisActorsError('SERIALIZATION_FAILED', 'seven is not welcome');
        return items.map((value) => ({ value, partitionKey: String(value) }));
      },
    }),
  });
}

/** Keeps objects in memory; `refuseNines` refuses (for good) objects holding a 9. */
function memoryDestination(refuseNines = false): SinkDestination & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>();
  return {
    objects,
    async write(key, body, object) {
      if (refuseNines && object?.records.some((r) => r.value === 9)) throw new TypeError('nines are refused');
      objects.set(key, body);
    },
  };
}

function chainOf(stages: Stage<any, any, any>[], clock?: SimulatedClock) {
  const failures: KinesisActorsError[] = [];
  const chain = new StageChain<number>({
    stages: stages as never,
    options: resolvePipelineOptions({ clock, name: 'clicks-to-s3', tickIntervalMs: 0 }),
    shardId: 'shardId-0',
    identity: { pipelineName: 'clicks-to-s3', ...identity },
    deliver: () => undefined,
    completed: () => {},
    failed: (error) => failures.push(error),
    tickMeta: () => -1,
  });
  chain.open();
  return { chain, failures };
}

const dims = { PipelineName: 'clicks-to-s3', ...{ ApplicationName: 'app', StreamName: 'clicks', WorkerIdentifier: 'worker-1' }, ShardId: 'shardId-0' };

describe('a pipeline through OpenTelemetry', () => {
  it('counts records in, out, dropped and failed per stage, times each stage per batch, and counts deliveries', async () => {
    sdk = registerTestMeterProvider();
    // The system clock: the failed stage restarts after its 1 ms backoff.
    const destination = memoryDestination(true);
    const errors = memoryDestination();
    const sink = deliverySink({ name: 's3', destination, errorDestination: errors, bufferSizeBytes: 1, retryDurationMs: 0 });
    const { chain, failures } = chainOf([repeat(), toItems({ left: 1 }), sink]);

    // repeat: 1,0,0 → 1 (two dropped); 7 → seven 7s, whose first attempt fails in `items`; 9,0 → nine 9s (a net gain: nothing counted dropped).
    await (await chain.push([1, 0, 0], 1)).done;
    await (await chain.push([7], 2)).done;
    await (await chain.push([9, 0], 3)).done;
    await chain.drain(4, 'close');
    expect(failures).toEqual([]);

    const value = (name: string, stage: string, extra: Record<string, string> = {}) => sdk!.reader.value(name, { ...dims, Stage: stage, ...extra });
    expect(await value('Pipeline.RecordsIn', 'repeat')).toBe(6);
    expect(await value('Pipeline.RecordsOut', 'repeat')).toBe(17);
    expect(await value('Pipeline.RecordsDropped', 'repeat')).toBe(2);
    expect(await value('Pipeline.RecordsIn', 'items')).toBe(17);
    expect(await value('Pipeline.RecordsOut', 'items')).toBe(17);
    expect(await value('Pipeline.RecordsFailed', 'items', { ErrorCode: 'SERIALIZATION_FAILED' })).toBe(7);
    expect(await value('Pipeline.RecordsFailed', 'repeat')).toBeUndefined();
    // A sink holds what it takes: nothing is dropped there, and it emits nothing.
    expect(await value('Pipeline.RecordsIn', 's3')).toBe(17);
    expect(await value('Pipeline.RecordsOut', 's3')).toBeUndefined();
    expect(await value('Pipeline.RecordsDropped', 's3')).toBeUndefined();

    // One histogram point per batch and stage: 3 batches and the flush, plus the failed attempt in `items`.
    const itemsTime = (await value('Pipeline.StageTime', 'items')) as Histogram;
    const repeatTime = (await value('Pipeline.StageTime', 'repeat')) as Histogram;
    expect([repeatTime.count, itemsTime.count]).toEqual([4, 5]);

    // bufferSizeBytes 1: one object per batch; the batch of nines is refused and goes to error output.
    const written = [...destination.objects.values()];
    expect(written).toHaveLength(2);
    expect(await value('Sink.Deliveries', 's3')).toBe(2);
    expect(await value('Sink.DeliveredRecords', 's3')).toBe(1 + 7);
    expect(await value('Sink.DeliveredBytes', 's3')).toBe(written.reduce((sum, body) => sum + body.byteLength, 0));
    expect(await value('Sink.DeliveryFailures', 's3', { ErrorCode: 'TypeError' })).toBe(1);
    const deliveryTime = (await sdk.reader.points('Sink.DeliveryTime')).reduce((n, p) => n + (p.value as Histogram).count, 0);
    expect(deliveryTime).toBe(3);
    expect(errors.objects.size).toBe(1);
    expect(await sdk.reader.value('Pipeline.BatchesPending', dims)).toBe(0);
    await chain.close();
  });

  it('picks up an SDK registered after the pipeline started, with the totals from before', async () => {
    const clock = new SimulatedClock(1_000);
    const { chain } = chainOf([repeat()], clock);
    await (await chain.push([1, 0, 3], 1)).done;
    sdk = registerTestMeterProvider();
    await (await chain.push([2], 2)).done;
    expect(await sdk.reader.value('Pipeline.RecordsIn', { ...dims, Stage: 'repeat' })).toBe(4);
    expect(await sdk.reader.value('Pipeline.RecordsOut', { ...dims, Stage: 'repeat' })).toBe(6);
    expect(((await sdk.reader.value('Pipeline.StageTime', { Stage: 'repeat' })) as Histogram).count).toBe(1);
    await chain.close();
    // Closed: its last counts stay, and nothing is counted twice.
    expect(await sdk.reader.value('Pipeline.RecordsIn', { ...dims, Stage: 'repeat' })).toBe(4);
  });

  it('counts the bytes of the serialized records for a destination that loads records (PostgreSQL)', async () => {
    sdk = registerTestMeterProvider();
    const loaded: unknown[] = [];
    const table: SinkDestination = {
      accepts: 'records',
      async write(_key, _body, object) {
        loaded.push(...object!.records.map((r) => r.value));
      },
    };
    const sink = deliverySink({ name: 'pg', destination: table, errorDestination: memoryDestination(), bufferSizeBytes: 1 });
    const { chain } = chainOf([toItems({ left: 0 }), sink]);
    await (await chain.push([1, 22, 333], 1)).done;
    await chain.drain(2, 'close');
    expect(loaded).toEqual([1, 22, 333]);
    expect(await sdk.reader.value('Sink.Deliveries', { ...dims, Stage: 'pg' })).toBe(1);
    expect(await sdk.reader.value('Sink.DeliveredRecords', { ...dims, Stage: 'pg' })).toBe(3);
    // "1\n22\n333\n"
    expect(await sdk.reader.value('Sink.DeliveredBytes', { ...dims, Stage: 'pg' })).toBe(9);
    await chain.close();
  });

  it('rejects a pipeline name that cannot be an attribute', () => {
    expect(() => resolvePipelineOptions({ name: '' })).toThrow(/name/);
    expect(() => resolvePipelineOptions({ name: 42 as never })).toThrow(/name/);
  });
});
