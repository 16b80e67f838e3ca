import type { AnyActorRef } from 'xstate';
import type { Clock } from '../internal/clock.ts';
import type { Supervisor } from '../supervision/supervisor.ts';
import { ChunkPool } from './byte-arena.ts';
import { cutBatch, type Batch, type BatchLimits } from './batch.ts';
import type { ResolvedProducerOptions } from './options.ts';
import { ShardRateLimiter, SHARD_BYTES_PER_SECOND, SHARD_RECORDS_PER_SECOND } from './rate-limiter.ts';
import { ShardBuffer } from './shard-buffer.ts';
import type { ShardBufferEvent } from './shard-buffer.machine.ts';
import type { ShardMap } from './shard-map.ts';
import { MAX_STREAM_RECORD_SIZE, type RecordLimit } from './record-limit.ts';
import type { UserRecord } from './user-record.ts';

/** One predicted shard: its buffer, its rate limit, and the batch its actor has in flight. @internal */
export interface ShardState {
  buffer: ShardBuffer;
  limiter: ShardRateLimiter;
  inFlight: Batch | undefined;
}

/** A new shard map as {@link ShardRouter.installMap} took it in, for {@link ShardRouter.reroute}. @internal */
export interface MapChange {
  /** Shards new in this map: their actors are to start. */
  added: ShardState[];
  /** Shards this map no longer has: their actors are to stop, their records to be routed again. */
  closed: ShardState[];
  /** Records that had no shard before this map. */
  orphans: UserRecord[];
}

/** What the router needs from the producer. @internal */
export interface ShardRouterDeps {
  options: ResolvedProducerOptions;
  clock: Clock;
  /** Where the shard buffer actors and the producer root are found, by id. */
  supervisor: Supervisor<AnyActorRef>;
  /** The largest user record; see {@link ShardRouter.applyRecordLimit}. */
  recordLimit: RecordLimit;
}

/** The supervisor id of a shard's buffer actor. @internal */
export function shardActorId(shardId: string): string {
  return `shardBuffer:${shardId}`;
}

/**
 * Routes user records to the buffer of their predicted shard, and owns those buffers. Buffers
 * live here, not in the shard buffer actors, so a restarted actor loses nothing; records whose
 * shard closed are routed again through the new map.
 * @internal
 */
export class ShardRouter {
  map: ShardMap | undefined;
  private readonly shards = new Map<string, ShardState>();
  /** Records with no shard yet: before the first map, or in a gap of a changing map. */
  private unrouted: UserRecord[] = [];
  private flushWhenRouted = false;
  private refreshWaiters: ((map: ShardMap) => void)[] = [];
  private readonly chunks = new ChunkPool();
  private limits!: BatchLimits;
  private fullBytes = 0;
  private readonly fullCount: number;

  constructor(private readonly deps: ShardRouterDeps) {
    this.applyRecordLimit();
    this.fullCount = deps.options.aggregationEnabled ? Number.MAX_SAFE_INTEGER : this.limits.maxCount;
  }

  /**
   * Sizes batches after the record limit, as it is now: at start, and once the stream's limit is
   * learned (before the first batch is cut). A batch holds at most one second of the shard's
   * budget, since a larger request would be throttled in part anyway, but always room for one
   * record of the largest size: such a record goes alone, in a request of at most 10 MiB.
   */
  applyRecordLimit(): void {
    const o = this.deps.options;
    const maxRecordSize = this.deps.recordLimit.bytes;
    const bytesPerSecond = Math.floor((SHARD_BYTES_PER_SECOND * o.rateLimit) / 100);
    const recordsPerSecond = Math.floor((SHARD_RECORDS_PER_SECOND * o.rateLimit) / 100);
    this.limits = {
      aggregationEnabled: o.aggregationEnabled,
      aggregationMaxCount: o.aggregationMaxCount,
      aggregationMaxSize: o.aggregationMaxSize,
      maxRecordSize,
      maxCount: Math.max(1, Math.min(o.collectionMaxCount, recordsPerSecond)),
      maxBytes: Math.min(MAX_STREAM_RECORD_SIZE, Math.max(maxRecordSize, Math.min(o.collectionMaxSize, bytesPerSecond))),
    };
    this.fullBytes = this.limits.maxBytes;
  }

  /** Puts an accepted record into its shard's buffer; the shard's actor hears of it only on edges. */
  route(record: UserRecord): void {
    const shard = this.map?.shardFor(record.hashKey);
    const state = shard && this.shards.get(shard.shardId);
    if (!state) {
      this.unrouted.push(record);
      if (this.map) this.requestRefresh();
      return;
    }
    const buffer = state.buffer;
    const wasEmpty = buffer.size === 0;
    buffer.push(record);
    // While a batch is in flight the actor hears nothing of its buffer: once the batch is sent
    // it looks at the buffer anyway, and an event meanwhile would cost it a turn for nothing.
    if (state.inFlight !== undefined) return;
    if (wasEmpty) {
      this.send(buffer.shardId, { type: 'shardBuffer.recordsAdded' });
    } else if (!buffer.fullSignaled && (buffer.pendingBytes >= this.fullBytes || buffer.size >= this.fullCount)) {
      buffer.fullSignaled = true;
      this.send(buffer.shardId, { type: 'shardBuffer.full' });
    }
  }

  /** The predicted shard of a record in the current map, if it has one. */
  shardIdOf(record: UserRecord): string | undefined {
    return this.map?.shardFor(record.hashKey)?.shardId;
  }

  /** Puts records of one shard back ahead of its buffer for another attempt (without a shard: unrouted). */
  requeue(shardId: string | undefined, records: UserRecord[]): void {
    const state = shardId === undefined ? undefined : this.shards.get(shardId);
    if (!state) {
      for (const record of records) this.unrouted.push(record);
      return;
    }
    state.buffer.requeue(records);
    this.send(state.buffer.shardId, { type: 'shardBuffer.recordsAdded' });
  }

  /** Keeps the unrouted records that `keep` says true for. */
  keepUnrouted(keep: (record: UserRecord) => boolean): void {
    const before = this.unrouted;
    this.unrouted = [];
    const kept = before.filter(keep);
    // `keep` may settle a record, which admits a waiting put, which is routed here meanwhile.
    this.unrouted = this.unrouted.length === 0 ? kept : kept.concat(this.unrouted);
  }

  /**
   * Takes in a new shard map: adds a state for each new shard and removes those of closed ones.
   * Their actors are started and stopped by the caller, then {@link reroute} finishes the change.
   */
  installMap(map: ShardMap): MapChange {
    this.map = map;
    const change: MapChange = { added: [], closed: [], orphans: this.unrouted };
    this.unrouted = [];
    for (const shard of map.shards) {
      if (this.shards.has(shard.shardId)) continue;
      const state: ShardState = { buffer: new ShardBuffer(shard.shardId, this.deps.options.preserveOrder, this.chunks), limiter: this.newLimiter(), inFlight: undefined };
      this.shards.set(shard.shardId, state);
      change.added.push(state);
    }
    for (const [shardId, state] of this.shards) {
      if (map.get(shardId)) continue;
      this.shards.delete(shardId);
      change.closed.push(state);
    }
    return change;
  }

  /** Routes the records of closed shards and those that had none through the new map. */
  reroute(change: MapChange): void {
    const orphans = change.orphans;
    for (const state of change.closed) for (const record of state.buffer.drainAll()) orphans.push(record);
    for (const record of orphans) this.route(record);
    // A flush asked for before these records had a shard covers them too.
    if (this.flushWhenRouted && orphans.length > 0) this.flushAll();
    this.flushWhenRouted = false;
    const waiters = this.refreshWaiters;
    this.refreshWaiters = [];
    for (const resolve of waiters) resolve(this.map!);
  }

  /** Asks the producer root for a fresh shard map (a hash key fell in a gap of this one). */
  private requestRefresh(): void {
    this.deps.supervisor.get('producer')?.send({ type: 'producer.refreshShardMap' });
  }

  /** Reloads the shard map (debounced by the root) and resolves with the fresh one. */
  refreshMap(): Promise<ShardMap> {
    return new Promise((resolve) => {
      this.refreshWaiters.push(resolve);
      this.requestRefresh();
    });
  }

  /** Hands the unsettled records of a batch whose flush broke back to its buffer, once. */
  requeueBatch(state: ShardState, batch: Batch): void {
    if (batch.abandoned) return;
    batch.abandoned = true;
    if (state.inFlight === batch) state.inFlight = undefined;
    const records = batch.groups.flat().filter((r) => !r.settled);
    for (const record of records) record.notBefore = 0;
    state.buffer.requeue(records);
  }

  /** Whether a shard has a batch to cut now: when forced, when full, or when a record is due. */
  isDue(state: ShardState, force: boolean, now: number): boolean {
    const { buffer } = state;
    if (buffer.size === 0) return false;
    if (force || buffer.pendingBytes >= this.fullBytes || buffer.size >= this.fullCount) return true;
    const due = buffer.nextDueAt(this.deps.options.recordMaxBufferedTime);
    return due !== undefined && due <= now;
  }

  /** Cuts the next batch from a shard's buffer, within the batch limits. */
  cut(state: ShardState, now: number): Batch | undefined {
    return cutBatch(state.buffer, this.limits, now);
  }

  /** Puts back what is still unsettled of a batch just cut, to be cut again at once. */
  putBack(state: ShardState, batch: Batch): void {
    const live = batch.groups.flat().filter((r) => !r.settled);
    if (live.length === 0) return;
    for (const record of live) record.notBefore = 0;
    state.buffer.requeue(live);
  }

  /** Milliseconds until the next record of a shard is due, 0 if one is due now. */
  dueIn(state: ShardState): number {
    const now = this.deps.clock.now();
    return Math.max(0, (state.buffer.nextDueAt(this.deps.options.recordMaxBufferedTime) ?? now) - now);
  }

  private send(shardId: string, event: ShardBufferEvent): void {
    // Delivered after the current task: a full buffer makes the actor cut a batch, and that
    // work must not land inside the put() call that filled it.
    queueMicrotask(() => this.deps.supervisor.get(shardActorId(shardId))?.send(event));
  }

  /** The rate limiter of a shard (a fresh one if the shard closed meanwhile). */
  limiterOf(shardId: string): ShardRateLimiter {
    return this.shards.get(shardId)?.limiter ?? this.newLimiter();
  }

  private newLimiter(): ShardRateLimiter {
    const { rateLimit } = this.deps.options;
    return new ShardRateLimiter((SHARD_BYTES_PER_SECOND * rateLimit) / 100, (SHARD_RECORDS_PER_SECOND * rateLimit) / 100, this.deps.clock.now());
  }

  /** Asks every shard actor to send what it holds now. */
  flushAll(): void {
    if (this.unrouted.length > 0) this.flushWhenRouted = true;
    for (const shardId of this.shards.keys()) this.send(shardId, { type: 'shardBuffer.flush' });
  }

  /** Every record not yet settled: buffered, in flight or unrouted. */
  unsettled(): UserRecord[] {
    const all: UserRecord[] = this.unrouted.filter((r) => !r.settled);
    for (const state of this.shards.values()) {
      for (const record of state.buffer.peekAll()) all.push(record);
      if (state.inFlight) for (const group of state.inFlight.groups) for (const r of group) if (!r.settled) all.push(r);
    }
    return all;
  }

  get unroutedCount(): number {
    return this.unrouted.length;
  }

  /** Per-shard buffered records, for progress displays. */
  bufferedByShard(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [shardId, state] of this.shards) out[shardId] = state.buffer.size;
    return out;
  }
}
