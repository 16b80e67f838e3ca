import { md5 } from './hash-key.ts';
import { ProtoReader } from './protobuf.ts';
import { DIGEST_SIZE, FIELD, KPL_MAGIC } from './kpl-format.ts';

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
 * one record with the outer keys, as the KCL does. It never throws on hostile bytes and never
 * allocates more than the input justifies.
 */
export function deaggregate(data: Uint8Array, outerPartitionKey: string, outerExplicitHashKey?: string): DeaggregationResult {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!startsWithMagic(buffer)) return passThrough('plain', buffer, outerPartitionKey, outerExplicitHashKey);
  const end = buffer.length - DIGEST_SIZE;
  const records =
    end >= KPL_MAGIC.length && md5(buffer.subarray(KPL_MAGIC.length, end)).equals(buffer.subarray(end))
      ? parseAggregate(buffer, KPL_MAGIC.length, end)
      : undefined;
  return records ? { status: 'aggregated', records } : passThrough('invalid', buffer, outerPartitionKey, outerExplicitHashKey);
}

function startsWithMagic(data: Buffer): boolean {
  return data.length >= 4 && data[0] === 0xf3 && data[1] === 0x89 && data[2] === 0x9a && data[3] === 0xc2;
}

function passThrough(status: 'plain' | 'invalid', data: Buffer, partitionKey: string, explicitHashKey?: string): DeaggregationResult {
  return { status, records: [{ partitionKey, explicitHashKey, data, subSequenceNumber: 0 }] };
}

/** User records as parsed, before their key indices are checked against the tables. */
interface ParsedRecords {
  pkIndex: number[];
  ehkIndex: number[];
  dataStart: number[];
  dataEnd: number[];
}

function parseAggregate(buffer: Buffer, start: number, end: number): DeaggregatedUserRecord[] | undefined {
  const reader = new ProtoReader(buffer, start, end);
  const partitionKeys: string[] = [];
  const explicitHashKeys: string[] = [];
  const parsed: ParsedRecords = { pkIndex: [], ehkIndex: [], dataStart: [], dataEnd: [] };
  while (reader.more) {
    const key = reader.key();
    if (key === FIELD.PARTITION_KEY_TABLE) partitionKeys.push(reader.string());
    else if (key === FIELD.EXPLICIT_HASH_KEY_TABLE) explicitHashKeys.push(reader.string());
    else if (key === FIELD.RECORDS) {
      const bodyStart = reader.lengthDelimited();
      if (!reader.failed && !parseRecord(buffer, bodyStart, reader.offset, parsed)) return undefined;
    } else reader.skip(key);
  }
  const count = parsed.pkIndex.length;
  if (reader.failed || count === 0) return undefined;

  // Tables may legally follow the records on the wire, so indices are checked only now.
  const records: DeaggregatedUserRecord[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const pkIndex = parsed.pkIndex[i];
    const ehkIndex = parsed.ehkIndex[i];
    if (pkIndex >= partitionKeys.length || ehkIndex >= explicitHashKeys.length) return undefined;
    records[i] = {
      partitionKey: partitionKeys[pkIndex],
      explicitHashKey: ehkIndex < 0 ? undefined : explicitHashKeys[ehkIndex],
      data: buffer.subarray(parsed.dataStart[i], parsed.dataEnd[i]),
      subSequenceNumber: i,
    };
  }
  return records;
}

/** Parses one Record message; false when it is malformed or lacks a required field. */
function parseRecord(buffer: Buffer, start: number, end: number, parsed: ParsedRecords): boolean {
  const reader = new ProtoReader(buffer, start, end);
  let pkIndex = -1;
  let ehkIndex = -1;
  let dataStart = -1;
  let dataEnd = -1;
  while (reader.more) {
    const key = reader.key();
    if (key === FIELD.PARTITION_KEY_INDEX) pkIndex = reader.varint();
    else if (key === FIELD.EXPLICIT_HASH_KEY_INDEX) ehkIndex = reader.varint();
    else if (key === FIELD.DATA) {
      dataStart = reader.lengthDelimited();
      dataEnd = reader.offset;
    } else if (key === FIELD.TAGS) {
      const tagStart = reader.lengthDelimited();
      if (!reader.failed && !isValidTag(buffer, tagStart, reader.offset)) return false;
    } else reader.skip(key);
  }
  if (reader.failed || pkIndex < 0 || dataStart < 0) return false;
  parsed.pkIndex.push(pkIndex);
  parsed.ehkIndex.push(ehkIndex);
  parsed.dataStart.push(dataStart);
  parsed.dataEnd.push(dataEnd);
  return true;
}

/** A Tag is well formed and has its required key; its content is not kept. */
function isValidTag(buffer: Buffer, start: number, end: number): boolean {
  const reader = new ProtoReader(buffer, start, end);
  let hasKey = false;
  while (reader.more) {
    const key = reader.key();
    if (key === FIELD.TAG_KEY) {
      reader.lengthDelimited();
      hasKey = true;
    } else reader.skip(key);
  }
  return !reader.failed && hasKey;
}
