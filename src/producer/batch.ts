import { AGGREGATE_OVERHEAD, aggregateRecordBound } from '../codec/aggregation.ts';
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
  /** Bytes of the user records' data, once UTF-8 encoded. */
  readonly dataBytes: number;
  /** Set when the actor that sent it failed and its records were re-queued. */
  abandoned: boolean;
}

/** Limits one batch must respect. @internal */
export interface BatchLimits {
  aggregationEnabled: boolean;
  aggregationMaxCount: number;
  aggregationMaxSize: number;
  /** The stream's record limit: data plus partition key of one Kinesis record. */
  maxRecordSize: number;
  /** Kinesis records per request. */
  maxCount: number;
  /** Bytes per request (data plus partition keys, before compression). */
  maxBytes: number;
}

let nextBatchId = 1;

/** What a record adds to an aggregate as its `index`-th record: a bound, see {@link aggregateRecordBound}. */
function aggregateCost(record: UserRecord, index: number): number {
  return aggregateRecordBound(record.size - record.dataSize, record.explicitHashKey?.length, record.dataSize, index);
}

/**
 * The largest aggregated record, in bytes: within `aggregationMaxSize`, and small enough that
 * Kinesis takes it with its outer partition key, which counts toward the record limit. Whatever
 * compression does afterwards, the encoder never sends more than this.
 */
function aggregateSizeLimit(limits: Pick<BatchLimits, 'aggregationMaxSize' | 'maxRecordSize'>): number {
  return Math.min(limits.aggregationMaxSize, limits.maxRecordSize - AGGREGATE_PARTITION_KEY.length);
}

/**
 * Cuts the next batch from a shard buffer: due retries first, then new records in order, packed
 * into aggregates up to the aggregation limits and into one request up to the batch limits.
 * @internal
 */
export function cutBatch(buffer: ShardBuffer, limits: BatchLimits, now: number): Batch | undefined {
  const maxAggregateSize = aggregateSizeLimit(limits);
  const groups: UserRecord[][] = [];
  let current: UserRecord[] = [];
  let currentBytes = 0;
  let closedBytes = 0;
  let dataBytes = 0;

  const close = () => {
    if (current.length === 0) return;
    groups.push(current);
    closedBytes += current.length === 1 ? current[0].size : currentBytes + AGGREGATE_PARTITION_KEY.length;
    current = [];
  };

  const accept = (record: UserRecord): boolean => {
    if (limits.aggregationEnabled && current.length > 0) {
      const grown = currentBytes + aggregateCost(record, current.length);
      if (grown <= maxAggregateSize && current.length < limits.aggregationMaxCount) {
        if (closedBytes + grown + AGGREGATE_PARTITION_KEY.length > limits.maxBytes) return false;
        currentBytes = grown;
        current.push(record);
        dataBytes += record.dataSize;
        return true;
      }
    }
    close();
    if (groups.length >= limits.maxCount) return false;
    if (groups.length > 0 && closedBytes + record.size > limits.maxBytes) return false;
    current = [record];
    currentBytes = AGGREGATE_OVERHEAD + aggregateCost(record, 0);
    dataBytes += record.dataSize;
    return true;
  };

  const taken = buffer.take(now, accept);
  close();
  if (taken.length === 0) return undefined;
  return { id: nextBatchId++, shardId: buffer.shardId, groups, userRecords: taken.length, dataBytes, abandoned: false };
}

/**
 * What a worker thread receives to encode one batch. The records' data and partition keys travel
 * packed in one buffer that is transferred, not cloned: cloning a batch's strings cost the
 * sending thread several times more than writing them into the buffer. @internal
 */
export interface EncodeTask {
  compression: CompressionCodec;
  compressionLevel: number;
  /** Every record's data, back to back, in batch order; then every partition key, UTF-8, from `keysAt`. */
  data: Uint8Array;
  /** Bytes of each record's data in `data`. */
  dataSizes: Uint32Array;
  /** Where the partition keys start in `data`. */
  keysAt: number;
  /** Bytes of each record's partition key. */
  keySizes: Uint16Array;
  /** User-supplied explicit hash keys, or null when no record in the batch has one. */
  explicitHashKeys: (string | null)[] | null;
  /** User records per Kinesis record, in order. */
  groupSizes: number[];
}

/** The encoded data of each Kinesis record, in order. @internal */
export interface EncodeResult {
  records: Uint8Array[];
}

/** Flattens a batch into an {@link EncodeTask}; its `data` buffer is the one to transfer. @internal */
export function toEncodeTask(batch: Batch, compression: CompressionCodec, compressionLevel: number): EncodeTask {
  let keyBytes = 0;
  for (const group of batch.groups) for (const record of group) keyBytes += record.size - record.dataSize;
  const data = Buffer.allocUnsafeSlow(batch.dataBytes + keyBytes);
  const dataSizes = new Uint32Array(batch.userRecords);
  const keySizes = new Uint16Array(batch.userRecords);
  const keysAt = batch.dataBytes;
  let keyOffset = keysAt;
  let explicitHashKeys: (string | null)[] | null = null;
  const groupSizes: number[] = new Array(batch.groups.length);
  let i = 0;
  let offset = 0;
  // Records of a shard sit back to back in its arena: copy each run of them at once.
  let run: Buffer | undefined;
  let runStart = 0;
  let runEnd = 0;
  const copyRun = () => {
    if (run !== undefined) data.set(run.subarray(runStart, runEnd), offset - (runEnd - runStart));
  };
  for (let g = 0; g < batch.groups.length; g++) {
    const group = batch.groups[g];
    groupSizes[g] = group.length;
    for (const record of group) {
      const size = record.dataSize;
      if (run !== undefined && record.chunk?.bytes === run && record.offset === runEnd) {
        runEnd += size;
      } else {
        copyRun();
        run = record.chunk?.bytes;
        runStart = runEnd = record.offset;
        if (run === undefined) {
          const d = record.data!;
          if (typeof d === 'string') data.write(d, offset, size, 'utf8');
          else data.set(d, offset);
        } else {
          runEnd += size;
        }
      }
      offset += size;
      dataSizes[i] = size;
      // A record's size is its data plus its partition key's UTF-8 bytes (see acceptUserRecord).
      const key = record.partitionKey;
      const keySize = record.size - size;
      data.write(key, keyOffset, keySize, keySize === key.length ? 'latin1' : 'utf8');
      keySizes[i] = keySize;
      keyOffset += keySize;
      if (record.explicitHashKey !== undefined) {
        explicitHashKeys ??= new Array(batch.userRecords).fill(null);
        explicitHashKeys[i] = record.explicitHashKey;
      }
      i++;
    }
  }
  copyRun();
  return { compression, compressionLevel, data, dataSizes, keysAt, keySizes, explicitHashKeys, groupSizes };
}
