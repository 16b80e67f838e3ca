import { AggregateCursor, type ScannedAggregate } from '../codec/aggregate-scan.ts';
import type { HashKeyCache } from '../codec/hash-key-cache.ts';

/** The hash keys a shard owns, to drop aggregated user records that landed outside it. @internal */
export interface ShardHashRange {
  start: bigint;
  end: bigint;
  hashKeys: HashKeyCache;
}

const DECIMAL = /^\d{1,39}$/;
const IN_SHARD = 1;
const OUTSIDE_SHARD = 2;

/**
 * User records whose hash key (explicit, or the MD5 of the partition key) is outside `range`,
 * judged once per key of the aggregate's tables. An explicit hash key that is not a decimal
 * belongs to no shard: it counts as outside rather than throwing, so a corrupt aggregate cannot
 * stall the shard.
 * @internal
 */
export function countOutside(aggregate: ScannedAggregate, range: ShardHashRange): number {
  const partitionKeys = new Uint8Array(aggregate.partitionKeys.length);
  const explicitHashKeys = new Uint8Array(aggregate.explicitHashKeys.length);
  const cursor = new AggregateCursor(aggregate);
  let outside = 0;
  while (cursor.next()) {
    const explicit = cursor.explicitHashKeyIndex;
    let place: number;
    if (explicit >= 0) {
      place = explicitHashKeys[explicit] ||= placeOf(explicitHashKeyOf(aggregate.explicitHashKeys[explicit]), range);
    } else {
      const index = cursor.partitionKeyIndex;
      place = partitionKeys[index] ||= placeOf(range.hashKeys.get(aggregate.partitionKeys[index]), range);
    }
    if (place === OUTSIDE_SHARD) outside++;
  }
  return outside;
}

function explicitHashKeyOf(key: string): bigint | undefined {
  return DECIMAL.test(key) ? BigInt(key) : undefined;
}

function placeOf(hashKey: bigint | undefined, range: ShardHashRange): number {
  return hashKey === undefined || hashKey < range.start || hashKey > range.end ? OUTSIDE_SHARD : IN_SHARD;
}
