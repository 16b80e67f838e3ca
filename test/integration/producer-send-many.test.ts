import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../../src/producer/producer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { InvalidRecordError, KinesisActorsError } from '../../src/errors.ts';
import { account, clickEvent, range } from './producer-helpers.ts';

describe('send() and putMany() against the embedded Kinesis', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dynamodb: false });
  });
  afterAll(async () => {
    await stack.close();
  });

  async function freshStream(): Promise<string> {
    const name = randomName('send-many');
    await createStream(stack.kinesis, name, 2);
    return name;
  }

  it('puts every record of send() and putMany(), and close() waits for them all', async () => {
    const streamName = await freshStream();
    const producer = createProducer({ streamName, kinesis: stack.kinesis, compression: 'deflate' });
    const failed: unknown[] = [];
    producer.on('producer.recordFailed', (e) => failed.push(e));
    for (const id of range(3000)) producer.send(clickEvent(id).value, { partitionKey: clickEvent(id).partitionKey });
    const results = await Promise.all(
      [3000, 4000, 5000].map((from) => producer.putMany(range(1000).map((i) => ({ value: clickEvent(from + i).value, partitionKey: clickEvent(from + i).partitionKey })))),
    );
    expect(results).toEqual([1, 2, 3].map(() => ({ put: 1000, failed: [] })));
    await producer.close();
    expect(failed).toEqual([]);
    const seen = await account(stack.kinesis, streamName, range(6000));
    expect(seen.missing).toEqual([]);
    expect(seen.outOfOrderKeys).toEqual([]);
    expect(producer.metrics().UserRecordsPut).toBe(6000);
  });

  it('flush() sends what is buffered without waiting for its linger time, and waits for records given to send() and putMany()', async () => {
    const streamName = await freshStream();
    const producer = createProducer({ streamName, kinesis: stack.kinesis, recordMaxBufferedTime: 600_000 });
    for (const id of range(50)) producer.send(clickEvent(id).value, { partitionKey: clickEvent(id).partitionKey });
    let many: unknown;
    void producer.putMany(range(30).map((i) => ({ value: clickEvent(50 + i).value, partitionKey: clickEvent(50 + i).partitionKey }))).then((r) => (many = r));
    await producer.flush();
    expect(producer.metrics().UserRecordsPut).toBe(80);
    expect(producer.outstanding.records).toBe(0);
    const seen = await account(stack.kinesis, streamName, range(80));
    expect(seen.missing).toEqual([]);
    await producer.close();
    expect(many).toEqual({ put: 30, failed: [] });
  });

  it('refuses a putMany() whole when one record is invalid, naming its index, and accepts nothing of it', async () => {
    const streamName = await freshStream();
    const producer = createProducer({ streamName, kinesis: stack.kinesis });
    const entries = range(10).map((id) => ({ value: clickEvent(id).value, partitionKey: id === 3 ? '' : clickEvent(id).partitionKey }));
    const error = await producer.putMany(entries).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as KinesisActorsError).code).toBe('INVALID_PARTITION_KEY');
    expect((error as Error).message).toMatch(/^records\[3\]: partitionKey must be a string of 1 to 256 characters/);
    expect(producer.outstanding.records).toBe(0);
    const bigint = await producer.putMany([{ value: { n: 1 }, partitionKey: 'a' }, { value: { n: 2n }, partitionKey: 'b' }]).catch((e: unknown) => e);
    expect((bigint as KinesisActorsError).code).toBe('SERIALIZATION_FAILED');
    expect((bigint as Error).message).toMatch(/^records\[1\]: .*BigInt/);
    for (const notAnArray of [undefined, 'x', { value: 1, partitionKey: 'a' }]) {
      const refused = await producer.putMany(notAnArray as never).catch((e: unknown) => e);
      expect((refused as KinesisActorsError).code).toBe('INVALID_RECORDS');
    }
    const notAnEntry = await producer.putMany([{ value: 1, partitionKey: 'a' }, null as never]).catch((e: unknown) => e);
    expect((notAnEntry as Error).message).toMatch(/^records\[1\] must be an object/);
    expect(await producer.putMany([])).toEqual({ put: 0, failed: [] });
    await producer.close();
    expect(producer.metrics().UserRecordsReceived).toBe(0);
    const seen = await account(stack.kinesis, streamName, []);
    expect(seen.contents.records).toHaveLength(0);
  });

  it('throws from send() what put() would reject at once, and accepts nothing after close()', async () => {
    const streamName = await freshStream();
    const producer = createProducer({ streamName, kinesis: stack.kinesis });
    expect(() => producer.send({ a: 1 }, { partitionKey: 'k'.repeat(257) })).toThrow(InvalidRecordError);
    expect(() => producer.send({ a: NaN }, { partitionKey: 'k' })).toThrow(/NaN at \$\.a/);
    producer.send({ a: 1 }, { partitionKey: 'k' });
    await producer.close();
    expect(() => producer.send({ a: 1 }, { partitionKey: 'k' })).toThrow(expect.objectContaining({ code: 'PRODUCER_CLOSED', message: 'send() was called after close()' }));
    await expect(producer.putMany([{ value: 1, partitionKey: 'k' }])).rejects.toMatchObject({ code: 'PRODUCER_CLOSED' });
    expect(producer.metrics().UserRecordsPut).toBe(1);
  });

  it("in 'reject' mode refuses a putMany() larger than the room left, whole, and takes one that fits", async () => {
    const streamName = await freshStream();
    const producer = createProducer({ streamName, kinesis: stack.kinesis, maxOutstandingRecords: 100, backpressure: 'reject' });
    const entries = (n: number, from = 0) => range(n).map((i) => ({ value: clickEvent(from + i).value, partitionKey: clickEvent(from + i).partitionKey }));
    const first = producer.putMany(entries(60));
    const refused = await producer.putMany(entries(41, 60)).catch((e: unknown) => e);
    expect((refused as KinesisActorsError).code).toBe('BACKPRESSURE');
    expect(producer.outstanding.records).toBe(60);
    expect(() => {
      for (const { value, partitionKey } of entries(41, 60)) producer.send(value, { partitionKey });
    }).toThrow(expect.objectContaining({ code: 'BACKPRESSURE' }));
    expect(await first).toEqual({ put: 60, failed: [] });
    expect(await producer.putMany(entries(100, 200))).toEqual({ put: 100, failed: [] });
    await producer.close();
    expect(producer.metrics().UserRecordsPut).toBe(200);
  });

  it("in 'wait' mode queues what does not fit in order, and refuses a putMany() the waiting line cannot hold", async () => {
    const streamName = await freshStream();
    const producer = createProducer({ streamName, kinesis: stack.kinesis, maxOutstandingRecords: 100, backpressure: 'wait' });
    const entries = (n: number, from = 0) => range(n).map((i) => ({ value: clickEvent(from + i).value, partitionKey: clickEvent(from + i).partitionKey }));
    const first = producer.putMany(entries(150));
    expect(producer.outstanding).toMatchObject({ records: 100, waiting: 50 });
    // The line holds at most maxOutstandingRecords puts: 50 are in it, 51 more do not fit.
    const refused = await producer.putMany(entries(51, 150)).catch((e: unknown) => e);
    expect((refused as KinesisActorsError).code).toBe('BACKPRESSURE');
    expect(producer.outstanding.waiting).toBe(50);
    expect(await first).toEqual({ put: 150, failed: [] });
    await producer.close();
    const seen = await account(stack.kinesis, streamName, range(150));
    expect(seen.missing).toEqual([]);
    expect(seen.outOfOrderKeys).toEqual([]);
  });
});
