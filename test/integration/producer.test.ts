import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, producerInternals } from '../../src/producer/producer.ts';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { account, clickEvent, range } from './producer-helpers.ts';

describe('producer against the embedded Kinesis', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('puts 100,000 events into 4 shards: every id exactly once, in order per partition key', async () => {
    const stream = randomName('e2e');
    await createStream(stack.kinesis, stream, 4);
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, workerThreads: 2, compression: 'deflate' });
    let requests = 0;
    producer.on('producer.putRecords', () => requests++);
    const ids = range(100_000);
    const results = ids.map((id) => {
      const { value, partitionKey } = clickEvent(id);
      return producer.put(value, { partitionKey });
    });
    const settled = await Promise.all(results);
    await producer.close();
    expect(new Set(settled.map((r) => r.shardId)).size).toBe(4);

    const got = await account(stack.kinesis, stream, ids);
    expect(got.missing).toEqual([]);
    expect(got.duplicates).toBe(0);
    expect(got.outOfOrderKeys).toEqual([]);
    expect(got.contents.records).toHaveLength(100_000);
    // aggregated and compressed: far fewer Kinesis records than events
    expect(got.contents.compressedRecords).toBeGreaterThan(0);
    expect(got.contents.kinesisRecords).toBeLessThan(5_000);

    const metrics = producer.metrics();
    expect(metrics.UserRecordsReceived).toBe(100_000);
    expect(metrics.UserRecordsPut).toBe(100_000);
    expect(metrics.UserRecordsPending).toBe(0);
    expect(metrics.KinesisRecordsPut).toBe(got.contents.kinesisRecords);
    expect(metrics.UserRecordsPerKinesisRecord.max).toBeGreaterThan(1);
    // One worker task per batch, never per record; batches of shards due together share a
    // PutRecords request, which RequestTime counts once.
    expect(requests).toBeLessThan(1000);
    expect(metrics.RequestTime.count).toBeGreaterThan(0);
    expect(metrics.RequestTime.count).toBeLessThanOrEqual(requests);
    console.log(
      `100k events: ${got.contents.kinesisRecords} Kinesis records, ${(got.contents.kinesisBytes / 100_000).toFixed(1)} bytes/event on the wire`,
    );
  });

  it('writes plain KPL records with compression off, and single records as-is without aggregation', async () => {
    const stream = randomName('plain');
    await createStream(stack.kinesis, stream, 2);
    const kpl = createProducer({ streamName: stream, kinesis: stack.kinesis, compression: 'none' });
    await Promise.all(range(2000).map((id) => kpl.put(clickEvent(id).value, { partitionKey: clickEvent(id).partitionKey })));
    await kpl.close();
    const raw = createProducer({ streamName: stream, kinesis: stack.kinesis, aggregationEnabled: false });
    await Promise.all(range(500).map((i) => raw.put(clickEvent(2000 + i).value, { partitionKey: clickEvent(2000 + i).partitionKey })));
    await raw.close();
    const got = await account(stack.kinesis, stream, range(2500));
    expect(got.missing).toEqual([]);
    expect(got.contents.compressedRecords).toBe(0);
    expect(got.contents.kinesisRecords).toBeGreaterThanOrEqual(500);
  });

  it('close() while 50,000 records are in flight: every accepted record is on the stream afterwards', async () => {
    const stream = randomName('close');
    await createStream(stack.kinesis, stream, 4);
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis });
    const ids = range(50_000);
    const results = ids.map((id) => producer.put(clickEvent(id).value, { partitionKey: clickEvent(id).partitionKey }));
    const closing = producer.close();
    expect(producer.close()).toBe(closing);
    await closing;
    const outcomes = await Promise.allSettled(results);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const got = await account(stack.kinesis, stream, ids);
    expect(got.missing).toEqual([]);
  });

  it('flush() sends records accepted before the shard map was loaded', async () => {
    const stream = randomName('early');
    await createStream(stack.kinesis, stream, 2);
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, recordMaxBufferedTime: 600_000 });
    const put = producer.put({ early: true }, { partitionKey: 'k' });
    await producer.flush();
    await expect(put).resolves.toMatchObject({ attempts: 1 });
    await producer.close();
  });

  it('sends the batches of several shards in shared PutRecords requests, each shard in order', async () => {
    const stream = randomName('collect');
    await createStream(stack.kinesis, stream, 4);
    const kinesis = createKinesisClient(stack.kinesisConnection);
    // The shards each PutRecords request wrote to, from its answer.
    const requests: Set<string>[] = [];
    kinesis.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        if ((args.input as { Records?: unknown }).Records) {
          const answered = (result.output as { Records?: { ShardId?: string }[] }).Records ?? [];
          requests.push(new Set(answered.flatMap((r) => (r.ShardId ? [r.ShardId] : []))));
        }
        return result;
      },
      { step: 'initialize' },
    );
    // Records linger until flush(), so each round's batches are cut together by the flush and not
    // by linger timers that a busy machine fires at other moments.
    const producer = createProducer({ streamName: stream, kinesis, recordMaxBufferedTime: 600_000 });
    const batches = new Map<string, number>();
    producer.on('producer.putRecords', (e) => batches.set(e.shardId, (batches.get(e.shardId) ?? 0) + 1));
    const ids = range(6_000);
    const rounds = 4;
    const perRound = ids.length / rounds;
    for (let round = 0; round < rounds; round++) {
      for (const id of ids.slice(round * perRound, (round + 1) * perRound)) void producer.put(clickEvent(id).value, { partitionKey: clickEvent(id).partitionKey });
      await producer.flush();
    }
    await producer.close();
    kinesis.destroy();
    const got = await account(stack.kinesis, stream, ids);
    expect(got.missing).toEqual([]);
    expect(got.duplicates).toBe(0);
    expect(got.outOfOrderKeys).toEqual([]);
    // Every shard sent a batch per round, one after another...
    expect(batches.size).toBe(4);
    for (const [shardId, count] of batches) expect(count, shardId).toBeGreaterThanOrEqual(rounds);
    // ...and the batches of different shards went out together in one request.
    expect(requests.filter((shards) => shards.size > 1), JSON.stringify(requests.map((s) => [...s]))).not.toEqual([]);
    const sent = [...batches.values()].reduce((a, b) => a + b, 0);
    expect(requests.length).toBeLessThan(sent);
  });

  // Every 5 ms kills threads mid-batch; every 1 ms also kills their replacements before they
  // are ready, after which piscina stops replacing threads and the pool itself must be replaced.
  it.each([5, 1])('loses no record when worker threads are killed every %i ms', async (everyMs) => {
    const stream = randomName('kill');
    await createStream(stack.kinesis, stream, 2);
    // Deflate at level 9 keeps each task in the worker long enough for a kill to land in it.
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis, workerThreads: 2, compression: 'deflate', compressionLevel: 9 });
    const failures: unknown[] = [];
    producer.on('producer.flushFailed', (e) => failures.push(e));
    const pool = producer[producerInternals].pool;
    const ids = range(30_000);
    const results = ids.map((id) => producer.put(clickEvent(id).value, { partitionKey: clickEvent(id).partitionKey }));
    let settled = false;
    const outcomes = Promise.allSettled(results).then((all) => ((settled = true), all));
    // Kill worker threads while batches are being encoded, until one kill lands mid-task: for
    // as long as there is encoding left to hit, however slowly the machine gets through it.
    while (failures.length === 0 && !settled) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      for (const thread of pool.threads) void thread.terminate();
    }
    expect((await outcomes).filter((o) => o.status === 'rejected')).toEqual([]);
    await producer.close();
    expect(failures.length).toBeGreaterThan(0);
    const got = await account(stack.kinesis, stream, ids);
    expect(got.missing).toEqual([]);
    console.log(`worker kills: ${failures.length} batches re-queued, ${got.duplicates} duplicates`);
  });
});
