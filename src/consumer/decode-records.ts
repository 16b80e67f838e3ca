import type { _Record } from '@aws-sdk/client-kinesis';
import { decodeKinesisRecord, type DecodedKinesisRecord } from '../codec/kinesis-record.ts';
import type { ConsumerRecord } from './record.ts';

/** Counts of what decoding met, for metrics. @internal */
export interface DecodeCounts {
  kinesisRecords: number;
  userRecords: number;
  /** Aggregates with a bad MD5 or malformed protobuf, passed through raw. */
  invalidAggregates: number;
  /** Envelopes that could not be opened (corrupt, unknown codec, over the inflate limit), passed through raw. */
  badEnvelopes: number;
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
 * @internal
 */
export function decodeRecords(
  shardId: string,
  records: readonly _Record[],
  maxInflatedBytes: number,
  after: ExtendedSequenceNumber | undefined,
  counts: DecodeCounts,
  onBadRecord?: (sequenceNumber: string, error: unknown) => void,
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
