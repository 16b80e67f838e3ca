import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisServiceException,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
  type KinesisClient,
  type PutRecordsRequestEntry,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { InvalidOptionError } from '../../src/errors.ts';
import { startFaultProxy, type FaultProxy } from '../../src/testing/fault-proxy.ts';
import type { FaultProxyOptions } from '../../src/testing/fault-proxy-options.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream, waitForStreamActive } from '../../src/testing/streams.ts';

interface TestStream {
  name: string;
  /** Shard ids in hash-range order, and a hash key inside each. */
  shardIds: string[];
  hashKeys: string[];
}

/** Reads one shard from TRIM_HORIZON to its end, returning each record's data as text without padding. */
async function readShard(kinesis: KinesisClient, stream: string, shardId: string): Promise<string[]> {
  const found: string[] = [];
  let iterator = (
    await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))
  ).ShardIterator;
  while (iterator) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
    for (const record of page.Records ?? []) found.push(Buffer.from(record.Data!).toString().replace(/\.+$/, ''));
    if (!page.Records?.length) break;
    iterator = page.NextShardIterator;
  }
  return found;
}

function entry(id: string, hashKey: string, size = id.length): PutRecordsRequestEntry {
  return { Data: Buffer.from(id.padEnd(size, '.')), PartitionKey: id, ExplicitHashKey: hashKey };
}

function errorCodes(records: PutRecordsResultEntry[] | undefined): (string | undefined)[] {
  return (records ?? []).map((r) => r.ErrorCode);
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, any>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, any>;
  }
  throw new Error('expected the call to fail');
}

describe('fault-injecting Kinesis proxy', () => {
  let stack: LocalStack;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(() => stack.close());

  async function proxied(options: Omit<FaultProxyOptions, 'upstream'> = {}): Promise<{ proxy: FaultProxy; kinesis: KinesisClient }> {
    const proxy = await startFaultProxy({ upstream: stack.kinesisEndpoint, ...options });
    const kinesis = createKinesisClient({ ...stack.kinesisConnection, endpoint: proxy.endpoint });
    cleanups.push(() => kinesis.destroy(), () => proxy.close());
    return { proxy, kinesis };
  }

  async function stream(shardCount: number): Promise<TestStream> {
    const name = randomName('proxy');
    await createStream(stack.kinesis, name, shardCount);
    const { Shards } = await stack.kinesis.send(new ListShardsCommand({ StreamName: name }));
    const shards = Shards!.sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
    return { name, shardIds: shards.map((s) => s.ShardId!), hashKeys: shards.map((s) => s.HashKeyRange!.StartingHashKey!) };
  }

  it('passes ListShards, PutRecords and GetRecords through when no fault is configured', async () => {
    const { proxy, kinesis } = await proxied();
    const s = await stream(2);
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: s.name }));
    expect(Shards).toHaveLength(2);
    const records = Array.from({ length: 20 }, (_, i) => entry(`e${i}`, s.hashKeys[i % 2]));
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: records }));
    expect(put.FailedRecordCount).toBe(0);
    expect(put.Records!.map((r) => r.ShardId)).toEqual(records.map((_, i) => s.shardIds[i % 2]));
    const single = await kinesis.send(new PutRecordCommand({ StreamName: s.name, Data: Buffer.from('one'), PartitionKey: 'one' }));
    expect(single.SequenceNumber).toBeDefined();
    const read = [...(await readShard(kinesis, s.name, s.shardIds[0])), ...(await readShard(kinesis, s.name, s.shardIds[1]))];
    expect(read.sort()).toEqual([...records.map((r) => Buffer.from(r.Data!).toString()), 'one'].sort());

    const stats = proxy.stats;
    expect(stats.acceptedEntries).toBe(21);
    expect(stats.operations.ListShards).toMatchObject({ requests: 1, forwarded: 1 });
    expect(stats.operations.PutRecords).toMatchObject({ requests: 1, forwarded: 1, acceptedEntries: 20 });
    expect(stats).toMatchObject({ throttledEntries: 0, failedEntries: 0, connectionResets: 0, upstreamErrors: 0, failedRequests: {} });
  });

  it('throttles entries beyond 1000 records/s on a shard, and only on that shard', async () => {
    const { proxy, kinesis } = await proxied({ throttle: true, clock: { now: () => 0 } });
    const s = await stream(3);
    const put = (records: PutRecordsRequestEntry[]) => kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: records }));

    const first = await put([
      ...Array.from({ length: 400 }, (_, i) => entry(`a${i}`, s.hashKeys[0])),
      ...Array.from({ length: 100 }, (_, i) => entry(`b${i}`, s.hashKeys[1])),
    ]);
    const second = await put(Array.from({ length: 500 }, (_, i) => entry(`c${i}`, s.hashKeys[0])));
    expect(first.FailedRecordCount).toBe(0);
    expect(second.FailedRecordCount).toBe(0);

    // Shard 0 has 100 records left this second and the clock stands still: its first 100 entries
    // pass, its next 100 fail, and every shard 1 entry passes; results come back in request order.
    const mixed = Array.from({ length: 400 }, (_, i) => entry(`d${i}`, s.hashKeys[i % 2]));
    const third = await put(mixed);
    expect(third.FailedRecordCount).toBe(100);
    expect(errorCodes(third.Records)).toEqual(
      mixed.map((_, i) => (i % 2 === 0 && i >= 200 ? 'ProvisionedThroughputExceededException' : undefined)),
    );
    expect(third.Records![200].ErrorMessage).toBe(
      `Rate exceeded for shard ${s.shardIds[0]} in stream ${s.name} under account 000000000000.`,
    );
    expect(third.Records![201]).toMatchObject({ ShardId: s.shardIds[1], SequenceNumber: expect.any(String) });

    // What was refused is really absent, what was accepted is there.
    const shard0 = await readShard(stack.kinesis, s.name, s.shardIds[0]);
    const shard1 = await readShard(stack.kinesis, s.name, s.shardIds[1]);
    expect(shard0).toHaveLength(1000);
    expect(shard0.filter((id) => id.startsWith('d'))).toEqual(mixed.filter((_, i) => i % 2 === 0 && i < 200).map((r) => r.PartitionKey));
    expect(shard1).toHaveLength(300);
    expect(await readShard(stack.kinesis, s.name, s.shardIds[2])).toEqual([]);
    expect(proxy.stats).toMatchObject({ throttledEntries: 100, acceptedEntries: 1300 });
  });

  it('throttles by bytes at 1 MiB/s per shard, counting data and partition key', async () => {
    const { proxy, kinesis } = await proxied({ throttle: true, clock: { now: () => 0 } });
    const s = await stream(2);
    // 100,000 data bytes + a 3-byte partition key: 10 fit in 1,048,576 bytes, the 11th does not.
    const records = Array.from({ length: 12 }, (_, i) => entry(`k${i.toString().padStart(2, '0')}`, s.hashKeys[1], 100_000));
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: records }));
    expect(errorCodes(put.Records)).toEqual([...Array(10).fill(undefined), ...Array(2).fill('ProvisionedThroughputExceededException')]);
    expect(await readShard(stack.kinesis, s.name, s.shardIds[1])).toEqual(records.slice(0, 10).map((r) => r.PartitionKey));

    // PutRecord has no per-entry result: a throttled one is a 400 the SDK maps to its modelled exception.
    const big = Buffer.alloc(100_000);
    const err = await rejection(kinesis.send(new PutRecordCommand({ StreamName: s.name, Data: big, PartitionKey: 'x', ExplicitHashKey: s.hashKeys[1] })));
    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$fault).toBe('client');
    expect(proxy.stats.operations.PutRecord).toMatchObject({ throttledEntries: 1, failedRequests: { 400: 1 }, forwarded: 0 });
    // The other shard still takes a PutRecord.
    await kinesis.send(new PutRecordCommand({ StreamName: s.name, Data: big, PartitionKey: 'y', ExplicitHashKey: s.hashKeys[0] }));
  });

  it('maps partition keys to shards by MD5 as Kinesis does, and refills buckets with time', async () => {
    let now = 0;
    const { kinesis } = await proxied({ throttle: { recordsPerSecond: 5 }, clock: { now: () => now } });
    const s = await stream(4);
    const records = Array.from({ length: 200 }, (_, i) => ({ Data: Buffer.from(`m${i}`), PartitionKey: `user-${i}` }));
    const put = async () => (await kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: records }))).Records!;
    const acceptedPerShard = (results: PutRecordsResultEntry[]) => {
      const counts: Record<string, number> = {};
      for (const r of results) if (!r.ErrorCode) counts[r.ShardId!] = (counts[r.ShardId!] ?? 0) + 1;
      return counts;
    };
    // Kinesalite places each accepted entry itself: if the proxy mapped any key to a different shard, some shard would show ≠ 5.
    const expected = Object.fromEntries(s.shardIds.map((id) => [id, 5]));
    expect(acceptedPerShard(await put())).toEqual(expected);
    expect(acceptedPerShard(await put())).toEqual({});
    now += 400; // 0.4 s at 5 records/s refills 2 per shard
    expect(acceptedPerShard(await put())).toEqual(Object.fromEntries(s.shardIds.map((id) => [id, 2])));
  });

  it('refreshes its shard map when the upstream places records on other shards (after a split)', async () => {
    const { proxy, kinesis } = await proxied({ throttle: { recordsPerSecond: 2 }, clock: { now: () => 0 } });
    const s = await stream(1);
    const put = async (ids: string[]) =>
      (await kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: ids.map((id) => entry(id, hashKeys[id[0] as 'l' | 'h'])) })))
        .Records!;
    const hashKeys = { l: '1', h: (2n ** 127n + 1n).toString() };
    expect(errorCodes(await put(['l1']))).toEqual([undefined]);
    await stack.kinesis.send(
      new SplitShardCommand({ StreamName: s.name, ShardToSplit: s.shardIds[0], NewStartingHashKey: (2n ** 127n).toString() }),
    );
    await waitForStreamActive(stack.kinesis, s.name);
    // The cached map still has the parent: its bucket (1 left) decides, and the upstream's answer shows the map is stale.
    const stale = await put(['l2', 'h1']);
    expect(errorCodes(stale)).toEqual([undefined, 'ProvisionedThroughputExceededException']);
    expect(stale[1].ErrorMessage).toContain(s.shardIds[0]);
    // Refetched: each child has its own full bucket.
    const fresh = await put(['l3', 'l4', 'l5', 'h2', 'h3', 'h4']);
    expect(errorCodes(fresh)).toEqual([undefined, undefined, 'ProvisionedThroughputExceededException', undefined, undefined, 'ProvisionedThroughputExceededException']);
    const children = new Set(fresh.filter((r) => !r.ErrorCode).map((r) => r.ShardId));
    expect(children.size).toBe(2);
    expect(children.has(s.shardIds[0])).toBe(false);
    expect(proxy.stats.operations.PutRecords.forwarded).toBe(3);
  });

  it('accounts for every entry under all faults at once: written = accepted, unacknowledged writes only from resets after forwarding', async () => {
    const { proxy, kinesis } = await proxied({
      seed: 11,
      throttle: { recordsPerSecond: 300 },
      entryFailureRate: 0.05,
      requestFailureRate: 0.1,
      connectionResetRate: 0.15,
      latencyMs: { min: 0, max: 5 },
    });
    const s = await stream(3);
    const acknowledged = new Set<string>();
    const refused = new Set<string>();
    const resetIds = new Set<string>();
    let batch = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (batch < 24) {
          const b = batch++;
          const records = Array.from({ length: 150 }, (_, i) => ({ Data: Buffer.from(`t${b}-${i}`), PartitionKey: `t${b}-${i}` }));
          try {
            const put = await kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: records }));
            put.Records!.forEach((r, i) => (r.ErrorCode ? refused : acknowledged).add(records[i].PartitionKey!));
          } catch (err) {
            if ((err as { code?: string }).code === 'ECONNRESET') for (const r of records) resetIds.add(r.PartitionKey!);
          }
        }
      }),
    );
    const written = (await Promise.all(s.shardIds.map((id) => readShard(stack.kinesis, s.name, id)))).flat();
    const stats = proxy.stats;
    expect(written).toHaveLength(stats.acceptedEntries);
    expect(new Set(written).size).toBe(written.length);
    for (const id of acknowledged) expect(written).toContain(id);
    for (const id of written) if (!acknowledged.has(id)) expect(resetIds.has(id)).toBe(true);
    for (const id of refused) expect(written).not.toContain(id);
    expect(written.length - acknowledged.size > 0).toBe(stats.resetsAfterForward > 0);
    // Entries refused in a request whose answer was then reset are counted but never reported.
    expect(stats.throttledEntries + stats.failedEntries).toBeGreaterThanOrEqual(refused.size);
    expect(refused.size).toBeGreaterThan(0);
  });

  it('fails whole requests with 500 InternalFailure or 503 ServiceUnavailable as the SDK parses them', async () => {
    const { proxy, kinesis } = await proxied({ requestFailureRate: 1, seed: 3 });
    const s = await stream(1);
    const names = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const err = await rejection(kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: [entry(`f${i}`, s.hashKeys[0])] })));
      expect(err).toBeInstanceOf(KinesisServiceException);
      expect(err.$fault).toBe('server');
      expect(err.$metadata.httpStatusCode).toBe(err.name === 'InternalFailure' ? 500 : 503);
      expect(['InternalFailure', 'ServiceUnavailable']).toContain(err.name);
      expect(err.message).toMatch(/injected by the fault proxy/);
      names.add(err.name);
    }
    expect(names.size).toBe(2);
    // Only the configured operations fail; ListShards passes through.
    await kinesis.send(new ListShardsCommand({ StreamName: s.name }));
    expect(await readShard(stack.kinesis, s.name, s.shardIds[0])).toEqual([]);
    const { failedRequests, forwarded } = proxy.stats.operations.PutRecords;
    expect(failedRequests[500] + failedRequests[503]).toBe(12);
    expect(forwarded).toBe(0);
  });

  it('fails single PutRecords entries with InternalFailure and writes the rest', async () => {
    const { proxy, kinesis } = await proxied({ entryFailureRate: 0.5 });
    const s = await stream(2);
    const records = Array.from({ length: 100 }, (_, i) => entry(`g${i}`, s.hashKeys[i % 2]));
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: records }));
    const failed = put.Records!.filter((r) => r.ErrorCode === 'InternalFailure');
    expect(failed.length).toBeGreaterThan(20);
    expect(put.FailedRecordCount).toBe(failed.length);
    expect(failed[0].ErrorMessage).toBe('Internal service failure.');
    const written = [...(await readShard(stack.kinesis, s.name, s.shardIds[0])), ...(await readShard(stack.kinesis, s.name, s.shardIds[1]))];
    const expected = records.filter((_, i) => !put.Records![i].ErrorCode).map((r) => r.PartitionKey);
    expect(written.sort()).toEqual(expected.sort());
    expect(proxy.stats).toMatchObject({ failedEntries: failed.length, acceptedEntries: 100 - failed.length });
  });

  it('resets the connection before forwarding: a network error, nothing written', async () => {
    const { proxy, kinesis } = await proxied({ connectionResetRate: 1, resetAfterForward: 0 });
    const s = await stream(1);
    const err = await rejection(kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: [entry('r1', s.hashKeys[0])] })));
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(err.code).toBe('ECONNRESET');
    expect(await readShard(stack.kinesis, s.name, s.shardIds[0])).toEqual([]);
    expect(proxy.stats).toMatchObject({ connectionResets: 1, resetsAfterForward: 0, forwarded: 0 });
  });

  it('resets the connection after forwarding: the client sees an error but the records were written', async () => {
    const { proxy, kinesis } = await proxied({ connectionResetRate: 1, resetAfterForward: 1 });
    const s = await stream(1);
    const records = [entry('r1', s.hashKeys[0]), entry('r2', s.hashKeys[0])];
    const err = await rejection(kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: records })));
    expect(err.code).toBe('ECONNRESET');
    expect(await readShard(stack.kinesis, s.name, s.shardIds[0])).toEqual(['r1', 'r2']);
    expect(proxy.stats).toMatchObject({ connectionResets: 1, resetsAfterForward: 1, acceptedEntries: 2 });
    // The client recovers on a new connection once resets stop.
    proxy.configure({ connectionResetRate: 0 });
    await kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: records }));
    expect(await readShard(stack.kinesis, s.name, s.shardIds[0])).toEqual(['r1', 'r2', 'r1', 'r2']);
  });

  it('adds latency', async () => {
    const { kinesis } = await proxied({ latencyMs: 150 });
    const s = await stream(1);
    const put = () => kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: [entry('l', s.hashKeys[0])] }));
    await put(); // warm the connections
    let started = performance.now();
    await put();
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);
    // Operations without faults are not delayed (no upper bound asserted: the machine may be busy).
    const { proxy, kinesis: other } = await proxied({ latencyMs: { min: 40, max: 80 } });
    expect(proxy.options.latencyMs).toEqual({ min: 40, max: 80 });
    started = performance.now();
    await other.send(new PutRecordsCommand({ StreamName: s.name, Records: [entry('m', s.hashKeys[0])] }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
  });

  it('makes the same decisions from the same seed', async () => {
    const s = await stream(2);
    async function run(seed: number): Promise<string[]> {
      const { kinesis } = await proxied({ seed, requestFailureRate: 0.2, entryFailureRate: 0.2, latencyMs: { min: 0, max: 2 } });
      const outcomes: string[] = [];
      for (let i = 0; i < 15; i++) {
        const records = Array.from({ length: 20 }, (_, j) => entry(`s${i}-${j}`, s.hashKeys[j % 2]));
        try {
          const put = await kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: records }));
          outcomes.push(put.Records!.map((r) => (r.ErrorCode ? 'x' : '.')).join(''));
        } catch (err) {
          outcomes.push((err as Error).name);
        }
      }
      return outcomes;
    }
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
    expect(first.some((o) => o === 'InternalFailure' || o === 'ServiceUnavailable')).toBe(true);
    expect(first.some((o) => o.includes('x'))).toBe(true);
  });

  it('changes faults at run time with configure()', async () => {
    const { proxy, kinesis } = await proxied({ clock: { now: () => 0 } });
    const s = await stream(1);
    const put = (n: number) =>
      kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: Array.from({ length: n }, (_, i) => entry(`c${i}`, s.hashKeys[0])) }));
    expect((await put(10)).FailedRecordCount).toBe(0);
    proxy.configure({ requestFailureRate: 1 });
    await rejection(put(1));
    proxy.configure({ requestFailureRate: 0, throttle: { recordsPerSecond: 3 } });
    expect((await put(5)).FailedRecordCount).toBe(2);
    proxy.configure({ entryFailureRate: 1 });
    expect(errorCodes((await put(2)).Records)).toEqual(['InternalFailure', 'InternalFailure']);
    proxy.configure({ entryFailureRate: 0, throttle: false });
    expect((await put(20)).FailedRecordCount).toBe(0);
    // Invalid input names the field and leaves the options as they were.
    expect(() => proxy.configure({ entryFailureRate: 1.5 })).toThrow(InvalidOptionError);
    expect(() => proxy.configure({ entryFailureRate: 1.5 })).toThrow(/options\.entryFailureRate must be a number between 0 and 1/);
    expect(proxy.options.entryFailureRate).toBe(0);
    expect(proxy.options.throttle).toBe(false);
  });

  it('applies faults only to the configured operations', async () => {
    const { kinesis } = await proxied({ operations: ['ListShards'], requestFailureRate: 1 });
    const s = await stream(1);
    await kinesis.send(new PutRecordsCommand({ StreamName: s.name, Records: [entry('o', s.hashKeys[0])] }));
    const err = await rejection(kinesis.send(new ListShardsCommand({ StreamName: s.name })));
    expect(['InternalFailure', 'ServiceUnavailable']).toContain(err.name);
  });

  it('validates its options', async () => {
    await expect(startFaultProxy({ upstream: stack.kinesisEndpoint, requestFailureRate: 2 })).rejects.toThrow(
      /options\.requestFailureRate must be a number between 0 and 1 \(got 2\)/,
    );
    await expect(startFaultProxy({ upstream: 'not a url' })).rejects.toThrow(/options\.upstream/);
    await expect(startFaultProxy({ upstream: stack.kinesisEndpoint, latencyMs: { min: 5, max: 1 } })).rejects.toThrow(
      /options\.latencyMs\.max must be ≥ latencyMs\.min/,
    );
    await expect(startFaultProxy({ upstream: stack.kinesisEndpoint, throttle: { bytesPerSecond: 0 } })).rejects.toThrow(
      /options\.throttle\.bytesPerSecond must be a positive/,
    );
  });

  it('closes idempotently and stops answering', async () => {
    const { proxy, kinesis } = await proxied();
    const s = await stream(1);
    await kinesis.send(new ListShardsCommand({ StreamName: s.name }));
    const closing = proxy.close();
    expect(proxy.close()).toBe(closing);
    await closing;
    const err = await rejection(kinesis.send(new ListShardsCommand({ StreamName: s.name })));
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(err.code);
  });
});
