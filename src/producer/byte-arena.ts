import type { UserRecord } from './user-record.ts';

const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 1024 * 1024;

/**
 * Where the data of one shard's buffered records lives: their bytes, written once into large
 * buffers outside the JavaScript heap. A record's string can then die young, and the garbage
 * collector neither copies nor traces the bytes while the record waits for its batch and its
 * acknowledgement (it did both, for every buffered record, on every collection). A chunk is
 * freed once no record in it is referenced; since one shard's records leave in arrival order,
 * a shard pins little more than what it buffers. Chunks grow with the shard's backlog, so a
 * quiet shard costs 16 KiB and a busy one writes 1 MiB at a time.
 * @internal
 */
export class ByteArena {
  private chunk: Buffer | undefined;
  private used = 0;

  /** Moves the record's data into the arena, unless it is already in one (a re-routed record). */
  store(record: UserRecord, backlogBytes: number): void {
    const data = record.data;
    if (data === undefined) return;
    const size = record.dataSize;
    let chunk = this.chunk;
    let offset = this.used;
    if (chunk === undefined || chunk.length - offset < size) {
      if (size > MAX_CHUNK) {
        chunk = Buffer.allocUnsafeSlow(size);
        offset = 0;
      } else {
        this.chunk = chunk = Buffer.allocUnsafeSlow(chunkSize(Math.max(size, backlogBytes)));
        offset = this.used = 0;
      }
    }
    if (typeof data === 'string') chunk.write(data, offset, size, 'utf8');
    else chunk.set(data, offset);
    if (chunk === this.chunk) this.used += size;
    record.chunk = chunk;
    record.offset = offset;
    record.data = undefined;
  }
}

function chunkSize(bytes: number): number {
  let size = MIN_CHUNK;
  while (size < bytes && size < MAX_CHUNK) size *= 2;
  return size;
}

/** A record's data as bytes, wherever it is: a view into its arena chunk once stored. @internal */
export function recordBytes(record: UserRecord): Uint8Array {
  if (record.chunk !== undefined) return record.chunk.subarray(record.offset, record.offset + record.dataSize);
  const data = record.data!;
  return typeof data === 'string' ? Buffer.from(data) : data;
}
