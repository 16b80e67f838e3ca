/**
 * The few protobuf wire-format pieces the KPL aggregation format needs: varints and
 * length-delimited fields. Hand-written because the format is tiny and this path is hot.
 * @internal
 */

/** Bytes a varint takes for a non-negative integer below 2^53. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Writes a varint at `offset` and returns the offset after it. */
export function writeVarint(buffer: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    buffer[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  buffer[offset++] = value;
  return offset;
}

/** Size of a length-delimited field (one-byte tag) carrying `length` bytes. */
export function fieldSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/**
 * A bounds-checked reader. Every read that would run past the end sets `failed` instead of
 * throwing, so hostile bytes can never raise or allocate beyond the input.
 */
export class ProtoReader {
  offset: number;
  failed = false;

  constructor(
    readonly buffer: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.offset = start;
  }

  get done(): boolean {
    return this.failed || this.offset >= this.end;
  }

  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) break;
      const byte = this.buffer[this.offset++];
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) break;
        return result;
      }
      multiplier *= 128;
    }
    this.failed = true;
    return 0;
  }

  /** Reads a length prefix and returns [start, end) of the bytes, or fails. */
  lengthDelimited(): [number, number] {
    const length = this.varint();
    if (this.failed || length > this.end - this.offset) {
      this.failed = true;
      return [0, 0];
    }
    const start = this.offset;
    this.offset += length;
    return [start, this.offset];
  }

  /** Skips a field of the given wire type; groups and unknown types fail. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.lengthDelimited();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        this.failed = true;
    }
  }

  private advance(n: number): void {
    if (this.end - this.offset < n) this.failed = true;
    else this.offset += n;
  }
}
