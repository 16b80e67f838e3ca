import { describe, expect, it } from 'vitest';
import { ShardMap } from '../../../src/producer/shard-map.ts';
import { MAX_HASH_KEY } from '../../../src/codec/hash-key.ts';
import { half, harness, high, idOf, low, settle, twoShards } from './shard-harness.ts';

describe('ShardRouter and the shard buffer actors', () => {
  it('holds records until the map arrives, then lingers RecordMaxBufferedTime before a flush', async () => {
    const h = harness();
    h.put(1, low);
    h.applyMap(twoShards);
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

  it('sends a batch whose linger timer fired less than a millisecond early, without another timer', async () => {
    const h = harness({}, undefined, 0.5);
    h.applyMap(twoShards);
    h.put(1, low);
    await settle();
    h.clock.advance(99);
    await settle();
    expect(h.batches).toHaveLength(0);
    // The timer set for 100 ms fires at 99.5 by the clock: the record counts as due then.
    h.clock.advance(0.5);
    await settle();
    expect(h.batches).toHaveLength(1);
  });

  it('routes by hash key and aggregates the records of a shard into one Kinesis record', async () => {
    const h = harness();
    h.applyMap(twoShards);
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
    h.applyMap(twoShards);
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
    h.applyMap(twoShards);
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

  it('sends what arrived while a batch was in flight once it is back: at the linger deadline, or at once when full', async () => {
    const releases: (() => void)[] = [];
    const sent: number[][] = [];
    const h = harness({ aggregationEnabled: false, collectionMaxCount: 2 }, (batch) => {
      sent.push(batch.groups.map((g) => idOf(g[0])));
      return new Promise<void>((resolve) =>
        releases.push(() => {
          for (const g of batch.groups) for (const r of g) r.settled = true;
          resolve();
        }),
      );
    });
    h.applyMap(twoShards);
    h.put(0, low);
    h.clock.advance(100);
    await settle();
    expect(sent).toEqual([[0]]);
    // The buffer was empty and the batch is out: the actor is told nothing of this record...
    h.put(1, low);
    await settle();
    releases[0]();
    await settle();
    expect(sent).toEqual([[0]]);
    // ...and sends it at its linger deadline all the same.
    h.clock.advance(100);
    await settle();
    expect(sent).toEqual([[0], [1]]);
    // A buffer that fills while its batch is out goes as soon as the batch is back, without lingering.
    h.put(2, low);
    h.put(3, low);
    await settle();
    releases[1]();
    await settle();
    expect(sent).toEqual([[0], [1], [2, 3]]);
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
    h.applyMap(twoShards);
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
      if (calls <= 7) throw new TypeError('bug in the batch sender');
      for (const g of batch.groups) for (const r of g) {
        sent.add(idOf(r));
        r.settled = true;
      }
    });
    h.applyMap(twoShards);
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

  it('holds a record whose hash key falls in a gap of the map, asks for a new map, and routes it then', async () => {
    const h = harness();
    h.applyMap(new ShardMap([{ shardId: 'shard-0', startingHashKey: 0n, endingHashKey: half }], 1));
    h.put(1, high);
    expect(h.refreshes()).toBe(1);
    expect(h.router.unroutedCount).toBe(1);
    h.applyMap(twoShards);
    h.clock.advance(100);
    await settle();
    expect(h.batches.map((b) => b.shardId)).toEqual(['shard-1']);
  });

  it('re-routes buffered records when their shard closes', async () => {
    const h = harness();
    h.applyMap(twoShards);
    h.put(1, low);
    h.put(2, high);
    const merged = new ShardMap([{ shardId: 'shard-2', startingHashKey: 0n, endingHashKey: MAX_HASH_KEY }], 2);
    h.applyMap(merged);
    h.clock.advance(100);
    await settle();
    expect(h.batches).toHaveLength(1);
    expect(h.batches[0].shardId).toBe('shard-2');
    expect(h.batches[0].userRecords).toBe(2);
  });
});

describe('ShardRouter.keepUnrouted', () => {
  it('keeps a record routed while it filters (an expiry made room for a waiting put)', () => {
    const h = harness();
    const first = h.put(1, low);
    const second = h.put(2, low);
    let admitted: ReturnType<typeof h.put> | undefined;
    h.router.keepUnrouted((record) => {
      if (record !== first) return true;
      admitted = h.put(3, low);
      return false;
    });
    const unrouted = h.router.unsettled();
    expect(unrouted).toContain(second);
    expect(unrouted).toContain(admitted);
    expect(unrouted).not.toContain(first);
  });
});
