import { AggregateCursor, scanAggregate } from './aggregate-scan.ts';

/** One user record taken out of a Kinesis record. */
export interface DeaggregatedUserRecord {
  partitionKey: string;
  explicitHashKey?: string;
  /** The user record's bytes: a view into the Kinesis record's data, not a copy. */
  data: Buffer;
  /** Index of the user record inside its aggregated record; 0 for a record passed through whole. */
  subSequenceNumber: number;
}

/**
 * What {@link deaggregate} found: `'plain'`, no KPL magic (one user record, the data as is);
 * `'aggregated'`, a valid aggregate; `'invalid'`, the magic but a failed check, passed through
 * raw as one record with the outer keys.
 */
export interface DeaggregationResult {
  status: 'plain' | 'aggregated' | 'invalid';
  records: DeaggregatedUserRecord[];
}

/**
 * Splits the data of a Kinesis record into its user records.
 *
 * Without the KPL magic the record is one plain user record. With the magic, anything short of a
 * well-formed aggregate (too short, wrong MD5, malformed or truncated protobuf, a missing required
 * field, a key index outside its table, no user records at all) passes the raw bytes through as
 * one record with the outer keys, as the KCL does. It never throws on hostile bytes. It returns
 * an object per user record, however many the aggregate holds: the consumer reads aggregates
 * a bounded number of user records at a time instead.
 */
export function deaggregate(data: Uint8Array, outerPartitionKey: string, outerExplicitHashKey?: string): DeaggregationResult {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const scan = scanAggregate(buffer);
  if (scan.status !== 'aggregated') {
    const status = scan.status === 'plain' ? 'plain' : 'invalid';
    return { status, records: [{ partitionKey: outerPartitionKey, explicitHashKey: outerExplicitHashKey, data: buffer, subSequenceNumber: 0 }] };
  }
  const cursor = new AggregateCursor(scan.aggregate);
  const records: DeaggregatedUserRecord[] = new Array(scan.aggregate.userRecords);
  while (cursor.next()) {
    records[cursor.subSequenceNumber] = {
      partitionKey: cursor.partitionKey,
      explicitHashKey: cursor.explicitHashKey,
      data: cursor.data(),
      subSequenceNumber: cursor.subSequenceNumber,
    };
  }
  return { status: 'aggregated', records };
}
