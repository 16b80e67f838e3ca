import type { ArenaChunk, ChunkReturn } from './arena-chunk.ts';
import type { UserRecord } from './user-record.ts';

const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 1024 * 1024;

/**
 * Chunks whose records have all settled, kept for the next records instead of being freed.
 * At overload chunks are freed and allocated by the thousand a minute; through the C
 * allocator that churn fragmented its heap until the process held about twice what was
 * outstanding. Reusing the same buffers keeps the footprint at what is buffered. The pool is
 * capped in bytes; a chunk beyond the cap is left to the garbage collector.
 * @internal
 */
export class ChunkPool implements ChunkReturn {
  private readonly free = new Map<number, Buffer[]>();
  private bytes = 0;

  constructor(private readonly maxBytes = 8 * MAX_CHUNK) {}

  take(size: number): ArenaChunk {
    const bytes = this.free.get(size)?.pop();
    if (bytes !== undefined) this.bytes -= size;
    return { bytes: bytes ?? Buffer.allocUnsafeSlow(size), live: 0, current: true, pool: this };
  }

  give(chunk: ArenaChunk): void {
    const size = chunk.bytes.length;
    if (this.bytes + size > this.maxBytes) return;
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(chunk.bytes);
    this.bytes += size;
  }

  /** Bytes held for reuse, for tests. */
  get pooledBytes(): number {
    return this.bytes;
  }
}

/**
 * Where the data of one shard's buffered records lives: their bytes, written once into large
 * buffers outside the JavaScript heap. A record's string can then die young, and the garbage
 * collector neither copies nor traces the bytes while the record waits for its batch and its
 * acknowledgement (it did both, for every buffered record, on every collection). A chunk goes
 * back to the pool once every record in it has settled; since one shard's records leave in
 * arrival order, a shard holds little more than what it buffers, and a record waiting for a
 * retry is moved to the current chunk rather than holding its old one. Chunks grow with the
 * shard's backlog, so a quiet shard costs 16 KiB and a busy one writes 1 MiB at a time.
 * @internal
 */
export class ByteArena {
  private chunk: ArenaChunk | undefined;
  private used = 0;

  constructor(private readonly pool: ChunkPool = new ChunkPool()) {}

  /** Moves the record's data into the arena, unless it is already in one (a re-routed record). */
  store(record: UserRecord, backlogBytes: number): void {
    const data = record.data;
    if (data === undefined) return;
    const target = this.place(record.dataSize, backlogBytes);
    if (typeof data === 'string') target.chunk.bytes.write(data, target.offset, record.dataSize, 'utf8');
    else target.chunk.bytes.set(data, target.offset);
    record.data = undefined;
    record.chunk = target.chunk;
    record.offset = target.offset;
  }

  /**
   * Copies a record that waits for a retry into the current chunk and lets go of its old one,
   * which the acknowledged records around it would otherwise keep from the pool.
   */
  restore(record: UserRecord, backlogBytes: number): void {
    const old = record.chunk;
    if (old === undefined || old === this.chunk || old.pool === undefined) return;
    const target = this.place(record.dataSize, backlogBytes);
    target.chunk.bytes.set(old.bytes.subarray(record.offset, record.offset + record.dataSize), target.offset);
    record.chunk = target.chunk;
    record.offset = target.offset;
    release(old);
  }

  private place(size: number, backlogBytes: number): { chunk: ArenaChunk; offset: number } {
    let chunk = this.chunk;
    let offset = this.used;
    if (chunk === undefined || chunk.bytes.length - offset < size) {
      if (size > MAX_CHUNK) {
        chunk = { bytes: Buffer.allocUnsafeSlow(size), live: 0, current: false, pool: undefined };
        offset = 0;
      } else {
        if (this.chunk !== undefined) {
          this.chunk.current = false;
          if (this.chunk.live === 0) this.pool.give(this.chunk);
        }
        this.chunk = chunk = this.pool.take(chunkSize(Math.max(size, backlogBytes)));
        offset = this.used = 0;
      }
    }
    if (chunk === this.chunk) this.used += size;
    chunk.live++;
    return { chunk, offset };
  }
}

/** Lets go of a settled record's bytes: its chunk returns to the pool when nothing else lives in it. @internal */
export function releaseBytes(record: UserRecord): void {
  const chunk = record.chunk;
  if (chunk === undefined) return;
  record.chunk = undefined;
  release(chunk);
}

function release(chunk: ArenaChunk): void {
  chunk.live--;
  if (chunk.live === 0 && !chunk.current && chunk.pool !== undefined) chunk.pool.give(chunk);
}

function chunkSize(bytes: number): number {
  let size = MIN_CHUNK;
  while (size < bytes && size < MAX_CHUNK) size *= 2;
  return size;
}

/** A record's data as bytes, wherever it is: a view into its arena chunk once stored. @internal */
export function recordBytes(record: UserRecord): Uint8Array {
  if (record.chunk !== undefined) return record.chunk.bytes.subarray(record.offset, record.offset + record.dataSize);
  const data = record.data!;
  return typeof data === 'string' ? Buffer.from(data) : data;
}
