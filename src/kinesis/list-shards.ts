import type { KinesisApi, Shard } from './kinesis-api.ts';
import type { StreamIdentity } from './stream-identity.ts';

/** Every shard of a stream, open and closed, following ListShards' NextToken. @internal */
export async function listAllShards(kinesis: KinesisApi, stream: StreamIdentity): Promise<Shard[]> {
  const shards: Shard[] = [];
  let page = await kinesis.listShards({ stream });
  shards.push(...page.shards);
  while (page.nextToken) {
    page = await kinesis.listShards({ nextToken: page.nextToken });
    shards.push(...page.shards);
  }
  return shards;
}
