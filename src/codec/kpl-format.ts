import { fieldKey, WireType } from './protobuf.ts';

/**
 * The KPL aggregated-record format, exactly:
 *
 *   F3 89 9A C2 | protobuf AggregatedRecord | MD5 of the protobuf bytes (16)
 *
 *   AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
 *                      repeated Record records = 3; }
 *   Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *            required bytes data = 3; repeated Tag tags = 4; }
 *   Tag { required string key = 1; optional string value = 2; }
 *
 * The encoder writes the fields in that order (tables, then records; inside a record 1, 2, 3), as
 * the KPL does. Tags are never written; on reading they are checked and dropped.
 */

/** The four bytes every KPL aggregated record starts with. */
export const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
/** @internal */
export const DIGEST_SIZE = 16;

const LD = WireType.LENGTH_DELIMITED;
/** Field keys of the format. @internal */
export const FIELD = Object.freeze({
  PARTITION_KEY_TABLE: fieldKey(1, LD),
  EXPLICIT_HASH_KEY_TABLE: fieldKey(2, LD),
  RECORDS: fieldKey(3, LD),
  PARTITION_KEY_INDEX: fieldKey(1, WireType.VARINT),
  EXPLICIT_HASH_KEY_INDEX: fieldKey(2, WireType.VARINT),
  DATA: fieldKey(3, LD),
  TAGS: fieldKey(4, LD),
  TAG_KEY: fieldKey(1, LD),
});
