import type { KinesisRecord } from '../kinesis/kinesis-api.ts';
import { AggregateCursor, scanAggregate } from '../codec/aggregate-scan.ts';
import { declaredInflatedLength, isEnvelope, openEnvelope } from '../codec/envelope.ts';
import { KinesisActorsError } from '../errors.ts';
import type { ConsumerRecord } from './record.ts';
import { countOutside, type ShardHashRange } from './shard-hash-range.ts';

/** Counts of what decoding met, for metrics. @internal */
export interface DecodeCounts {
  kinesisRecords: number;
  userRecords: number;
  /** Aggregates with a bad MD5 or malformed protobuf, passed through raw. */
  invalidAggregates: number;
  /** Envelopes that could not be opened (corrupt, unknown codec, over the inflate limit), passed through raw. */
  badEnvelopes: number;
  /** Aggregates over the user-record limit, passed through raw. */
  oversizedAggregates: number;
  /** Aggregates holding a user record whose hash key is outside the shard: dropped whole, as the KCL does. */
  aggregatesOutsideShard: number;
  /** Every user record of those aggregates, in the shard's range or not. */
  userRecordsOutsideShard: number;
}

/** Counts that all start at zero. @internal */
export function newDecodeCounts(): DecodeCounts {
  return { kinesisRecords: 0, userRecords: 0, invalidAggregates: 0, badEnvelopes: 0, oversizedAggregates: 0, aggregatesOutsideShard: 0, userRecordsOutsideShard: 0 };
}

/** An aggregate dropped because the shard does not own every user record in it. @internal */
export interface OutsideShardAggregate {
  sequenceNumber: string;
  userRecords: number;
  /** How many of them hash outside the shard. */
  outside: number;
}

/** Where {@link decodeBatches} reports what it does not deliver as decoded. @internal */
export interface DecodeHooks {
  /** A record that could not be opened, passed through raw. */
  onBadRecord?: ((sequenceNumber: string, error: unknown) => void) | undefined;
  /** An aggregate dropped whole because it straddles the shard's hash range. */
  onOutsideShard?: ((dropped: OutsideShardAggregate) => void) | undefined;
}

/** A position inside the shard: everything at or before it is already processed. */
export interface ExtendedSequenceNumber {
  sequenceNumber: string;
  subSequenceNumber: number;
}

/** What one read may cost in memory, whatever its records claim. @internal */
export interface DecodeLimits {
  /** Largest inflated envelope; larger ones are passed through raw. */
  maxInflatedBytes: number;
  /** Most user records (and keys in one key table) of an aggregate; larger ones are passed through raw. */
  maxUserRecordsPerAggregate: number;
  /** Most user records in one batch. */
  maxUserRecordsPerBatch: number;
  /** Most inflated bytes one batch keeps alive; at least `maxInflatedBytes`, so any envelope fits a batch of its own. */
  maxInflatedBytesPerBatch: number;
}

/** The records of one GetRecords call, and where the shard stands. @internal */
export interface DecodeInput {
  shardId: string;
  records: readonly KinesisRecord[];
  /** The checkpoint a restart resumes after; what is at or before it is skipped. */
  after?: ExtendedSequenceNumber | undefined;
  /** The shard's hash range, when the lease knows it. */
  range?: ShardHashRange | undefined;
}

const EPOCH = new Date(0);

/**
 * Turns the Kinesis records of one GetRecords call into batches of user records:
 * decompressed, de-aggregated, and without those at or before `after` (a restart resumes
 * inside an aggregate right after the last checkpointed user record). A record that cannot be
 * opened is passed through raw and counted, so the shard never stalls on it.
 *
 * Decoding is lazy, so that no read costs more than its limits, whatever its records claim: a
 * batch is cut when it holds `maxUserRecordsPerBatch` user records, or before an envelope whose
 * declared size would take it past `maxInflatedBytesPerBatch`; the next Kinesis record is
 * opened, and an aggregate's next user record created, only when the batch before is handed
 * over. An aggregate is checked whole before any of its user records is delivered, without an
 * object per user record; one over `maxUserRecordsPerAggregate` is passed through raw.
 *
 * With the shard's `range` known, an aggregate holding any user record whose hash key the shard
 * does not own is dropped whole, with its in-range user records, as the KCL's AggregatorUtil
 * does: it was built on a stale shard map and landed here after a reshard, and a producer that
 * sees it land on the wrong shard (this one, or the KPL) sends every user record of it again.
 * Keeping the in-range ones would deliver them twice. Records that are not aggregated are never
 * dropped: Kinesis put them where their own hash key belongs.
 * @internal
 */
export function* decodeBatches(input: DecodeInput, limits: DecodeLimits, counts: DecodeCounts, hooks: DecodeHooks = {}): Generator<ConsumerRecord[], void, undefined> {
  const { shardId, after, range } = input;
  const afterSequence = after ? BigInt(after.sequenceNumber) : undefined;
  let batch: ConsumerRecord[] = [];
  let batchInflatedBytes = 0;
  for (const record of input.records) {
    counts.kinesisRecords++;
    const sequenceNumber = record.SequenceNumber!;
    let skipThrough = -1;
    if (afterSequence !== undefined) {
      const sequence = BigInt(sequenceNumber);
      if (sequence < afterSequence) continue;
      if (sequence === afterSequence) skipThrough = after!.subSequenceNumber;
    }
    const raw = asBuffer(record.Data!);
    const declared = declaredInflatedLength(raw);
    if (declared !== undefined && declared <= limits.maxInflatedBytes && batch.length > 0 && batchInflatedBytes + declared > limits.maxInflatedBytesPerBatch) {
      yield batch;
      batch = [];
      batchInflatedBytes = 0;
    }
    const data = open(raw, sequenceNumber, limits.maxInflatedBytes, counts, hooks);
    // The inflated buffer lives as long as one of its user records does: every batch holding one counts it.
    const inflatedBytes = data === raw ? 0 : data.length;
    batchInflatedBytes += inflatedBytes;
    const scan = scanAggregate(data, limits.maxUserRecordsPerAggregate);
    const partitionKey = record.PartitionKey!;
    const arrival = record.ApproximateArrivalTimestamp ?? EPOCH;
    if (scan.status !== 'aggregated') {
      if (scan.status !== 'plain') reportUnread(scan.status, sequenceNumber, limits, counts, hooks);
      if (skipThrough >= 0) continue;
      if (batch.length >= limits.maxUserRecordsPerBatch) {
        yield batch;
        batch = [];
        batchInflatedBytes = inflatedBytes;
      }
      counts.userRecords++;
      batch.push({ shardId, sequenceNumber, subSequenceNumber: 0, partitionKey, explicitHashKey: undefined, data, approximateArrivalTimestamp: arrival });
      continue;
    }
    const { aggregate } = scan;
    if (range !== undefined) {
      const outside = countOutside(aggregate, range);
      if (outside > 0) {
        counts.aggregatesOutsideShard++;
        counts.userRecordsOutsideShard += aggregate.userRecords;
        hooks.onOutsideShard?.({ sequenceNumber, userRecords: aggregate.userRecords, outside });
        continue;
      }
    }
    const cursor = new AggregateCursor(aggregate);
    while (cursor.next()) {
      if (cursor.subSequenceNumber <= skipThrough) continue;
      if (batch.length >= limits.maxUserRecordsPerBatch) {
        yield batch;
        batch = [];
        batchInflatedBytes = inflatedBytes;
      }
      counts.userRecords++;
      batch.push({
        shardId,
        sequenceNumber,
        subSequenceNumber: cursor.subSequenceNumber,
        partitionKey: cursor.partitionKey,
        explicitHashKey: cursor.explicitHashKey,
        data: cursor.data(),
        approximateArrivalTimestamp: arrival,
      });
    }
  }
  if (batch.length > 0) yield batch;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The inflated payload of an envelope, or the data itself; an envelope that cannot be opened is passed through raw. */
function open(data: Buffer, sequenceNumber: string, maxInflatedBytes: number, counts: DecodeCounts, hooks: DecodeHooks): Buffer {
  if (!isEnvelope(data)) return data;
  try {
    return openEnvelope(data, { maxInflatedBytes });
  } catch (error) {
    counts.badEnvelopes++;
    hooks.onBadRecord?.(sequenceNumber, error);
    return data;
  }
}

function reportUnread(status: 'invalid' | 'tooManyUserRecords', sequenceNumber: string, limits: DecodeLimits, counts: DecodeCounts, hooks: DecodeHooks): void {
  if (status === 'invalid') {
    counts.invalidAggregates++;
    hooks.onBadRecord?.(sequenceNumber, new KinesisActorsError('INVALID_AGGREGATE', 'aggregated record failed its MD5 or protobuf checks; passed through raw'));
  } else {
    counts.oversizedAggregates++;
    hooks.onBadRecord?.(
      sequenceNumber,
      new KinesisActorsError(
        'AGGREGATE_LIMIT_EXCEEDED',
        `aggregated record holds more than ${limits.maxUserRecordsPerAggregate} user records (or keys in a key table), over options.maxUserRecordsPerAggregate; passed through raw`,
      ),
    );
  }
}
