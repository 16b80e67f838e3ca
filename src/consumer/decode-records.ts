import type { _Record } from '@aws-sdk/client-kinesis';
import { decodeKinesisRecord, type DecodedKinesisRecord } from '../codec/kinesis-record.ts';
import type { DeaggregatedUserRecord } from '../codec/deaggregation.ts';
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
  /** Aggregates holding a user record whose hash key is outside the shard: dropped whole, as the KCL does. */
  aggregatesOutsideShard: number;
  /** Every user record of those aggregates, in the shard's range or not. */
  userRecordsOutsideShard: number;
}

/** An aggregate dropped because the shard does not own every user record in it. @internal */
export interface OutsideShardAggregate {
  sequenceNumber: string;
  userRecords: number;
  /** How many of them hash outside the shard. */
  outside: number;
}

/** Where {@link decodeRecords} reports what it does not deliver. @internal */
export interface DecodeHooks {
  /** A record that could not be opened, passed through raw. */
  onBadRecord?: ((sequenceNumber: string, error: unknown) => void) | undefined;
  /** An aggregate dropped whole because it straddles the shard's hash range. */
  onOutsideShard?: ((dropped: OutsideShardAggregate) => void) | undefined;
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
 * through raw and counted, so the shard never stalls on it.
 *
 * With the shard's `range` known, an aggregate holding any user record whose hash key the shard
 * does not own is dropped whole, with its in-range user records, as the KCL's AggregatorUtil
 * does: it was built on a stale shard map and landed here after a reshard, and a producer that
 * sees it land on the wrong shard (this one, or the KPL) sends every user record of it again.
 * Keeping the in-range ones would deliver them twice. Records that are not aggregated are never
 * dropped: Kinesis put them where their own hash key belongs.
 * @internal
 */
export function decodeRecords(
  shardId: string,
  records: readonly _Record[],
  maxInflatedBytes: number,
  after: ExtendedSequenceNumber | undefined,
  counts: DecodeCounts,
  range?: ShardHashRange,
  hooks: DecodeHooks = {},
): ConsumerRecord[] {
  const { onBadRecord, onOutsideShard } = hooks;
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
    if (range !== undefined && decoded.status === 'aggregated') {
      const outside = countOutside(decoded.records, range);
      if (outside > 0) {
        counts.aggregatesOutsideShard++;
        counts.userRecordsOutsideShard += decoded.records.length;
        onOutsideShard?.({ sequenceNumber, userRecords: decoded.records.length, outside });
        continue;
      }
    }
    const arrival = record.ApproximateArrivalTimestamp ?? new Date(0);
    for (const user of decoded.records) {
      if (user.subSequenceNumber <= skipThrough) continue;
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

const DECIMAL = /^\d{1,39}$/;

/**
 * User records whose hash key (explicit, or the MD5 of the partition key) is outside `range`.
 * An explicit hash key that is not a decimal belongs to no shard: it counts as outside rather
 * than throwing, so a corrupt aggregate cannot stall the shard.
 */
function countOutside(records: readonly DeaggregatedUserRecord[], range: ShardHashRange): number {
  let outside = 0;
  for (const user of records) {
    const explicit = user.explicitHashKey;
    if (explicit !== undefined && !DECIMAL.test(explicit)) {
      outside++;
      continue;
    }
    const hashKey = explicit !== undefined ? BigInt(explicit) : range.hashKeys.get(user.partitionKey);
    if (hashKey < range.start || hashKey > range.end) outside++;
  }
  return outside;
}
