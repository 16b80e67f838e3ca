import { describe, expect, it } from 'vitest';
import { fakeKinesisApi as fake } from './fake-kinesis.ts';
import { createStreamAndWait } from '../../../src/kinesis/active-stream.ts';

describe('createStreamAndWait', () => {
  it('creates the stream and polls until it is ACTIVE, telling each other status', async () => {
    const statuses: ('CREATING' | 'ACTIVE')[] = ['CREATING', 'CREATING', 'ACTIVE'];
    const created: unknown[] = [];
    const seen: (string | undefined)[] = [];
    const kinesis = fake({
      createStream: async (name, shards) => void created.push([name, shards]),
      describeStreamSummary: async () => ({ StreamStatus: statuses.shift() }),
    });
    await createStreamAndWait(kinesis, 's', { shardCount: 2 }, { pollMs: 1, onStatus: (status) => seen.push(status) });
    expect(created).toEqual([['s', { shardCount: 2 }]]);
    expect(seen).toEqual(['CREATING', 'CREATING']);
  });

  it('gives up after the timeout', async () => {
    const kinesis = fake({ createStream: async () => {}, describeStreamSummary: async () => ({ StreamStatus: 'CREATING' as const }) });
    await expect(createStreamAndWait(kinesis, 's', { shardCount: 1 }, { pollMs: 1, timeoutMs: 5 })).rejects.toThrow('stream s not ACTIVE after 5 ms');
  });
});
