import { describe, expect, it } from 'vitest';
import type { AnyActorRef } from 'xstate';
import { ShardRouter } from '../../../src/producer/shard-router.ts';
import { ShardMap } from '../../../src/producer/shard-map.ts';
import { resolveProducerOptions, type ProducerOptions } from '../../../src/producer/options.ts';
import { acceptUserRecord } from '../../../src/producer/accept.ts';
import { HashKeyCache } from '../../../src/codec/hash-key-cache.ts';
import { Supervisor } from '../../../src/supervision/supervisor.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { silentLogger } from '../../../src/internal/logger.ts';
import { KinesisActorsError } from '../../../src/errors.ts';
import { MAX_HASH_KEY } from '../../../src/codec/hash-key.ts';
import type { Batch } from '../../../src/producer/batch.ts';
import type { UserRecord } from '../../../src/producer/user-record.ts';
import { recordBytes } from '../../../src/producer/byte-arena.ts';

const idOf = (record: UserRecord): number => JSON.parse(Buffer.from(recordBytes(record)).toString()).id;

const half = MAX_HASH_KEY / 2n;
const twoShards = new ShardMap(
  [
    { shardId: 'shard-0', startingHashKey: 0n, endingHashKey: half },
    { shardId: 'shard-1', startingHashKey: half + 1n, endingHashKey: MAX_HASH_KEY },
  ],
  1,
);

const settle = () => new Promise((resolve) => setImmediate(resolve));

function harness(overrides: Partial<ProducerOptions> = {}, flushImpl?: (batch: Batch) => Promise<void>) {
  const clock = new SimulatedClock(1_000_000);
  const options = resolveProducerOptions({ streamName: 's', ...overrides });
  const batches: Batch[] = [];
  const failed: { record: UserRecord; error: Error }[] = [];
  const escalated: unknown[] = [];
  const restarts: string[] = [];
  let refreshes = 0;
  const supervisor = new Supervisor<AnyActorRef>({
    clock,
    logger: silentLogger(),
    strategy: { minBackoffMs: 10, maxBackoffMs: 10, maxRestarts: 5, withinMs: 60_000 },
    onEscalate: (_id, e) => escalated.push(e),
    onRestart: (id) => restarts.push(id),
  });
  const router = new ShardRouter({
    options,
    clock,
    logger: silentLogger(),
    supervisor,
    draining: () => false,
    requestRefresh: () => refreshes++,
    fail: (record, error) => {
      record.settled = true;
      failed.push({ record, error });
    },
    flush:
      flushImpl ??
      (async (batch) => {
        batches.push(batch);
        for (const group of batch.groups) for (const r of group) r.settled = true;
      }),
  });
  const keys = new HashKeyCache();
  const put = (id: number, explicitHashKey: string) => {
    const record = acceptUserRecord({ id }, { partitionKey: `k${id}`, explicitHashKey }, options, keys, clock.now());
    router.route(record);
    return record;
  };
  return { clock, router, batches, failed, escalated, restarts, put, supervisor, refreshes: () => refreshes };
}

const low = '1';
const high = (MAX_HASH_KEY - 1n).toString();

describe('ShardRouter and the shard buffer actors', () => {
  it('holds records until the map arrives, then lingers RecordMaxBufferedTime before a flush', async () => {
    const h = harness();
    h.put(1, low);
    h.router.applyMap(twoShards);
    await settle();
    expect(h.batches).toHaveLength(0);
    h.clock.advance(99);
    await settle();
    expect(h.batches).toHaveLength(0);
    h.clock.advance(1);
    await settle();
    expect(h.batches).toHaveLength(1);
    expect(h.batches[0].shardId).toBe('shard-0');
  });

  it('routes by hash key and aggregates the records of a shard into one Kinesis record', async () => {
    const h = harness();
    h.router.applyMap(twoShards);
    for (let i = 0; i < 10; i++) h.put(i, i % 2 ? low : high);
    h.clock.advance(100);
    await settle();
    expect(h.batches.map((b) => b.shardId).sort()).toEqual(['shard-0', 'shard-1']);
    for (const batch of h.batches) {
      expect(batch.groups).toHaveLength(1);
      expect(batch.userRecords).toBe(5);
    }
  });

  it('flushes at once when the buffer fills, before linger time', async () => {
    const h = harness({ aggregationEnabled: false, collectionMaxCount: 10 });
    h.router.applyMap(twoShards);
    for (let i = 0; i < 10; i++) h.put(i, low);
    await settle();
    expect(h.batches).toHaveLength(1);
    expect(h.batches[0].groups).toHaveLength(10);
  });

  it('keeps one batch in flight per shard, in order', async () => {
    const releases: (() => void)[] = [];
    const order: number[] = [];
    const h = harness({ aggregationEnabled: false, collectionMaxCount: 2 }, (batch) => {
      for (const g of batch.groups) order.push(idOf(g[0]));
      return new Promise<void>((resolve) =>
        releases.push(() => {
          for (const g of batch.groups) for (const r of g) r.settled = true;
          resolve();
        }),
      );
    });
    h.router.applyMap(twoShards);
    for (let i = 0; i < 6; i++) h.put(i, low);
    await settle();
    expect(releases).toHaveLength(1);
    releases[0]();
    await settle();
    expect(releases).toHaveLength(2);
    releases[1]();
    await settle();
    releases[2]();
    await settle();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('re-queues a batch whose flush broke and sends it again after a backoff', async () => {
    let calls = 0;
    const sent: number[] = [];
    const h = harness({}, async (batch) => {
      calls++;
      if (calls <= 2) throw new Error('worker died');
      for (const g of batch.groups) for (const r of g) {
        sent.push(idOf(r));
        r.settled = true;
      }
    });
    h.router.applyMap(twoShards);
    for (let i = 0; i < 5; i++) h.put(i, low);
    for (let step = 0; step < 20; step++) {
      h.clock.advance(100);
      await settle();
    }
    expect(calls).toBe(3);
    expect(sent).toEqual([0, 1, 2, 3, 4]);
  });

  it('restarts a shard actor that keeps failing, and its records survive the restart', async () => {
    let calls = 0;
    const sent = new Set<number>();
    const h = harness({ retryMaxDelay: 200 }, async (batch) => {
      calls++;
      if (calls <= 7) throw new TypeError('bug in the flush stage');
      for (const g of batch.groups) for (const r of g) {
        sent.add(idOf(r));
        r.settled = true;
      }
    });
    h.router.applyMap(twoShards);
    for (let i = 0; i < 5; i++) h.put(i, low);
    for (let step = 0; step < 200 && sent.size < 5; step++) {
      h.clock.advance(50);
      await settle();
    }
    expect(calls).toBeGreaterThan(7);
    expect([...sent].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(h.escalated).toHaveLength(0);
    expect(h.restarts).toContain('shardBuffer:shard-0');
  });

  it('retries failed records with backoff and fails them as expired after recordTtl', async () => {
    const h = harness({ recordTtl: 1000, retryBaseDelay: 100, retryMaxDelay: 400 }, async (batch) => {
      for (const g of batch.groups) for (const r of g) r.attempts++;
      h.router.retryOrFail(batch.groups.flat(), new KinesisActorsError('THROTTLED', 'slow down', { retriable: true }));
    });
    h.router.applyMap(twoShards);
    h.put(1, low);
    for (let step = 0; step < 40; step++) {
      h.clock.advance(50);
      await settle();
    }
    expect(h.failed).toHaveLength(1);
    expect((h.failed[0].error as KinesisActorsError).code).toBe('RECORD_EXPIRED');
    expect(h.failed[0].error.message).toContain('slow down');
    expect(h.failed[0].record.attempts).toBeGreaterThan(1);
  });

  /** Puts 0..5 on one shard in batches of two, fails the first attempt, and lists the ids of every batch sent. */
  async function sendWithFirstAttemptFailing(preserveOrder: boolean): Promise<number[][]> {
    const sent: number[][] = [];
    const h = harness({ aggregationEnabled: false, collectionMaxCount: 2, retryBaseDelay: 100, retryMaxDelay: 400, preserveOrder }, async (batch) => {
      const records = batch.groups.flat();
      sent.push(records.map(idOf));
      for (const r of records) r.attempts++;
      if (sent.length === 1) h.router.retryOrFail(records, new KinesisActorsError('KINESIS_ERROR', 'HTTP 500', { retriable: true }));
      else for (const r of records) r.settled = true;
    });
    h.router.applyMap(twoShards);
    for (let i = 0; i < 6; i++) h.put(i, low);
    for (let step = 0; step < 400 && sent.flat().length < 8; step++) {
      h.clock.advance(1);
      await settle();
    }
    return sent;
  }

  it('with preserveOrder, sends a failed batch again, whole, before anything newer of its shard', async () => {
    expect(await sendWithFirstAttemptFailing(true)).toEqual([
      [0, 1],
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('without preserveOrder, sends newer records while a failed batch waits out its backoff', async () => {
    const sent = (await sendWithFirstAttemptFailing(false)).flat();
    // Each record draws its own backoff: the two retries may go out apart, in either order.
    expect(sent.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sent.slice(6).sort()).toEqual([0, 1]);
  });

  it('fails throttled records at once with failIfThrottled', () => {
    const h = harness({ failIfThrottled: true });
    h.router.applyMap(twoShards);
    const record = h.put(1, low);
    h.router.retryOrFail([record], new KinesisActorsError('THROTTLED', 'slow down', { retriable: true }));
    expect(h.failed.map((f) => (f.error as KinesisActorsError).code)).toEqual(['THROTTLED']);
  });

  it('holds a record whose hash key falls in a gap of the map, asks for a new map, and routes it then', async () => {
    const h = harness();
    h.router.applyMap(new ShardMap([{ shardId: 'shard-0', startingHashKey: 0n, endingHashKey: half }], 1));
    h.put(1, high);
    expect(h.refreshes()).toBe(1);
    expect(h.router.unroutedCount).toBe(1);
    h.router.applyMap(twoShards);
    h.clock.advance(100);
    await settle();
    expect(h.batches.map((b) => b.shardId)).toEqual(['shard-1']);
  });

  it('re-routes buffered records when their shard closes', async () => {
    const h = harness();
    h.router.applyMap(twoShards);
    h.put(1, low);
    h.put(2, high);
    const merged = new ShardMap([{ shardId: 'shard-2', startingHashKey: 0n, endingHashKey: MAX_HASH_KEY }], 2);
    h.router.applyMap(merged);
    h.clock.advance(100);
    await settle();
    expect(h.batches).toHaveLength(1);
    expect(h.batches[0].shardId).toBe('shard-2');
    expect(h.batches[0].userRecords).toBe(2);
  });
});
