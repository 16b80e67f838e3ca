import type { _Record } from '@aws-sdk/client-kinesis';
import { decodeKinesisRecord, type DecodedKinesisRecord } from '../codec/kinesis-record.ts';
import type { ConsumerRecord } from './record.ts';
import type { HashKeyCache } from '../codec/hash-key-cache.ts';

/** Counts of what decoding met, for metrics. @internal */
export interface DecodeCounts {
  kinesisRecords: number;
  userRecords: number;
  /** Aggregates with a bad MD5 or malformed protobuf, passed through raw. */
  invalidAggregates: number;
  /** Envelopes that could not be opened (corrupt, unknown codec, over the inflate limit), passed through raw. */
  badEnvelopes: number;
  /** User records of aggregates whose hash key is outside the shard: dropped, as the KCL does. */
  outsideShard: number;
}

/** The hash keys a shard owns, to drop aggregated user records that landed outside it. @internal */
export interface ShardHashRange {
  start: bigint;
  end: bigint;
  hashKeys: HashKeyCache;
}

/** A position inside the shard: everything at or before it is already processed. */
export interface ExtendedSequenceNumber {
  sequenceNumber: string;
  subSequenceNumber: number;
}

/**
 * Turns the Kinesis records of one GetRecords call into user records: decompressed,
 * de-aggregated, and without those at or before `after` (a restart resumes inside an aggregate
 * right after the last checkpointed user record). A record that cannot be opened is passed
 * through raw and counted, so the shard never stalls on it. A user record of an aggregate whose
 * hash key the shard does not own is dropped, as the KCL does: an aggregate built on a stale
 * shard map landed here after a reshard, and the producer sends such records again to the
 * shard that owns them.
 * @internal
 */
export function decodeRecords(
  shardId: string,
  records: readonly _Record[],
  maxInflatedBytes: number,
  after: ExtendedSequenceNumber | undefined,
  counts: DecodeCounts,
  onBadRecord?: (sequenceNumber: string, error: unknown) => void,
  range?: ShardHashRange,
): ConsumerRecord[] {
  const out: ConsumerRecord[] = [];
  const afterSequence = after ? BigInt(after.sequenceNumber) : undefined;
  for (const record of records) {
    counts.kinesisRecords++;
    const sequenceNumber = record.SequenceNumber!;
    let skipThrough = -1;
    if (afterSequence !== undefined) {
      const sequence = BigInt(sequenceNumber);
      if (sequence < afterSequence) continue;
      if (sequence === afterSequence) skipThrough = after!.subSequenceNumber;
    }
    const data = record.Data!;
    const partitionKey = record.PartitionKey!;
    let decoded: DecodedKinesisRecord;
    try {
      decoded = decodeKinesisRecord(data, partitionKey, undefined, maxInflatedBytes);
    } catch (error) {
      counts.badEnvelopes++;
      onBadRecord?.(sequenceNumber, error);
      const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      decoded = { status: 'plain', compressed: false, records: [{ partitionKey, data: raw, subSequenceNumber: 0 }] };
    }
    if (decoded.status === 'invalid') {
      counts.invalidAggregates++;
      onBadRecord?.(sequenceNumber, new Error('aggregated record failed its MD5 or protobuf checks; passed through raw'));
    }
    const arrival = record.ApproximateArrivalTimestamp ?? new Date(0);
    const filter = range !== undefined && decoded.status === 'aggregated';
    for (const user of decoded.records) {
      if (user.subSequenceNumber <= skipThrough) continue;
      if (filter) {
        const hashKey = user.explicitHashKey !== undefined ? BigInt(user.explicitHashKey) : range.hashKeys.get(user.partitionKey);
        if (hashKey < range.start || hashKey > range.end) {
          counts.outsideShard++;
          continue;
        }
      }
      counts.userRecords++;
      out.push({
        shardId,
        sequenceNumber,
        subSequenceNumber: user.subSequenceNumber,
        partitionKey: user.partitionKey,
        explicitHashKey: user.explicitHashKey,
        data: user.data,
        approximateArrivalTimestamp: arrival,
      });
    }
  }
  return out;
}
