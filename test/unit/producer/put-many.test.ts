import { describe, expect, it } from 'vitest';
import { DescribeStreamSummaryCommand, ListShardsCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createProducer } from '../../../src/producer/producer.ts';
import { MAX_HASH_KEY } from '../../../src/codec/hash-key.ts';
import type { KinesisActorsError } from '../../../src/errors.ts';

const half = MAX_HASH_KEY / 2n;
const lowKey = '1';
const highKey = (half + 10n).toString();

/** Two shards; every PutRecords entry for the upper one fails as throttled, the lower one takes everything. */
function halfFailingKinesis() {
  let sequence = 0;
  const send = async (command: unknown) => {
    if (command instanceof DescribeStreamSummaryCommand) return { StreamDescriptionSummary: { StreamStatus: 'ACTIVE' } };
    if (command instanceof ListShardsCommand) {
      const range = (from: bigint, to: bigint) => ({ StartingHashKey: from.toString(), EndingHashKey: to.toString() });
      return {
        Shards: [
          { ShardId: 'shardId-000000000000', HashKeyRange: range(0n, half), SequenceNumberRange: { StartingSequenceNumber: '0' } },
          { ShardId: 'shardId-000000000001', HashKeyRange: range(half + 1n, MAX_HASH_KEY), SequenceNumberRange: { StartingSequenceNumber: '0' } },
        ],
      };
    }
    if (command instanceof PutRecordsCommand) {
      const entries = command.input.Records ?? [];
      const records = entries.map((entry) =>
        BigInt(entry.ExplicitHashKey ?? '0') > half
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }
          : { ShardId: 'shardId-000000000000', SequenceNumber: String(++sequence) },
      );
      return { FailedRecordCount: records.filter((r) => 'ErrorCode' in r).length, Records: records };
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  };
  return { send, destroy() {} } as unknown as KinesisClient;
}

const options = { streamName: 's', kinesis: halfFailingKinesis(), recordTtl: 300, recordMaxBufferedTime: 20, retryBaseDelay: 20, metricsIntervalMs: 0 };

describe('putMany() and send() when records fail for good', () => {
  it('putMany() resolves with the failed records by index, and the rest put', async () => {
    const producer = createProducer(options);
    const entries = Array.from({ length: 20 }, (_, i) => ({ value: { i }, partitionKey: `k${i}`, explicitHashKey: i % 3 === 0 ? highKey : lowKey }));
    const result = await producer.putMany(entries);
    const failedIndices = entries.flatMap((_, i) => (i % 3 === 0 ? [i] : []));
    expect(result.put).toBe(20 - failedIndices.length);
    expect(result.failed.map((f) => f.index)).toEqual(failedIndices);
    for (const failure of result.failed) {
      expect(failure.partitionKey).toBe(`k${failure.index}`);
      expect((failure.error as KinesisActorsError).code).toBe('RECORD_EXPIRED');
      expect((failure.error.cause as KinesisActorsError).code).toBe('THROTTLED');
    }
    await producer.close();
    expect(producer.metrics()).toMatchObject({ UserRecordsPut: 13, UserRecordExpired: 7, UserRecordsPending: 0 });
  });

  it('send() reports each record that fails for good as a producer.recordFailed event, and never rejects', async () => {
    const producer = createProducer(options);
    const failed: { partitionKey: string; attempts: number; error: Error }[] = [];
    producer.on('producer.recordFailed', (e) => failed.push(e));
    for (let i = 0; i < 10; i++) producer.send({ i }, { partitionKey: `k${i}`, explicitHashKey: i < 4 ? highKey : lowKey });
    await producer.close();
    expect(failed.map((f) => f.partitionKey).sort()).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(failed.every((f) => (f.error as KinesisActorsError).code === 'RECORD_EXPIRED')).toBe(true);
    // Each was sent and throttled at least once before its time to live ran out.
    expect(failed.every((f) => f.attempts >= 1 && (f.error.cause as KinesisActorsError).code === 'THROTTLED')).toBe(true);
    expect(producer.metrics()).toMatchObject({ UserRecordsPut: 6, UserRecordExpired: 4 });
  });
});
