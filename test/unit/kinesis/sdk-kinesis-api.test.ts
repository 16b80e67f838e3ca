import { describe, expect, it } from 'vitest';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisRequestError } from '../../../src/kinesis/kinesis-errors.ts';
import { SdkKinesisApi } from '../../../src/kinesis/sdk-kinesis-api.ts';

/** An SDK client that answers every command with `answer` and keeps what it was sent. */
function stubClient(answer: () => unknown) {
  const inputs: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      inputs.push(command.input);
      return answer();
    },
  } as unknown as KinesisClient;
  return { api: new SdkKinesisApi(client), inputs };
}

describe('SdkKinesisApi', () => {
  it('asks for an iterator at the position given', async () => {
    const { api, inputs } = stubClient(() => ({ ShardIterator: 'it' }));
    expect(await api.getShardIterator('s', 'shard-0', { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '42' })).toBe('it');
    const at = new Date(0);
    await api.getShardIterator('s', 'shard-0', { type: 'AT_TIMESTAMP', timestamp: at });
    await api.getShardIterator('s', 'shard-0', { type: 'LATEST' });
    expect(inputs).toEqual([
      { StreamName: 's', ShardId: 'shard-0', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '42' },
      { StreamName: 's', ShardId: 'shard-0', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: at },
      { StreamName: 's', ShardId: 'shard-0', ShardIteratorType: 'LATEST' },
    ]);
  });

  it('reads a closed shard\'s null iterator as its end, and missing lists as empty', async () => {
    const { api } = stubClient(() => ({ NextShardIterator: null, MillisBehindLatest: 0 }));
    expect(await api.getRecords('it', 10)).toEqual({ records: [], nextShardIterator: undefined, millisBehindLatest: 0 });
    expect(await api.putRecords('s', [])).toEqual([]);
    expect(await api.listShards({ stream: 's' })).toEqual({ shards: [], nextToken: undefined });
    expect(await api.describeStreamSummary('s')).toEqual({});
  });

  it('pages ListShards by stream name first, then by token alone', async () => {
    const { api, inputs } = stubClient(() => ({ Shards: [{ ShardId: 'a' }], NextToken: 't' }));
    expect(await api.listShards({ stream: 's' })).toEqual({ shards: [{ ShardId: 'a' }], nextToken: 't' });
    await api.listShards({ nextToken: 't' });
    expect(inputs).toEqual([{ StreamName: 's' }, { NextToken: 't' }]);
  });

  it('rejects with the classified error of a failed request, and with a programming error as it is', async () => {
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    const failing = stubClient(() => {
      throw cause;
    });
    await expect(failing.api.putRecords('s', [])).rejects.toMatchObject({ code: 'THROTTLED', retriable: true, operation: 'PutRecords', cause });
    await expect(failing.api.createStream('s', { shardCount: 1 })).rejects.toBeInstanceOf(KinesisRequestError);
    const bug = new TypeError('bug');
    const buggy = stubClient(() => {
      throw bug;
    });
    await expect(buggy.api.getRecords('it', 1)).rejects.toBe(bug);
  });

  it('sends a stream given by ARN as StreamARN and one given by name as StreamName, on every stream-level call', async () => {
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks';
    const { api, inputs } = stubClient(() => ({}));
    await api.putRecords(arn, []);
    await api.listShards({ stream: arn });
    await api.getShardIterator(arn, 'shard-0', { type: 'LATEST' });
    await api.describeStreamSummary(arn);
    await api.describeStreamSummary('clicks');
    expect(inputs).toEqual([
      { StreamARN: arn, Records: [] },
      { StreamARN: arn },
      { StreamARN: arn, ShardId: 'shard-0', ShardIteratorType: 'LATEST' },
      { StreamARN: arn },
      { StreamName: 'clicks' },
    ]);
  });

  it('creates a provisioned stream with its shard count, an on-demand one without, and passes the record limit', async () => {
    const { api, inputs } = stubClient(() => ({}));
    await api.createStream('a', { shardCount: 2 });
    await api.createStream('b', { shardCount: 2, onDemand: true, maxRecordSizeInKiB: 10240 });
    await api.createStream('c', { shardCount: 1, maxRecordSizeInKiB: 2048 });
    expect(inputs).toEqual([
      { StreamName: 'a', ShardCount: 2 },
      { StreamName: 'b', StreamModeDetails: { StreamMode: 'ON_DEMAND' }, MaxRecordSizeInKiB: 10240 },
      { StreamName: 'c', ShardCount: 1, MaxRecordSizeInKiB: 2048 },
    ]);
  });
});
