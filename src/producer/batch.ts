import { AggregateSizer } from '../codec/aggregation.ts';
import type { CompressionCodec } from '../codec/envelope.ts';
import type { ShardBuffer } from './shard-buffer.ts';
import type { UserRecord } from './user-record.ts';

/** Outer partition key of an aggregated record, as the KPL writes it; the hash key routes it. */
export const AGGREGATE_PARTITION_KEY = 'a';

/**
 * The user records of one PutRecords request to one shard, grouped into Kinesis records: a group
 * of one is sent as-is, a larger group as one aggregated (and possibly compressed) record.
 * @internal
 */
export interface Batch {
  readonly id: number;
  readonly shardId: string;
  readonly groups: UserRecord[][];
  readonly userRecords: number;
  /** Set when the actor that sent it failed and its records were re-queued. */
  abandoned: boolean;
}

/** Limits one batch must respect. @internal */
export interface BatchLimits {
  aggregationEnabled: boolean;
  aggregationMaxCount: number;
  aggregationMaxSize: number;
  /** Kinesis records per request. */
  maxCount: number;
  /** Bytes per request (data plus partition keys, before compression). */
  maxBytes: number;
}

let nextBatchId = 1;

/**
 * Cuts the next batch from a shard buffer: due retries first, then new records in order, packed
 * into aggregates up to the aggregation limits and into one request up to the batch limits.
 * @internal
 */
export function cutBatch(buffer: ShardBuffer, limits: BatchLimits, now: number): Batch | undefined {
  const groups: UserRecord[][] = [];
  const sizer = new AggregateSizer();
  let current: UserRecord[] = [];
  let closedBytes = 0;

  const close = () => {
    if (current.length === 0) return;
    groups.push(current);
    closedBytes += current.length === 1 ? current[0].size : sizer.size + AGGREGATE_PARTITION_KEY.length;
    current = [];
    sizer.reset();
  };

  const accept = (record: UserRecord): boolean => {
    if (limits.aggregationEnabled && current.length > 0) {
      const grown = sizer.sizeWith(record.partitionKey, record.explicitHashKey, record.dataSize);
      if (grown <= limits.aggregationMaxSize && current.length < limits.aggregationMaxCount) {
        if (closedBytes + grown + AGGREGATE_PARTITION_KEY.length > limits.maxBytes) return false;
        sizer.add(record.partitionKey, record.explicitHashKey, record.dataSize);
        current.push(record);
        return true;
      }
    }
    close();
    if (groups.length >= limits.maxCount) return false;
    if (groups.length > 0 && closedBytes + record.size > limits.maxBytes) return false;
    current = [record];
    if (limits.aggregationEnabled) sizer.add(record.partitionKey, record.explicitHashKey, record.dataSize);
    return true;
  };

  const taken = buffer.take(now, accept);
  close();
  if (taken.length === 0) return undefined;
  return { id: nextBatchId++, shardId: buffer.shardId, groups, userRecords: taken.length, abandoned: false };
}

/** What a worker thread receives to encode one batch: flat arrays, cheap to clone. @internal */
export interface EncodeTask {
  compression: CompressionCodec;
  compressionLevel: number;
  data: (string | Uint8Array)[];
  partitionKeys: string[];
  /** User-supplied explicit hash keys, or null when no record in the batch has one. */
  explicitHashKeys: (string | null)[] | null;
  /** User records per Kinesis record, in order. */
  groupSizes: number[];
}

/** The encoded data of each Kinesis record, in order. @internal */
export interface EncodeResult {
  records: Uint8Array[];
}

/** Flattens a batch into an {@link EncodeTask}. @internal */
export function toEncodeTask(batch: Batch, compression: CompressionCodec, compressionLevel: number): EncodeTask {
  const data: (string | Uint8Array)[] = new Array(batch.userRecords);
  const partitionKeys: string[] = new Array(batch.userRecords);
  let explicitHashKeys: (string | null)[] | null = null;
  const groupSizes: number[] = new Array(batch.groups.length);
  let i = 0;
  for (let g = 0; g < batch.groups.length; g++) {
    const group = batch.groups[g];
    groupSizes[g] = group.length;
    for (const record of group) {
      data[i] = record.data;
      partitionKeys[i] = record.partitionKey;
      if (record.explicitHashKey !== undefined) {
        explicitHashKeys ??= new Array(batch.userRecords).fill(null);
        explicitHashKeys[i] = record.explicitHashKey;
      }
      i++;
    }
  }
  return { compression, compressionLevel, data, partitionKeys, explicitHashKeys, groupSizes };
}
