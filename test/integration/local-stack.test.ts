import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { createStream } from '../../src/testing/streams.ts';

describe('embedded local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('serves Kinesis over HTTP/1.1 on an ephemeral port', async () => {
    expect(stack.kinesisEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stream = randomName('stack');
    await createStream(stack.kinesis, stream, 3);
    const { Shards } = await stack.kinesis.send(new ListShardsCommand({ StreamName: stream }));
    expect(Shards).toHaveLength(3);
    const put = await stack.kinesis.send(
      new PutRecordsCommand({ StreamName: stream, Records: [{ Data: Buffer.from('x'), PartitionKey: 'k' }] }),
    );
    expect(put.FailedRecordCount).toBe(0);
  });

  it('serves DynamoDB', async () => {
    const { TableNames } = await stack.dynamodb!.send(new ListTablesCommand({}));
    expect(TableNames).toEqual([]);
  });

  it('closes idempotently', async () => {
    const other = await startLocalStack({ dynamodb: false });
    const first = other.close();
    expect(other.close()).toBe(first);
    await first;
  });
});
