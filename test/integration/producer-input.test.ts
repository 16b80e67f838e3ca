import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, type Producer } from '../../src/producer/producer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { readStream } from '../../src/testing/read-stream.ts';
import { InvalidOptionError, InvalidRecordError, KinesisActorsError } from '../../src/errors.ts';

describe('producer input validation', () => {
  let stack: LocalStack;
  let stream: string;
  let producer: Producer;
  beforeAll(async () => {
    stack = await startLocalStack();
    stream = randomName('input');
    await createStream(stack.kinesis, stream, 2);
    producer = createProducer({ streamName: stream, kinesis: stack.kinesis, maxUserRecordSize: 10_000 });
  });
  afterAll(async () => {
    await producer.close();
    await stack.close();
  });

  const circular: Record<string, unknown> = {};
  circular.self = circular;

  it.each([
    ['an empty partition key', { a: 1 }, { partitionKey: '' }, 'INVALID_PARTITION_KEY', /1 to 256 characters/],
    ['a partition key over 256 characters', { a: 1 }, { partitionKey: 'k'.repeat(257) }, 'INVALID_PARTITION_KEY', /257 characters/],
    ['a missing partition key', { a: 1 }, undefined, 'INVALID_PARTITION_KEY', /partitionKey/],
    ['an explicit hash key over 2^128-1', { a: 1 }, { partitionKey: 'k', explicitHashKey: (2n ** 128n).toString() }, 'INVALID_EXPLICIT_HASH_KEY', /explicit/i],
    ['a non-decimal explicit hash key', { a: 1 }, { partitionKey: 'k', explicitHashKey: '0x10' }, 'INVALID_EXPLICIT_HASH_KEY', /0x10/],
    ['a record over the size limit', { blob: 'x'.repeat(20_000) }, { partitionKey: 'k' }, 'RECORD_TOO_LARGE', /maxUserRecordSize \(10000\)/],
    ['a value JSON cannot serialize', circular, { partitionKey: 'k' }, 'SERIALIZATION_FAILED', /circular/i],
    ['a BigInt', { n: 1n }, { partitionKey: 'k' }, 'SERIALIZATION_FAILED', /BigInt/],
    ['undefined', undefined, { partitionKey: 'k' }, 'SERIALIZATION_FAILED', /undefined/],
  ])('rejects %s with a typed error on that call', async (_name, value, options, code, message) => {
    const error = await producer.put(value, options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as KinesisActorsError).code).toBe(code);
    expect((error as KinesisActorsError).retriable).toBe(false);
    expect((error as Error).message).toMatch(message);
  });

  it('keeps working after bad input: good records around bad ones are all delivered', async () => {
    const good = await Promise.all([
      producer.put({ n: 1 }, { partitionKey: 'a' }),
      producer.put({ n: 2 }, { partitionKey: 'b', explicitHashKey: '0' }),
      producer.put(Buffer.from('raw bytes'), { partitionKey: 'c' }),
    ]);
    await producer.put({ n: 3 }, { partitionKey: '' }).catch(() => {});
    good.push(await producer.put({ n: 4 }, { partitionKey: 'd' }));
    expect(good.every((r) => r.sequenceNumber.length > 0 && r.attempts === 1)).toBe(true);
    expect(good[1].shardId).toBe('shardId-000000000000');
    const contents = await readStream(stack.kinesis, stream);
    const bodies = contents.records.map((r) => r.data.toString());
    expect(bodies).toEqual(expect.arrayContaining(['{"n":1}', '{"n":2}', 'raw bytes', '{"n":4}']));
    expect(bodies).toHaveLength(4);
  });

  it('rejects put() after close() with PRODUCER_CLOSED, and close() is idempotent', async () => {
    const other = createProducer({ streamName: stream, kinesis: stack.kinesis });
    await other.close();
    await other.close();
    const error = await other.put({ a: 1 }, { partitionKey: 'k' }).catch((e: unknown) => e);
    expect((error as KinesisActorsError).code).toBe('PRODUCER_CLOSED');
  });

  it("rejects with BACKPRESSURE in 'reject' mode when full, and still delivers what it accepted", async () => {
    const small = createProducer({ streamName: stream, kinesis: stack.kinesis, maxOutstandingRecords: 10, backpressure: 'reject' });
    const outcomes = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => small.put({ i }, { partitionKey: `p${i}` })));
    await small.close();
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected).toHaveLength(5);
    expect(rejected.every((o) => (o.reason as KinesisActorsError).code === 'BACKPRESSURE' && (o.reason as KinesisActorsError).retriable)).toBe(true);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
  });

  it("waits in 'wait' mode: outstanding stays under the limit and every record is delivered", async () => {
    const small = createProducer({ streamName: stream, kinesis: stack.kinesis, maxOutstandingRecords: 100 });
    let peak = 0;
    let waited = 0;
    for (let round = 0; round < 10; round++) {
      const results = Array.from({ length: 150 }, (_, i) => {
        const p = small.put({ round, i }, { partitionKey: `w${i % 50}` });
        peak = Math.max(peak, small.outstanding.records);
        waited = Math.max(waited, small.outstanding.waiting);
        return p;
      });
      await Promise.all(results);
    }
    await small.close();
    expect(peak).toBeLessThanOrEqual(100);
    expect(waited).toBe(50);
    expect(small.metrics().UserRecordsPut).toBe(1500);
  });

  it('publishes metrics as instrumentation events, and on() returns an unsubscribe', async () => {
    const watched = createProducer({ streamName: stream, kinesis: stack.kinesis, metricsIntervalMs: 20 });
    const snapshots: { UserRecordsPut: number }[] = [];
    const unsubscribe = watched.on('producer.metrics', (m) => snapshots.push(m));
    await watched.put({ m: 1 }, { partitionKey: 'metrics' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    unsubscribe();
    const seen = snapshots.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(snapshots.length).toBe(seen);
    expect(snapshots.at(-1)!.UserRecordsPut).toBe(1);
    await watched.close();
  });

  it('throws InvalidOptionError naming the field for bad options', () => {
    expect(() => createProducer({ streamName: stream, kinesis: stack.kinesis, rateLimit: -1 })).toThrow(InvalidOptionError);
    expect(() => createProducer({ streamName: stream, kinesis: stack.kinesis, rateLimit: -1 })).toThrow(/options\.rateLimit/);
  });

  it('fails records with RECORD_EXPIRED when the stream does not exist', async () => {
    const lost = createProducer({ streamName: randomName('missing'), kinesis: stack.kinesis, recordTtl: 300, retryBaseDelayMs: 20, retryMaxDelayMs: 50 });
    const error = await lost.put({ a: 1 }, { partitionKey: 'k' }).catch((e: unknown) => e);
    expect((error as KinesisActorsError).code).toBe('RECORD_EXPIRED');
    await lost.close();
  });
});
