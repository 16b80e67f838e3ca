import { md5 } from './hash-key.ts';
import { fieldSize, varintSize, writeVarint } from './protobuf.ts';
import { DIGEST_SIZE, FIELD, KPL_MAGIC } from './kpl-format.ts';

/** Bytes of an aggregated record without records: magic and MD5. @internal */
export const AGGREGATE_OVERHEAD = KPL_MAGIC.length + DIGEST_SIZE;
const OVERHEAD = AGGREGATE_OVERHEAD;

/** The content of one aggregated record: key tables, and user records that index into them. */
export interface AggregateInput {
  partitionKeys: string[];
  explicitHashKeys: string[];
  records: Array<{ partitionKeyIndex: number; explicitHashKeyIndex?: number; data: Uint8Array }>;
}

function recordBodySize(partitionKeyIndex: number, explicitHashKeyIndex: number | undefined, dataLength: number): number {
  const ehk = explicitHashKeyIndex === undefined ? 0 : 1 + varintSize(explicitHashKeyIndex);
  return 1 + varintSize(partitionKeyIndex) + ehk + fieldSize(dataLength);
}

/**
 * Bytes a user record adds to an aggregated record as its `index`-th record, counting its keys
 * as new table entries: exact when no key repeats in the aggregate, an upper bound otherwise.
 * Unlike {@link AggregateSizer} it needs no key lookups, which the producer cannot afford per
 * record on the thread that runs `put()`; a repeated key only leaves the aggregate a few bytes
 * short of its limit. `explicitHashKeyBytes` is undefined for a record without one. @internal
 */
export function aggregateRecordBound(partitionKeyBytes: number, explicitHashKeyBytes: number | undefined, dataLength: number, index: number): number {
  const tables = fieldSize(partitionKeyBytes) + (explicitHashKeyBytes === undefined ? 0 : fieldSize(explicitHashKeyBytes));
  return tables + fieldSize(recordBodySize(index, explicitHashKeyBytes === undefined ? undefined : index, dataLength));
}

function checkIndex(index: number | undefined, table: string[], name: string, record: number, optional: boolean): void {
  if ((optional && index === undefined) || (Number.isInteger(index) && index! >= 0 && index! < table.length)) return;
  throw new RangeError(`records[${record}].${name} is ${index}, outside its key table of ${table.length}`);
}

/**
 * Encodes a KPL aggregated record. Sizes everything first, then writes once into a single
 * Buffer with its own ArrayBuffer (the only other allocation is the 16-byte digest).
 *
 * @throws {RangeError} when a record's key index is outside its table (a caller's bug).
 * @example
 * encodeAggregatedRecord({ partitionKeys: ['user-1'], explicitHashKeys: [], records: [
 *   { partitionKeyIndex: 0, data: Buffer.from('{"a":1}') },
 *   { partitionKeyIndex: 0, data: Buffer.from('{"a":2}') },
 * ] });
 */
export function encodeAggregatedRecord(input: AggregateInput): Buffer {
  const { partitionKeys, explicitHashKeys, records } = input;
  let size = OVERHEAD;
  for (const key of partitionKeys) size += fieldSize(Buffer.byteLength(key));
  for (const key of explicitHashKeys) size += fieldSize(Buffer.byteLength(key));
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    checkIndex(r.partitionKeyIndex, partitionKeys, 'partitionKeyIndex', i, false);
    checkIndex(r.explicitHashKeyIndex, explicitHashKeys, 'explicitHashKeyIndex', i, true);
    size += fieldSize(recordBodySize(r.partitionKeyIndex, r.explicitHashKeyIndex, r.data.length));
  }

  // Never from the shared pool: a pooled view posted back from a worker clones the whole 8 KiB slab.
  const out = Buffer.allocUnsafeSlow(size);
  KPL_MAGIC.copy(out, 0);
  let o = KPL_MAGIC.length;
  o = writeStrings(out, o, FIELD.PARTITION_KEY_TABLE, partitionKeys);
  o = writeStrings(out, o, FIELD.EXPLICIT_HASH_KEY_TABLE, explicitHashKeys);
  for (const r of records) {
    out[o++] = FIELD.RECORDS;
    o = writeVarint(out, o, recordBodySize(r.partitionKeyIndex, r.explicitHashKeyIndex, r.data.length));
    out[o++] = FIELD.PARTITION_KEY_INDEX;
    o = writeVarint(out, o, r.partitionKeyIndex);
    if (r.explicitHashKeyIndex !== undefined) {
      out[o++] = FIELD.EXPLICIT_HASH_KEY_INDEX;
      o = writeVarint(out, o, r.explicitHashKeyIndex);
    }
    out[o++] = FIELD.DATA;
    o = writeVarint(out, o, r.data.length);
    out.set(r.data, o);
    o += r.data.length;
  }
  md5(out.subarray(KPL_MAGIC.length, o)).copy(out, o);
  return out;
}

function writeStrings(out: Buffer, offset: number, key: number, strings: string[]): number {
  for (const s of strings) {
    out[offset++] = key;
    offset = writeVarint(out, offset, Buffer.byteLength(s));
    offset += out.write(s, offset);
  }
  return offset;
}

/**
 * Tracks the exact encoded size of an aggregated record while user records are added, without
 * encoding anything: the producer packs aggregates up to its size limit with it. Keys are given
 * table indices in the order first seen, as the producer's encoder assigns them; a key already
 * in a table costs nothing more. Each call is O(1) in the number of records.
 */
export class AggregateSizer {
  private readonly partitionKeys = new Map<string, number>();
  private readonly explicitHashKeys = new Map<string, number>();
  private bytes = OVERHEAD;
  private records = 0;

  /** Total size in bytes of the aggregated record so far: magic, protobuf and MD5. */
  get size(): number {
    return this.bytes;
  }

  /** User records added so far. */
  get count(): number {
    return this.records;
  }

  /** The total size the aggregated record would have with this user record added. */
  sizeWith(partitionKey: string, explicitHashKey: string | undefined, dataLength: number): number {
    return this.measure(partitionKey, explicitHashKey, dataLength, false);
  }

  /** Adds a user record. */
  add(partitionKey: string, explicitHashKey: string | undefined, dataLength: number): void {
    this.bytes = this.measure(partitionKey, explicitHashKey, dataLength, true);
    this.records++;
  }

  /** Empties the tables, back to an aggregate without records. */
  reset(): void {
    this.partitionKeys.clear();
    this.explicitHashKeys.clear();
    this.bytes = OVERHEAD;
    this.records = 0;
  }

  private measure(partitionKey: string, explicitHashKey: string | undefined, dataLength: number, commit: boolean): number {
    let size = this.bytes;
    let pkIndex = this.partitionKeys.get(partitionKey);
    if (pkIndex === undefined) {
      pkIndex = this.partitionKeys.size;
      size += fieldSize(Buffer.byteLength(partitionKey));
      if (commit) this.partitionKeys.set(partitionKey, pkIndex);
    }
    let ehkIndex: number | undefined;
    if (explicitHashKey !== undefined) {
      ehkIndex = this.explicitHashKeys.get(explicitHashKey);
      if (ehkIndex === undefined) {
        ehkIndex = this.explicitHashKeys.size;
        size += fieldSize(Buffer.byteLength(explicitHashKey));
        if (commit) this.explicitHashKeys.set(explicitHashKey, ehkIndex);
      }
    }
    return size + fieldSize(recordBodySize(pkIndex, ehkIndex, dataLength));
  }
}
