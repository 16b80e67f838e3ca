import { createHash } from 'node:crypto';
import { fieldSize, ProtoReader, varintSize, writeVarint } from './protobuf.ts';

/**
 * The KPL aggregated-record format:
 *
 *   F3 89 9A C2 | protobuf AggregatedRecord | MD5(protobuf)
 *
 *   AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
 *                      repeated Record records = 3; }
 *   Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *            required bytes data = 3; repeated Tag tags = 4; }
 *   Tag { required string key = 1; optional string value = 2; }
 */
export const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const DIGEST_SIZE = 16;
const OVERHEAD = KPL_MAGIC.length + DIGEST_SIZE;

/** The content of one aggregated record: key tables and user records pointing into them. */
export interface AggregateInput {
  partitionKeys: string[];
  explicitHashKeys: string[];
  records: Array<{ partitionKeyIndex: number; explicitHashKeyIndex?: number; data: Uint8Array }>;
}

function recordBodySize(partitionKeyIndex: number, explicitHashKeyIndex: number | undefined, dataLength: number): number {
  return (
    1 +
    varintSize(partitionKeyIndex) +
    (explicitHashKeyIndex === undefined ? 0 : 1 + varintSize(explicitHashKeyIndex)) +
    fieldSize(dataLength)
  );
}

/** Encodes an aggregated record in one allocation: sizes first, then one pass of writes. */
export function encodeAggregatedRecord(input: AggregateInput): Buffer {
  const pkBytes = input.partitionKeys.map((k) => Buffer.from(k));
  const ehkBytes = input.explicitHashKeys.map((k) => Buffer.from(k));
  let size = 0;
  for (const k of pkBytes) size += fieldSize(k.length);
  for (const k of ehkBytes) size += fieldSize(k.length);
  const bodySizes = new Array<number>(input.records.length);
  for (let i = 0; i < input.records.length; i++) {
    const r = input.records[i];
    bodySizes[i] = recordBodySize(r.partitionKeyIndex, r.explicitHashKeyIndex, r.data.length);
    size += fieldSize(bodySizes[i]);
  }
  const out = Buffer.allocUnsafe(OVERHEAD + size);
  KPL_MAGIC.copy(out, 0);
  let o = KPL_MAGIC.length;
  for (const k of pkBytes) {
    out[o++] = 0x0a;
    o = writeVarint(out, o, k.length);
    o += k.copy(out, o);
  }
  for (const k of ehkBytes) {
    out[o++] = 0x12;
    o = writeVarint(out, o, k.length);
    o += k.copy(out, o);
  }
  for (let i = 0; i < input.records.length; i++) {
    const r = input.records[i];
    out[o++] = 0x1a;
    o = writeVarint(out, o, bodySizes[i]);
    out[o++] = 0x08;
    o = writeVarint(out, o, r.partitionKeyIndex);
    if (r.explicitHashKeyIndex !== undefined) {
      out[o++] = 0x10;
      o = writeVarint(out, o, r.explicitHashKeyIndex);
    }
    out[o++] = 0x1a;
    o = writeVarint(out, o, r.data.length);
    out.set(r.data, o);
    o += r.data.length;
  }
  createHash('md5').update(out.subarray(KPL_MAGIC.length, o)).digest().copy(out, o);
  return out;
}

/**
 * Tracks the exact encoded size of an aggregated record as user records are added, without
 * encoding: the producer packs aggregates up to AggregationMaxSize with it.
 */
export class AggregateSizer {
  private partitionKeys = new Map<string, number>();
  private explicitHashKeys = new Map<string, number>();
  private bytes = OVERHEAD;
  private records = 0;

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.records;
  }

  /** The aggregated record's size if this user record were added. */
  sizeWith(partitionKey: string, explicitHashKey: string | undefined, dataLength: number): number {
    let size = this.bytes;
    let pkIndex = this.partitionKeys.get(partitionKey);
    if (pkIndex === undefined) {
      pkIndex = this.partitionKeys.size;
      size += fieldSize(Buffer.byteLength(partitionKey));
    }
    let ehkIndex: number | undefined;
    if (explicitHashKey !== undefined) {
      ehkIndex = this.explicitHashKeys.get(explicitHashKey);
      if (ehkIndex === undefined) {
        ehkIndex = this.explicitHashKeys.size;
        size += fieldSize(explicitHashKey.length);
      }
    }
    return size + fieldSize(recordBodySize(pkIndex, ehkIndex, dataLength));
  }

  add(partitionKey: string, explicitHashKey: string | undefined, dataLength: number): void {
    this.bytes = this.sizeWith(partitionKey, explicitHashKey, dataLength);
    if (!this.partitionKeys.has(partitionKey)) this.partitionKeys.set(partitionKey, this.partitionKeys.size);
    if (explicitHashKey !== undefined && !this.explicitHashKeys.has(explicitHashKey)) {
      this.explicitHashKeys.set(explicitHashKey, this.explicitHashKeys.size);
    }
    this.records++;
  }

  reset(): void {
    this.partitionKeys.clear();
    this.explicitHashKeys.clear();
    this.bytes = OVERHEAD;
    this.records = 0;
  }
}

/** One user record taken out of a Kinesis record. */
export interface DeaggregatedUserRecord {
  partitionKey: string;
  explicitHashKey?: string;
  /** A view into the input when aggregated. */
  data: Buffer;
  /** Index inside the aggregated record; 0 for a plain record. */
  subSequenceNumber: number;
}

/** 'plain': not aggregated; 'aggregated'; 'invalid': has the magic but fails the checks. */
export interface DeaggregationResult {
  status: 'plain' | 'aggregated' | 'invalid';
  records: DeaggregatedUserRecord[];
}

function hasMagic(data: Uint8Array): boolean {
  return data.length >= OVERHEAD && data[0] === 0xf3 && data[1] === 0x89 && data[2] === 0x9a && data[3] === 0xc2;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Splits a Kinesis record into its user records. A record without the magic is one plain user
 * record; one with the magic but a bad MD5 or malformed protobuf passes through raw, as the KCL
 * does. Never throws on hostile bytes.
 */
export function deaggregate(data: Uint8Array, outerPartitionKey: string, outerExplicitHashKey?: string): DeaggregationResult {
  const buffer = asBuffer(data);
  const passThrough = (status: 'plain' | 'invalid'): DeaggregationResult => ({
    status,
    records: [{ partitionKey: outerPartitionKey, explicitHashKey: outerExplicitHashKey, data: buffer, subSequenceNumber: 0 }],
  });
  if (!hasMagic(buffer)) return passThrough('plain');
  const end = buffer.length - DIGEST_SIZE;
  const digest = createHash('md5').update(buffer.subarray(KPL_MAGIC.length, end)).digest();
  if (!digest.equals(buffer.subarray(end))) return passThrough('invalid');
  const records = parseAggregate(buffer, KPL_MAGIC.length, end);
  return records ? { status: 'aggregated', records } : passThrough('invalid');
}

function parseAggregate(buffer: Buffer, start: number, end: number): DeaggregatedUserRecord[] | undefined {
  const reader = new ProtoReader(buffer, start, end);
  const partitionKeys: string[] = [];
  const explicitHashKeys: string[] = [];
  const bodies: [number, number][] = [];
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType === 2 && field >= 1 && field <= 3) {
      const [s, e] = reader.lengthDelimited();
      if (reader.failed) break;
      if (field === 1) partitionKeys.push(buffer.toString('utf8', s, e));
      else if (field === 2) explicitHashKeys.push(buffer.toString('utf8', s, e));
      else bodies.push([s, e]);
    } else {
      reader.skip(wireType);
    }
  }
  if (reader.failed || bodies.length === 0) return undefined;
  const records: DeaggregatedUserRecord[] = new Array(bodies.length);
  for (let i = 0; i < bodies.length; i++) {
    const record = parseRecord(buffer, bodies[i][0], bodies[i][1], partitionKeys, explicitHashKeys, i);
    if (!record) return undefined;
    records[i] = record;
  }
  return records;
}

function parseRecord(
  buffer: Buffer,
  start: number,
  end: number,
  partitionKeys: string[],
  explicitHashKeys: string[],
  index: number,
): DeaggregatedUserRecord | undefined {
  const reader = new ProtoReader(buffer, start, end);
  let pkIndex = -1;
  let ehkIndex = -1;
  let data: [number, number] | undefined;
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === 0) pkIndex = reader.varint();
    else if (field === 2 && wireType === 0) ehkIndex = reader.varint();
    else if (field === 3 && wireType === 2) data = reader.lengthDelimited();
    else reader.skip(wireType);
  }
  if (reader.failed || !data || pkIndex < 0 || pkIndex >= partitionKeys.length) return undefined;
  if (ehkIndex >= explicitHashKeys.length) return undefined;
  return {
    partitionKey: partitionKeys[pkIndex],
    explicitHashKey: ehkIndex >= 0 ? explicitHashKeys[ehkIndex] : undefined,
    data: buffer.subarray(data[0], data[1]),
    subSequenceNumber: index,
  };
}
