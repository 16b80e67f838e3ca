import type { KinesisApi, Shard } from '../kinesis/kinesis-api.ts';
import { listAllShards } from '../kinesis/list-shards.ts';
import type { StreamIdentity } from '../kinesis/stream-identity.ts';

/** One open shard and the hash keys it owns. */
export interface ShardRange {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/**
 * The open shards of a stream, sorted by hash range, answering "which shard owns this hash key"
 * the way Kinesis does: the open shard whose range contains it.
 */
export class ShardMap {
  readonly shards: readonly ShardRange[];
  readonly version: number;
  private readonly byId: Map<string, ShardRange>;

  constructor(shards: readonly ShardRange[], version: number) {
    this.shards = [...shards].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
    this.version = version;
    this.byId = new Map(this.shards.map((s) => [s.shardId, s]));
  }

  /** The open shard owning `hashKey`, or undefined if the map has a gap there (mid-reshard). */
  shardFor(hashKey: bigint): ShardRange | undefined {
    const shards = this.shards;
    let low = 0;
    let high = shards.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const shard = shards[mid];
      if (hashKey < shard.startingHashKey) high = mid - 1;
      else if (hashKey > shard.endingHashKey) low = mid + 1;
      else return shard;
    }
    return undefined;
  }

  get(shardId: string): ShardRange | undefined {
    return this.byId.get(shardId);
  }
}

function isOpen(shard: Shard): boolean {
  return shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
}

/** Lists every shard of the stream and keeps the open ones. */
export async function loadShardMap(kinesis: KinesisApi, stream: StreamIdentity, version: number): Promise<ShardMap> {
  const open: ShardRange[] = [];
  for (const shard of await listAllShards(kinesis, stream)) {
    if (!isOpen(shard) || !shard.ShardId || !shard.HashKeyRange) continue;
    open.push({
      shardId: shard.ShardId,
      startingHashKey: BigInt(shard.HashKeyRange.StartingHashKey!),
      endingHashKey: BigInt(shard.HashKeyRange.EndingHashKey!),
    });
  }
  return new ShardMap(open, version);
}
