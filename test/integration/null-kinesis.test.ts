import { describe, expect, it } from 'vitest';
import { createProducer } from '../../src/producer/producer.ts';
import { createKinesisClient } from '../../src/aws/clients.ts';
import { startNullKinesis } from '../../src/testing/null-kinesis.ts';

describe('null Kinesis endpoint (the producer ceiling in benchmarks)', () => {
  it.each([false, true])('lists its shards and acknowledges every put on the shard its hash key maps to (own process: %s)', async (ownProcess) => {
    const endpoint = await startNullKinesis(8, { ownProcess });
    const kinesis = createKinesisClient({ region: 'us-east-1', endpoint: endpoint.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const producer = createProducer({ streamName: 'anything', kinesis });
    const results = await Promise.all(Array.from({ length: 5000 }, (_, i) => producer.put({ i }, { partitionKey: `user-${i}` })));
    await producer.close();
    expect(new Set(results.map((r) => r.shardId)).size).toBe(8);
    expect(producer.metrics().ErrorsByCode).toEqual({});
    kinesis.destroy();
    await endpoint.close();
    expect(endpoint.stats.entries).toBe(producer.metrics().KinesisRecordsPut);
    expect(endpoint.close()).toBe(endpoint.close());
  });
});
