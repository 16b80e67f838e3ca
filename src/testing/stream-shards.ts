import { hashKeyOf } from '../codec/hash-key.ts';
import { ShardMap, type ShardRange } from '../producer/shard-map.ts';

/** Sorted open shards of one stream. */
export type OpenShards = ShardMap;

/** The shard list as ListShards returns it, only the fields the proxy reads. */
export interface ListShardsShard {
  ShardId: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { EndingSequenceNumber?: string };
}

/** Fetches every shard of a stream (ListShards, all pages), signed like the client's request. */
export type ListShardsFn = (streamName: string, auth: Readonly<Record<string, string>>) => Promise<ListShardsShard[]>;

/**
 * Shard maps per stream, fetched on first use and again on {@link refresh} (a hash key with no
 * open shard) or after {@link invalidate} (the upstream put a record on another shard than
 * predicted). Concurrent callers share one fetch.
 */
export class StreamShards {
  private readonly maps = new Map<string, Promise<OpenShards>>();

  constructor(private readonly listShards: ListShardsFn) {}

  get(streamName: string, auth: Readonly<Record<string, string>>): Promise<OpenShards> {
    return this.maps.get(streamName) ?? this.refresh(streamName, auth);
  }

  refresh(streamName: string, auth: Readonly<Record<string, string>>): Promise<OpenShards> {
    const loading = this.load(streamName, auth);
    this.maps.set(streamName, loading);
    // A failed fetch (stream not there yet) must not stick.
    loading.catch(() => {
      if (this.maps.get(streamName) === loading) this.maps.delete(streamName);
    });
    return loading;
  }

  invalidate(streamName: string): void {
    this.maps.delete(streamName);
  }

  private async load(streamName: string, auth: Readonly<Record<string, string>>): Promise<OpenShards> {
    const open: ShardRange[] = [];
    for (const shard of await this.listShards(streamName, auth)) {
      if (shard.SequenceNumberRange.EndingSequenceNumber !== undefined) continue;
      open.push({
        shardId: shard.ShardId,
        startingHashKey: BigInt(shard.HashKeyRange.StartingHashKey),
        endingHashKey: BigInt(shard.HashKeyRange.EndingHashKey),
      });
    }
    return new ShardMap(open, 0);
  }
}

/** A partition key's hash key and UTF-8 length, computed once per key. */
export interface PartitionKeyInfo {
  readonly hashKey: bigint;
  readonly bytes: number;
}

/**
 * Hash keys per partition key, bounded: MD5 of the key's UTF-8 bytes read as a 128-bit
 * big-endian integer, as Kinesis computes it. Two generations of at most `maxSize / 2` keys
 * each: a hit in the old one moves the key to the new one, and a full new generation replaces
 * the old. Evicting one key at a time from a Map would rescan its deleted slots.
 */
export class PartitionKeyCache {
  private current = new Map<string, PartitionKeyInfo>();
  private previous = new Map<string, PartitionKeyInfo>();

  constructor(private readonly maxSize = 100_000) {}

  get(partitionKey: string): PartitionKeyInfo {
    let info = this.current.get(partitionKey);
    if (info !== undefined) return info;
    info = this.previous.get(partitionKey) ?? {
      hashKey: hashKeyOf(partitionKey),
      bytes: Buffer.byteLength(partitionKey),
    };
    if (this.current.size >= this.maxSize / 2) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(partitionKey, info);
    return info;
  }
}
