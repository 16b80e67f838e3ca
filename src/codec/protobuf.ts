/**
 * The few protobuf wire-format pieces the KPL aggregation format needs: varints, field keys and
 * length-delimited fields. Hand-written because the format is tiny and this path is hot.
 * @internal
 */

/** Wire types (the low three bits of a field key). @internal */
export const WireType = { VARINT: 0, FIXED64: 1, LENGTH_DELIMITED: 2, START_GROUP: 3, END_GROUP: 4, FIXED32: 5 } as const;

/** The key of a field: field number and wire type as one varint. @internal */
export function fieldKey(field: number, wireType: number): number {
  return field * 8 + wireType;
}

/** Bytes a varint takes for a non-negative integer below 2^53. @internal */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  let size = 4;
  for (value = Math.floor(value / 0x10000000); value >= 1; value = Math.floor(value / 0x80)) size++;
  return size;
}

/** Writes a varint at `offset` and returns the offset after it. @internal */
export function writeVarint(buffer: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    // `% 0x80` rather than `& 0x7f`: values may exceed 32 bits.
    buffer[offset++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buffer[offset++] = value;
  return offset;
}

/** Size of a length-delimited field with a one-byte key carrying `length` bytes. @internal */
export function fieldSize(length: number): number {
  return 1 + varintSize(length) + length;
}

// protobuf-java refuses nesting past 100; no KPL message has groups at all.
const MAX_GROUP_DEPTH = 64;

/**
 * A bounds-checked reader over `buffer[start, end)`. A read that would run past the end, or any
 * malformed input, sets `failed` instead of throwing, so hostile bytes never raise and never
 * make it allocate: lengths are checked against the bytes actually present.
 * @internal
 */
export class ProtoReader {
  offset: number;
  failed = false;

  constructor(
    readonly buffer: Buffer,
    start: number,
    public end: number,
  ) {
    this.offset = start;
  }

  /** Reads `buffer[start, end)` from its start, as new: one reader serves every message of a loop. */
  reset(start: number, end: number): void {
    this.offset = start;
    this.end = end;
    this.failed = false;
  }

  /** True while there is input left and nothing has failed. */
  get more(): boolean {
    return !this.failed && this.offset < this.end;
  }

  /** Reads a varint below 2^53 (larger ones cannot index anything and fail). */
  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10 && this.offset < this.end; i++) {
      const byte = this.buffer[this.offset++];
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        if (result <= Number.MAX_SAFE_INTEGER) return result;
        break;
      }
      multiplier *= 0x80;
    }
    this.failed = true;
    return 0;
  }

  /** Reads a field key; field numbers run from 1 to 2^29 − 1, so keys fit in 32 bits. */
  key(): number {
    const key = this.varint();
    if (key < 8 || key > 0xffffffff) this.failed = true;
    return key;
  }

  /** Reads a length prefix and returns where the bytes start; `offset` is then past them. */
  lengthDelimited(): number {
    const length = this.varint();
    if (this.failed || length > this.end - this.offset) {
      this.failed = true;
      return this.offset;
    }
    const start = this.offset;
    this.offset += length;
    return start;
  }

  /** Reads a length-delimited field as UTF-8 (invalid sequences become U+FFFD, as proto2 allows). */
  string(): string {
    const start = this.lengthDelimited();
    return this.failed ? '' : this.buffer.toString('utf8', start, this.offset);
  }

  /** Skips the value of a field whose key was just read, per the wire rules (groups included). */
  skip(key: number): void {
    if (this.failed) return;
    const wireType = key & 7;
    if (wireType === WireType.START_GROUP) this.skipGroup(key >>> 3);
    else if (wireType === WireType.END_GROUP) this.failed = true;
    else this.skipValue(wireType);
  }

  private skipValue(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.FIXED64:
        this.advance(8);
        return;
      case WireType.LENGTH_DELIMITED:
        this.lengthDelimited();
        return;
      case WireType.FIXED32:
        this.advance(4);
        return;
      default:
        this.failed = true;
    }
  }

  // Iterative, with the open groups' field numbers on a bounded stack: an end-group must match.
  private skipGroup(field: number): void {
    const open = [field];
    while (this.more) {
      const key = this.key();
      if (this.failed) return;
      const wireType = key & 7;
      if (wireType === WireType.END_GROUP) {
        if (open.pop() !== key >>> 3) break;
        if (open.length === 0) return;
      } else if (wireType === WireType.START_GROUP) {
        if (open.length >= MAX_GROUP_DEPTH) break;
        open.push(key >>> 3);
      } else {
        this.skipValue(wireType);
      }
    }
    this.failed = true;
  }

  private advance(n: number): void {
    if (this.end - this.offset < n) this.failed = true;
    else this.offset += n;
  }
}
