import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../../src/producer/producer.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';
import { readStream } from '../../src/testing/read-stream.ts';
import type { KinesisActorsError } from '../../src/errors.ts';

describe('producer: bytes in any form, and refusals beside them', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('stores the exact bytes of an ArrayBuffer and of a DataView range, while refused puts beside them reject alone', async () => {
    const stream = randomName('bytes');
    await createStream(stack.kinesis, stream, 2);
    const producer = createProducer({ streamName: stream, kinesis: stack.kinesis });
    const buffer = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff).buffer;

    const puts = [
      producer.put(buffer.slice(0, 8), { partitionKey: 'array-buffer' }),
      producer.put({ price: NaN }, { partitionKey: 'nan' }),
      producer.put(new DataView(buffer, 10, 5), { partitionKey: 'data-view' }),
      producer.put({ a: 1 }, { partitionKey: 'lone-\ud800' }),
      producer.put(new Uint8Array(buffer).subarray(60), { partitionKey: 'subarray' }),
    ];
    const outcomes = await Promise.allSettled(puts);
    await producer.close();

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as KinesisActorsError).code).toBe('SERIALIZATION_FAILED');
    expect(((outcomes[3] as PromiseRejectedResult).reason as KinesisActorsError).code).toBe('INVALID_PARTITION_KEY');

    const { records } = await readStream(stack.kinesis, stream);
    const byKey = Object.fromEntries(records.map((r) => [r.partitionKey, [...r.data]]));
    const bytes = new Uint8Array(buffer);
    expect(byKey).toEqual({
      'array-buffer': [...bytes.subarray(0, 8)],
      'data-view': [...bytes.subarray(10, 15)],
      subarray: [...bytes.subarray(60)],
    });
  });
});
