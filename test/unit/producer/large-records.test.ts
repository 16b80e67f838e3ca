// Records above 1 MiB (streams whose MaxRecordSizeInKiB was raised, up to 10 MiB): the record
// limit the producer learns, and the bounds of its batches and PutRecords requests.
import { describe, expect, it } from 'vitest';
import type { AnyActorRef } from 'xstate';
import { acceptUserRecord } from '../../../src/producer/accept.ts';
import { resolveProducerOptions, type ProducerOptions } from '../../../src/producer/options.ts';
import { RecordLimit } from '../../../src/producer/record-limit.ts';
import { RequestCollector } from '../../../src/producer/request-collector.ts';
import { ShardMap } from '../../../src/producer/shard-map.ts';
import { ShardRouter } from '../../../src/producer/shard-router.ts';
import type { Batch } from '../../../src/producer/batch.ts';
import type { UserRecord } from '../../../src/producer/user-record.ts';
import type { PutRecordsRequestEntry } from '../../../src/kinesis/kinesis-api.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { MAX_HASH_KEY } from '../../../src/codec/hash-key.ts';
import { InvalidRecordError } from '../../../src/errors.ts';
import type { Supervisor } from '../../../src/supervision/supervisor.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';

const MiB = 1024 * 1024;
const TEN_MIB = 10 * MiB;

function limitOf(options: Partial<ProducerOptions>, stream?: { MaxRecordSizeInKiB?: number }): RecordLimit {
  const o = resolveProducerOptions({ streamName: 's', ...options });
  const limit = new RecordLimit(o.maxUserRecordSize, o.maxOutstandingBytes);
  if (stream) limit.learn(stream);
  return limit;
}

describe('RecordLimit: maxUserRecordSize and the stream limit', () => {
  it("follows the stream's MaxRecordSizeInKiB when the option is absent, 1 MiB when the stream does not say", () => {
    expect(limitOf({}, {}).bytes).toBe(MiB);
    expect(limitOf({}, { MaxRecordSizeInKiB: 1024 }).bytes).toBe(MiB);
    expect(limitOf({}, { MaxRecordSizeInKiB: 4096 }).bytes).toBe(4 * MiB);
    expect(limitOf({}, { MaxRecordSizeInKiB: 10240 }).bytes).toBe(TEN_MIB);
  });

  it('takes the option when it is below the stream limit, and lowers it to the stream limit otherwise', () => {
    expect(limitOf({ maxUserRecordSize: 100_000 }, { MaxRecordSizeInKiB: 10240 }).bytes).toBe(100_000);
    const lowered = limitOf({ maxUserRecordSize: 5 * MiB }, {});
    expect(lowered.bytes).toBe(MiB);
    expect(lowered.tooLarge(MiB + 1).message).toBe(
      "the record is 1048577 bytes (data plus partition key), over the stream's record limit (1048576: MaxRecordSizeInKiB 1024; options.maxUserRecordSize (5242880) is above it)",
    );
  });

  it('is never above maxOutstandingBytes, which a record must fit in', () => {
    const limit = limitOf({ maxOutstandingBytes: 3 * MiB }, { MaxRecordSizeInKiB: 10240 });
    expect(limit.bytes).toBe(3 * MiB);
    expect(limit.tooLarge(4 * MiB).message).toContain('over options.maxOutstandingBytes (3145728)');
  });

  it('before the stream limit is learned: the option, or the largest record Kinesis takes', () => {
    expect(limitOf({ maxUserRecordSize: 2 * MiB }).bytes).toBe(2 * MiB);
    const unknown = limitOf({});
    expect(unknown.learned).toBe(false);
    expect(unknown.bytes).toBe(TEN_MIB);
    expect(unknown.tooLarge(TEN_MIB + 1).message).toContain('over the largest record Kinesis takes (10485760)');
  });

  it('makes put() refuse a record over it with RECORD_TOO_LARGE naming the size and the limit, and take one at it', () => {
    const o = resolveProducerOptions({ streamName: 's' });
    const limit = new RecordLimit(o.maxUserRecordSize, o.maxOutstandingBytes);
    limit.learn({ MaxRecordSizeInKiB: 2048 });
    const hashKeys = new HashKeyCache();
    const at = acceptUserRecord(Buffer.alloc(2 * MiB - 1), { partitionKey: 'k' }, o, hashKeys, 0, limit);
    expect(at.size).toBe(2 * MiB);
    let error: unknown;
    try {
      acceptUserRecord(Buffer.alloc(2 * MiB), { partitionKey: 'k' }, o, hashKeys, 0, limit);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error).toMatchObject({
      code: 'RECORD_TOO_LARGE',
      retriable: false,
      message: "the record is 2097153 bytes (data plus partition key), over the stream's record limit (2097152: MaxRecordSizeInKiB 2048)",
    });
  });
});

/** A router over one shard owning every hash key, with the record limit learned from `stream`. */
function oneShardRouter(options: Partial<ProducerOptions>, stream: { MaxRecordSizeInKiB?: number }) {
  const o = resolveProducerOptions({ streamName: 's', ...options });
  const recordLimit = new RecordLimit(o.maxUserRecordSize, o.maxOutstandingBytes);
  recordLimit.learn(stream);
  const supervisor = { get: () => undefined } as unknown as Supervisor<AnyActorRef>;
  const router = new ShardRouter({ options: o, clock: new SimulatedClock(0), supervisor, recordLimit });
  const [state] = router.installMap(new ShardMap([{ shardId: 'shard-0', startingHashKey: 0n, endingHashKey: MAX_HASH_KEY }], 1)).added;
  const hashKeys = new HashKeyCache();
  const put = (size: number, partitionKey: string): UserRecord => {
    const record = acceptUserRecord(Buffer.alloc(size - Buffer.byteLength(partitionKey), 7), { partitionKey }, o, hashKeys, 0, recordLimit);
    router.route(record);
    return record;
  };
  const cutAll = (): Batch[] => {
    const batches: Batch[] = [];
    for (let batch = router.cut(state, 0); batch; batch = router.cut(state, 0)) batches.push(batch);
    return batches;
  };
  return { put, cutAll };
}

/** Bytes of a batch as sent: each lone record as it is, each aggregate bounded by its records. */
const groupBytes = (group: UserRecord[]) => group.reduce((sum, r) => sum + r.size, 0);

describe('batches and requests with records up to 10 MiB', () => {
  it('sends a record over the aggregation size alone, never aggregated, and keeps each batch within 10 MiB', () => {
    const { put, cutAll } = oneShardRouter({}, { MaxRecordSizeInKiB: 10240 });
    const large = [put(TEN_MIB, 'big-1'), put(3 * MiB, 'big-2'), put(60_000, 'just-over-aggregation'), put(6 * MiB, 'big-3'), put(6 * MiB, 'big-4')];
    const small = Array.from({ length: 2_000 }, (_, i) => put(200, `small-${i % 7}`));
    const batches = cutAll();
    const groups = batches.flatMap((b) => b.groups);
    expect(groups.flat()).toHaveLength(large.length + small.length);
    for (const record of large) expect(groups.find((g) => g.includes(record))).toEqual([record]);
    expect(groups.filter((g) => g.length > 1).length, 'the small records are aggregated').toBeGreaterThan(0);
    for (const batch of batches) {
      expect(batch.groups.length).toBeLessThanOrEqual(500);
      expect(batch.groups.map(groupBytes).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(TEN_MIB);
    }
    // The 10 MiB record fills a request alone; the two of 6 MiB cannot share one.
    expect(batches.find((b) => b.groups.some((g) => g[0] === large[0]))!.groups).toHaveLength(1);
    expect(batches.find((b) => b.groups.some((g) => g[0] === large[3]))!.groups.some((g) => g[0] === large[4])).toBe(false);
  });

  it('on a 1 MiB stream sizes batches as before: one second of the shard budget (1.5 MiB at rateLimit 150)', () => {
    const { put, cutAll } = oneShardRouter({ aggregationEnabled: false }, {});
    for (let i = 0; i < 40; i++) put(MiB / 4, `k-${i}`);
    for (const batch of cutAll()) expect(batch.groups.map(groupBytes).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1.5 * MiB);
  });

  it('holds at most 500 records in a batch of small unaggregated records', () => {
    const { put, cutAll } = oneShardRouter({ aggregationEnabled: false, rateLimit: 1000 }, {});
    for (let i = 0; i < 1_200; i++) put(100, `k-${i}`);
    expect(cutAll().map((b) => b.groups.length)).toEqual([500, 500, 200]);
  });

  it('puts batches of several shards together into requests of at most 10 MiB and 500 entries', async () => {
    const requests: { entries: number; bytes: number }[] = [];
    const sizes = new Map<PutRecordsRequestEntry, number>();
    const clock = new SimulatedClock(0);
    const collector = new RequestCollector(
      {
        putRecords: async (_stream, entries) => {
          requests.push({ entries: entries.length, bytes: entries.reduce((sum, e) => sum + sizes.get(e)!, 0) });
          return entries.map(() => ({ SequenceNumber: '1', ShardId: 'shard-0' }));
        },
      },
      's',
      clock,
      { maxEntries: 500, maxBytes: resolveProducerOptions({ streamName: 's', collectionMaxSize: 64 * MiB }).collectionMaxSize, holdMs: 10 },
    );
    const batchOf = (count: number, bytesEach: number) => {
      const entries = Array.from({ length: count }, () => ({ Data: new Uint8Array(0), PartitionKey: 'a' }));
      for (const entry of entries) sizes.set(entry, bytesEach);
      return { entries, bytes: count * bytesEach };
    };
    const batches = [batchOf(1, TEN_MIB), batchOf(1, 6 * MiB), batchOf(1, 6 * MiB), batchOf(300, 1000), batchOf(300, 1000), batchOf(1, 3 * MiB), batchOf(499, 100)];
    const tickets = batches.map(() => collector.expect());
    await Promise.all(batches.map((b, i) => collector.submit(tickets[i], b.entries, b.bytes)));
    expect(requests.reduce((sum, r) => sum + r.entries, 0)).toBe(batches.reduce((sum, b) => sum + b.entries.length, 0));
    for (const request of requests) {
      expect(request.entries).toBeLessThanOrEqual(500);
      expect(request.bytes).toBeLessThanOrEqual(TEN_MIB);
    }
    expect(requests.length).toBeGreaterThan(3);
  });
});
