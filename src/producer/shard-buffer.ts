import { ByteArena, ChunkPool } from './byte-arena.ts';
import type { UserRecord } from './user-record.ts';

/**
 * The user records waiting for one predicted shard. Plain data owned by the producer, not by the
 * shard's actor, so a restarted actor finds every record its predecessor held.
 * @internal
 */
export class ShardBuffer {
  /** New records in arrival order. */
  private pending: UserRecord[] = [];
  private head = 0;
  /**
   * Records waiting to be retried, each with its own `notBefore`, oldest first: every one of
   * them was put before any record in `pending`.
   */
  private retries: UserRecord[] = [];
  pendingBytes = 0;
  /** Set once the buffer has told its actor it is full, until the next batch is cut. */
  fullSignaled = false;

  /**
   * @param preserveOrder - whether nothing newer may leave while a retry waits (see
   * {@link ShardBuffer.take}).
   * @param pool - the chunks the arenas of a producer's shard buffers share.
   */
  constructor(
    readonly shardId: string,
    readonly preserveOrder = true,
    pool: ChunkPool = new ChunkPool(),
  ) {
    this.arena = new ByteArena(pool);
    this.retryArena = new ByteArena(pool);
  }

  get size(): number {
    return this.pending.length - this.head + this.retries.length;
  }

  private readonly arena: ByteArena;
  /**
   * Where records waiting for a retry are moved. Retries leave before the records around them
   * in the main arena; kept there, each left a hole in a chunk that the newer records still held.
   */
  private readonly retryArena: ByteArena;

  push(record: UserRecord): void {
    this.arena.store(record, this.pendingBytes);
    this.pending.push(record);
    this.pendingBytes += record.size;
  }

  /**
   * Puts records back for another attempt, in their order, ahead of every record buffered: they
   * come from the batch in flight, which was cut from the front of this buffer.
   */
  requeue(records: readonly UserRecord[]): void {
    for (const record of records) {
      this.retryArena.restore(record, 0);
      this.pendingBytes += record.size;
    }
    this.retries = this.retries.length === 0 ? records.slice() : [...records, ...this.retries];
  }

  /**
   * When the next record becomes sendable: the oldest arrival plus linger, or the earliest
   * retry (with `preserveOrder`, the oldest retry, which everything else waits for). The linger
   * deadline is rounded down to a grid of the linger time, so the buffers of all shards fall
   * due together, once per linger time, and their batches share one request: a request costs
   * the calling thread far more than the records it carries. A record waits at most the linger
   * time, and half of it on average.
   */
  nextDueAt(lingerMs: number): number | undefined {
    if (this.preserveOrder) {
      const oldest = this.retries.find((record) => !record.settled);
      if (oldest !== undefined) return oldest.notBefore;
    }
    let due: number | undefined;
    if (this.head < this.pending.length) {
      due = this.pending[this.head].arrivedAt + lingerMs;
      if (lingerMs > 1) due -= due % lingerMs;
    }
    for (const record of this.retries) {
      if (due === undefined || record.notBefore < due) due = record.notBefore;
    }
    return due;
  }

  /**
   * Removes and returns up to the records that `accept` admits, due retries first, then new
   * records in order. `accept` returns false to stop taking (the batch is full). With
   * `preserveOrder`, retries leave strictly oldest first, and no new record leaves while a
   * retry is still waiting: what is taken is always the front of the buffer.
   */
  take(now: number, accept: (record: UserRecord) => boolean): UserRecord[] {
    const taken: UserRecord[] = [];
    if (this.preserveOrder) {
      if (!this.takeRetriesInOrder(now, accept, taken)) return taken;
    } else if (this.retries.length > 0) {
      const keep: UserRecord[] = [];
      let open = true;
      for (const record of this.retries) {
        if (record.settled) {
          this.pendingBytes -= record.size;
        } else if (open && record.notBefore <= now && accept(record)) {
          this.pendingBytes -= record.size;
          taken.push(record);
        } else {
          if (record.notBefore <= now) open = false;
          keep.push(record);
        }
      }
      this.retries = keep;
      if (!open) return taken;
    }
    const pending = this.pending;
    while (this.head < pending.length) {
      const record = pending[this.head];
      if (!record.settled && !accept(record)) break;
      this.head++;
      this.pendingBytes -= record.size;
      if (!record.settled) taken.push(record);
    }
    if (this.head === pending.length) {
      this.pending = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > pending.length) {
      this.pending = pending.slice(this.head);
      this.head = 0;
    }
    this.fullSignaled = false;
    return taken;
  }

  /** Takes retries from the oldest on; true when none is left waiting. */
  private takeRetriesInOrder(now: number, accept: (record: UserRecord) => boolean, taken: UserRecord[]): boolean {
    const retries = this.retries;
    let i = 0;
    for (; i < retries.length; i++) {
      const record = retries[i];
      if (record.settled) {
        this.pendingBytes -= record.size;
        continue;
      }
      if (record.notBefore > now || !accept(record)) break;
      this.pendingBytes -= record.size;
      taken.push(record);
    }
    if (i > 0) this.retries = i === retries.length ? [] : retries.slice(i);
    return this.retries.length === 0;
  }

  /** Unsettled records without removing them, for `flush()` to wait on. */
  peekAll(): UserRecord[] {
    const all: UserRecord[] = [];
    for (const record of this.retries) if (!record.settled) all.push(record);
    for (let i = this.head; i < this.pending.length; i++) if (!this.pending[i].settled) all.push(this.pending[i]);
    return all;
  }

  /** Removes and returns everything, for re-routing after the shard map changed. */
  drainAll(): UserRecord[] {
    const all = [...this.retries, ...this.pending.slice(this.head)];
    this.retries = [];
    this.pending = [];
    this.head = 0;
    this.pendingBytes = 0;
    this.fullSignaled = false;
    return all.filter((r) => !r.settled);
  }
}
