import { md5 } from './hash-key.ts';
import { ProtoReader } from './protobuf.ts';
import { DIGEST_SIZE, FIELD, KPL_MAGIC } from './kpl-format.ts';

/**
 * A KPL aggregated record read in two steps, so that its size in memory never depends on how
 * many user records it claims: {@link scanAggregate} checks the whole aggregate (MD5,
 * protobuf, required fields, key indices) without creating anything per user record, then an
 * {@link AggregateCursor} walks the checked bytes one user record at a time. Only the key
 * tables become strings, and a limit bounds them with the user records.
 */

/** An aggregate that passed every check; its user records are read with an {@link AggregateCursor}. @internal */
export interface ScannedAggregate {
  readonly buffer: Buffer;
  /** Where the first user record's field starts, and where the protobuf ends (before the MD5). */
  readonly recordsStart: number;
  readonly end: number;
  readonly partitionKeys: readonly string[];
  readonly explicitHashKeys: readonly string[];
  readonly userRecords: number;
}

/**
 * What {@link scanAggregate} found: `'plain'`, no KPL magic; `'invalid'`, the magic but a failed
 * check; `'tooManyUserRecords'`, more user records (or more keys in one key table) than the
 * limit, left unread past it; `'aggregated'`, a valid aggregate.
 * @internal
 */
export type AggregateScan =
  | { readonly status: 'plain' | 'invalid' | 'tooManyUserRecords' }
  | { readonly status: 'aggregated'; readonly aggregate: ScannedAggregate };

// Plain constants rather than property reads: these are compared for every field of every user record.
const { PARTITION_KEY_TABLE, EXPLICIT_HASH_KEY_TABLE, RECORDS, PARTITION_KEY_INDEX, EXPLICIT_HASH_KEY_INDEX, DATA, TAGS, TAG_KEY } = FIELD;

const PLAIN = Object.freeze({ status: 'plain' as const });
const INVALID = Object.freeze({ status: 'invalid' as const });
const TOO_MANY = Object.freeze({ status: 'tooManyUserRecords' as const });

/** True when the bytes start with the KPL magic. */
function startsWithKplMagic(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0xf3 && data[1] === 0x89 && data[2] === 0x9a && data[3] === 0xc2;
}

/**
 * Checks a Kinesis record's data as a KPL aggregate, allocating nothing per user record. Never
 * throws on hostile bytes. Anything short of a well-formed aggregate (too short, wrong MD5,
 * malformed or truncated protobuf, a missing required field, a key index outside its table, no
 * user records at all) is `'invalid'`. More than `maxUserRecords` user records, or more keys
 * than that in one key table, is `'tooManyUserRecords'`, found without reading further.
 * @internal
 */
export function scanAggregate(buffer: Buffer, maxUserRecords = Infinity): AggregateScan {
  if (!startsWithKplMagic(buffer)) return PLAIN;
  const end = buffer.length - DIGEST_SIZE;
  if (end < KPL_MAGIC.length || !md5(buffer.subarray(KPL_MAGIC.length, end)).equals(buffer.subarray(end))) return INVALID;

  const reader = new ProtoReader(buffer, KPL_MAGIC.length, end);
  const partitionKeys: string[] = [];
  const explicitHashKeys: string[] = [];
  const fields = new RecordFields(buffer);
  let userRecords = 0;
  let recordsStart = -1;
  let maxPartitionKeyIndex = -1;
  let maxExplicitHashKeyIndex = -1;
  while (reader.more) {
    const fieldStart = reader.offset;
    const key = reader.key();
    if (key === PARTITION_KEY_TABLE || key === EXPLICIT_HASH_KEY_TABLE) {
      const table = key === PARTITION_KEY_TABLE ? partitionKeys : explicitHashKeys;
      if (table.length >= maxUserRecords) return TOO_MANY;
      table.push(reader.string());
    } else if (key === RECORDS) {
      const bodyStart = reader.lengthDelimited();
      if (reader.failed) break;
      if (userRecords >= maxUserRecords) return TOO_MANY;
      if (!fields.parse(bodyStart, reader.offset)) return INVALID;
      if (recordsStart < 0) recordsStart = fieldStart;
      userRecords++;
      if (fields.partitionKeyIndex > maxPartitionKeyIndex) maxPartitionKeyIndex = fields.partitionKeyIndex;
      if (fields.explicitHashKeyIndex > maxExplicitHashKeyIndex) maxExplicitHashKeyIndex = fields.explicitHashKeyIndex;
    } else reader.skip(key);
  }
  // Tables may legally follow the records on the wire, so indices are checked only now.
  if (reader.failed || userRecords === 0 || maxPartitionKeyIndex >= partitionKeys.length || maxExplicitHashKeyIndex >= explicitHashKeys.length) {
    return INVALID;
  }
  return { status: 'aggregated', aggregate: { buffer, recordsStart, end, partitionKeys, explicitHashKeys, userRecords } };
}

/**
 * Walks the user records of a scanned aggregate in order, one at a time and without copying:
 * `next()` moves to the next one, whose fields are then read from the cursor.
 * @internal
 */
export class AggregateCursor {
  /** Index of the current user record in its aggregate: its sub-sequence number; -1 before the first. */
  subSequenceNumber = -1;
  private readonly reader: ProtoReader;
  private readonly fields: RecordFields;

  constructor(readonly aggregate: ScannedAggregate) {
    this.reader = new ProtoReader(aggregate.buffer, aggregate.recordsStart, aggregate.end);
    this.fields = new RecordFields(aggregate.buffer);
  }

  /** Moves to the next user record; false after the last. */
  next(): boolean {
    const { reader } = this;
    while (reader.more) {
      const key = reader.key();
      if (key === RECORDS) {
        const bodyStart = reader.lengthDelimited();
        // The scan checked every record, so parsing cannot fail here.
        this.fields.parse(bodyStart, reader.offset);
        this.subSequenceNumber++;
        return true;
      }
      reader.skip(key);
    }
    return false;
  }

  get partitionKeyIndex(): number {
    return this.fields.partitionKeyIndex;
  }

  /** -1 when the user record has no explicit hash key. */
  get explicitHashKeyIndex(): number {
    return this.fields.explicitHashKeyIndex;
  }

  get partitionKey(): string {
    return this.aggregate.partitionKeys[this.fields.partitionKeyIndex];
  }

  get explicitHashKey(): string | undefined {
    const index = this.fields.explicitHashKeyIndex;
    return index < 0 ? undefined : this.aggregate.explicitHashKeys[index];
  }

  /** The user record's bytes: a view into the aggregate, not a copy. */
  data(): Buffer {
    return this.aggregate.buffer.subarray(this.fields.dataStart, this.fields.dataEnd);
  }
}

/** The fields of one Record message, parsed into one reused object by one reused reader. */
class RecordFields {
  partitionKeyIndex = -1;
  explicitHashKeyIndex = -1;
  dataStart = -1;
  dataEnd = -1;
  private readonly reader: ProtoReader;
  private readonly tagReader: ProtoReader;

  constructor(buffer: Buffer) {
    this.reader = new ProtoReader(buffer, 0, 0);
    this.tagReader = new ProtoReader(buffer, 0, 0);
  }

  /** False when the Record at `[start, end)` is malformed or lacks a required field. */
  parse(start: number, end: number): boolean {
    const { reader } = this;
    reader.reset(start, end);
    this.partitionKeyIndex = -1;
    this.explicitHashKeyIndex = -1;
    this.dataStart = -1;
    this.dataEnd = -1;
    while (reader.more) {
      const key = reader.key();
      if (key === PARTITION_KEY_INDEX) this.partitionKeyIndex = reader.varint();
      else if (key === EXPLICIT_HASH_KEY_INDEX) this.explicitHashKeyIndex = reader.varint();
      else if (key === DATA) {
        this.dataStart = reader.lengthDelimited();
        this.dataEnd = reader.offset;
      } else if (key === TAGS) {
        const tagStart = reader.lengthDelimited();
        if (!reader.failed && !isValidTag(this.tagReader, tagStart, reader.offset)) return false;
      } else reader.skip(key);
    }
    return !reader.failed && this.partitionKeyIndex >= 0 && this.dataStart >= 0;
  }
}

/** A Tag is well formed and has its required key; its content is not kept. */
function isValidTag(reader: ProtoReader, start: number, end: number): boolean {
  reader.reset(start, end);
  let hasKey = false;
  while (reader.more) {
    const key = reader.key();
    if (key === TAG_KEY) {
      reader.lengthDelimited();
      hasKey = true;
    } else reader.skip(key);
  }
  return !reader.failed && hasKey;
}
