import { describe, expect, it } from 'vitest';
import { fakeKinesisApi as fake } from './fake-kinesis.ts';
import type { ShardPage } from '../../../src/kinesis/kinesis-api.ts';
import { listAllShards } from '../../../src/kinesis/list-shards.ts';

const shard = (id: string) => ({ ShardId: id, HashKeyRange: undefined, SequenceNumberRange: undefined });

describe('listAllShards', () => {
  it('follows the next token to the last page', async () => {
    const pages: Record<string, ShardPage> = {
      first: { shards: [shard('a')], nextToken: 't1' },
      t1: { shards: [shard('b'), shard('c')], nextToken: 't2' },
      t2: { shards: [], nextToken: undefined },
    };
    const asked: unknown[] = [];
    const kinesis = fake({
      listShards: async (page) => {
        asked.push(page);
        return pages['nextToken' in page ? page.nextToken : 'first'];
      },
    });
    expect((await listAllShards(kinesis, 's')).map((s) => s.ShardId)).toEqual(['a', 'b', 'c']);
    expect(asked).toEqual([{ stream: 's' }, { nextToken: 't1' }, { nextToken: 't2' }]);
  });
});
