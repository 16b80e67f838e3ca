import { describe, expect, it } from 'vitest';
import type { PutRecordsResultEntry } from '../../../src/kinesis/kinesis-api.ts';
import { acceptUserRecord } from '../../../src/producer/accept.ts';
import { cutBatch } from '../../../src/producer/batch.ts';
import { createBatchSender } from '../../../src/producer/batch-sender.ts';
import { MetricsRecorder } from '../../../src/producer/metrics.ts';
import { resolveProducerOptions } from '../../../src/producer/options.ts';
import { ShardRateLimiter } from '../../../src/producer/rate-limiter.ts';
import { RequestCollector } from '../../../src/producer/request-collector.ts';
import { ShardBuffer } from '../../../src/producer/shard-buffer.ts';
import type { UserRecord } from '../../../src/producer/user-record.ts';
import type { ProducerEvents } from '../../../src/producer/events.ts';
import { InstrumentationEmitter } from '../../../src/internal/instrumentation-emitter.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';

const ok = (n: number): PutRecordsResultEntry => ({ ShardId: 'shard-0', SequenceNumber: String(n) });

const throttled: PutRecordsResultEntry = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' };

/**
 * Flushes one batch of user records with the given partition keys, `perEntry` of them to a Kinesis
 * record, whose entries are answered by `results`; returns the indexes of what was put and of what is sent again.
 */
async function flushAnswered(results: PutRecordsResultEntry[], preserveOrder: boolean, keysOf: string[] = results.map(() => 'k'), perEntry = 1) {
  const options = resolveProducerOptions({ streamName: 's', aggregationEnabled: perEntry > 1, aggregationMaxCount: perEntry, preserveOrder });
  const clock = new SimulatedClock(0);
  const hashKeys = new HashKeyCache();
  const buffer = new ShardBuffer('shard-0', preserveOrder);
  const records = keysOf.map((partitionKey, id) => acceptUserRecord({ id }, { partitionKey }, options, hashKeys, 0));
  for (const record of records) buffer.push(record);
  const batch = cutBatch(buffer, { ...options, maxRecordSize: 1024 * 1024, maxCount: 500, maxBytes: 5 * 1024 * 1024 }, 0)!;
  expect(batch.groups).toHaveLength(results.length);
  const put: number[] = [];
  const retried: number[] = [];
  const send = createBatchSender({
    options,
    collector: new RequestCollector({ putRecords: async () => results }, 's', clock, { maxEntries: 500, maxBytes: 5 * 1024 * 1024, holdMs: 0 }),
    pool: { threads: [], close: async () => {}, encode: async (task) => ({ records: task.groupSizes.map(() => new Uint8Array(1)) }) },
    clock,
    metrics: new MetricsRecorder(),
    events: new InstrumentationEmitter<ProducerEvents>(),
    router: { limiterOf: () => new ShardRateLimiter(1e9, 1e9, 0) },
    settler: {
      succeed: (record) => put.push(records.indexOf(record)),
      retryOrFail: (failed: readonly UserRecord[]) => retried.push(...failed.map((r) => records.indexOf(r))),
      wrongShard: () => Promise.reject(new Error('not expected')),
    },
  });
  await send(batch);
  return { put, retried };
}

describe('batch sender, entries failed inside a request', () => {
  it('with preserveOrder, sends again every later record of a key that had a record fail, the written ones too', async () => {
    expect(await flushAnswered([ok(1), throttled, ok(2), throttled, ok(3)], true)).toEqual({ put: [0], retried: [1, 2, 3, 4] });
  });

  it('with preserveOrder, keeps what was written of the other keys', async () => {
    const results = [ok(1), throttled, ok(2), ok(3), ok(4)];
    expect(await flushAnswered(results, true, ['a', 'a', 'b', 'a', 'c'])).toEqual({ put: [0, 2, 4], retried: [1, 3] });
  });

  it('with preserveOrder, picks the records to send again out of written aggregates', async () => {
    // Entries of two user records each: [a b] fails, [c a] and [b c] are written.
    const results = [throttled, ok(1), ok(2)];
    expect(await flushAnswered(results, true, ['a', 'b', 'c', 'a', 'b', 'c'], 2)).toEqual({ put: [2, 5], retried: [0, 1, 3, 4] });
  });

  it('with preserveOrder, loses nothing to a failed suffix: what was written before it is put', async () => {
    expect(await flushAnswered([ok(1), ok(2), throttled, throttled], true)).toEqual({ put: [0, 1], retried: [2, 3] });
  });

  it('without preserveOrder, sends again only the failed entries', async () => {
    expect(await flushAnswered([ok(1), throttled, ok(2), throttled, ok(3)], false)).toEqual({ put: [0, 2, 4], retried: [1, 3] });
  });
});
