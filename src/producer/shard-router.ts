import { createActor, type AnyActorRef } from 'xstate';
import type { Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { Logger } from '../internal/logger.ts';
import type { Supervisor } from '../supervision/supervisor.ts';
import { jitteredBackoff } from '../internal/backoff.ts';
import { ChunkPool } from './byte-arena.ts';
import { cutBatch, type Batch, type BatchLimits } from './batch.ts';
import type { ResolvedProducerOptions } from './options.ts';
import { ShardRateLimiter, SHARD_BYTES_PER_SECOND, SHARD_RECORDS_PER_SECOND } from './rate-limiter.ts';
import { releaseFrames } from './release-frames.ts';
import { ShardBuffer } from './shard-buffer.ts';
import { shardBufferMachine } from './shard-buffer.machine.ts';
import type { ShardMap } from './shard-map.ts';
import type { UserRecord } from './user-record.ts';

interface ShardState {
  buffer: ShardBuffer;
  limiter: ShardRateLimiter;
  inFlight: Batch | undefined;
}

/** What the router needs from the producer. @internal */
export interface ShardRouterDeps {
  options: ResolvedProducerOptions;
  clock: Clock;
  logger: Logger;
  supervisor: Supervisor<AnyActorRef>;
  flush(batch: Batch): Promise<void>;
  /** Settles a user record as failed for good. */
  fail(record: UserRecord, error: Error): void;
  draining(): boolean;
  /** Asks the producer root for a fresh shard map (a hash key fell in a gap of this one). */
  requestRefresh(): void;
  /** Told when the flush stage broke for a batch, after its records were re-queued. */
  flushFailed?(shardId: string, userRecords: number, error: unknown): void;
}

/**
 * Routes user records to the buffer of their predicted shard, and owns those buffers and the
 * shard buffer actors. Buffers live here, not in the actors, so a restarted actor loses nothing;
 * records whose shard closed are routed again through the new map.
 * @internal
 */
export class ShardRouter {
  map: ShardMap | undefined;
  private readonly shards = new Map<string, ShardState>();
  /** Records with no shard yet: before the first map, or in a gap of a changing map. */
  private unrouted: UserRecord[] = [];
  private flushWhenRouted = false;
  private readonly chunks = new ChunkPool();
  /** The last expiry error made, for the records that expire with it (see {@link expired}). */
  private lastExpiry: { cause: Error | undefined; attempts: number; error: KinesisActorsError } | undefined;
  private readonly limits: BatchLimits;
  private readonly fullBytes: number;
  private readonly fullCount: number;

  constructor(private readonly deps: ShardRouterDeps) {
    const o = deps.options;
    const bytesPerSecond = Math.floor((SHARD_BYTES_PER_SECOND * o.rateLimit) / 100);
    const recordsPerSecond = Math.floor((SHARD_RECORDS_PER_SECOND * o.rateLimit) / 100);
    // A request larger than a second of the shard's budget would be throttled in part anyway.
    this.limits = {
      aggregationEnabled: o.aggregationEnabled,
      aggregationMaxCount: o.aggregationMaxCount,
      aggregationMaxSize: o.aggregationMaxSize,
      maxRecordSize: o.maxUserRecordSize,
      maxCount: Math.max(1, Math.min(o.collectionMaxCount, recordsPerSecond)),
      maxBytes: Math.max(o.maxUserRecordSize, Math.min(o.collectionMaxSize, bytesPerSecond)),
    };
    this.fullBytes = this.limits.maxBytes;
    this.fullCount = o.aggregationEnabled ? Number.MAX_SAFE_INTEGER : this.limits.maxCount;
  }

  /** Puts an accepted record into its shard's buffer; the shard's actor hears of it only on edges. */
  route(record: UserRecord): void {
    const shard = this.map?.shardFor(record.hashKey);
    const state = shard && this.shards.get(shard.shardId);
    if (!state) {
      this.unrouted.push(record);
      if (this.map) this.deps.requestRefresh();
      return;
    }
    const buffer = state.buffer;
    const wasEmpty = buffer.size === 0;
    buffer.push(record);
    if (wasEmpty) {
      this.send(buffer.shardId, { type: 'shardBuffer.recordsAdded' });
    } else if (!buffer.fullSignaled && (buffer.pendingBytes >= this.fullBytes || buffer.size >= this.fullCount)) {
      buffer.fullSignaled = true;
      this.send(buffer.shardId, { type: 'shardBuffer.full' });
    }
  }

  /**
   * Sends records back after a failed attempt with jittered backoff, or fails those out of time.
   * With `preserveOrder` the records of a shard share one backoff, drawn for the most tried of
   * them: they leave together, oldest first, ahead of anything newer of their shard.
   */
  retryOrFail(records: readonly UserRecord[], error: KinesisActorsError): void {
    const now = this.deps.clock.now();
    const { options } = this.deps;
    const byShard = new Map<ShardState | undefined, UserRecord[]>();
    for (const record of records) {
      if (record.settled) continue;
      record.lastError = error;
      if (options.failIfThrottled && error.code === 'THROTTLED') {
        this.deps.fail(record, error);
        continue;
      }
      const shard = this.map?.shardFor(record.hashKey);
      const state = shard && this.shards.get(shard.shardId);
      let list = byShard.get(state);
      if (!list) byShard.set(state, (list = []));
      list.push(record);
    }
    for (const [state, list] of byShard) {
      const shared = options.preserveOrder ? this.backoff(list.reduce((most, r) => Math.max(most, r.attempts), 0)) : undefined;
      const live = list.filter((record) => {
        record.notBefore = now + (shared ?? this.backoff(record.attempts));
        if (record.notBefore < record.deadline) return true;
        this.deps.fail(record, this.expired(record));
        return false;
      });
      if (live.length === 0) continue;
      if (!state) {
        for (const record of live) this.unrouted.push(record);
        continue;
      }
      state.buffer.requeue(live);
      this.send(state.buffer.shardId, { type: 'shardBuffer.recordsAdded' });
    }
  }

  private backoff(attempts: number): number {
    return jitteredBackoff(attempts, this.deps.options.retryBaseDelay, this.deps.options.retryMaxDelay);
  }

  /**
   * The error a record that outlived `recordTtl` fails with. Records that expire together came
   * from the same failed attempt (or were never sent), so they share one error, as rejections
   * under backpressure do: at overload tens of thousands of records expire within seconds, and
   * an Error with a captured stack each made the heap peak well above what is outstanding.
   */
  expired(record: UserRecord): KinesisActorsError {
    const last = this.lastExpiry;
    if (last !== undefined && last.cause === record.lastError && last.attempts === record.attempts) return last.error;
    const why = record.lastError
      ? `; last error: ${record.lastError.message}`
      : record.attempts === 0
        ? '; it was never sent: it waited in its shard buffer behind the rate limit or a request still in flight'
        : '';
    const error = releaseFrames(
      new KinesisActorsError(
        'RECORD_EXPIRED',
        `the record was not put within options.recordTtl (${this.deps.options.recordTtl} ms) after ${record.attempts} PutRecords attempts${why}`,
        { cause: record.lastError },
      ),
    );
    this.lastExpiry = { cause: record.lastError, attempts: record.attempts, error };
    return error;
  }

  /** Installs a new shard map: starts actors for new shards, re-routes the records of closed ones. */
  applyMap(map: ShardMap): void {
    this.map = map;
    const orphans = this.unrouted;
    this.unrouted = [];
    for (const shard of map.shards) {
      if (this.shards.has(shard.shardId)) continue;
      const state: ShardState = { buffer: new ShardBuffer(shard.shardId, this.deps.options.preserveOrder, this.chunks), limiter: this.newLimiter(), inFlight: undefined };
      this.shards.set(shard.shardId, state);
      this.deps.supervisor.spawn({
        id: `shardBuffer:${shard.shardId}`,
        create: () => this.createShardActor(state),
        onFailure: () => {
          if (state.inFlight) this.requeueBatch(state, state.inFlight);
        },
      });
    }
    for (const [shardId, state] of this.shards) {
      if (map.get(shardId)) continue;
      this.shards.delete(shardId);
      this.deps.supervisor.stop(`shardBuffer:${shardId}`);
      for (const record of state.buffer.drainAll()) orphans.push(record);
    }
    for (const record of orphans) this.route(record);
    // A flush asked for before these records had a shard covers them too.
    if (this.flushWhenRouted && orphans.length > 0) this.flushAll();
    this.flushWhenRouted = false;
  }

  private createShardActor(state: ShardState): AnyActorRef {
    const { options, clock } = this.deps;
    const actor = createActor(shardBufferMachine, {
      input: {
        shardId: state.buffer.shardId,
        cut: (force) => this.cut(state, force),
        flush: async (batch) => {
          state.inFlight = batch;
          try {
            await this.deps.flush(batch);
          } finally {
            if (state.inFlight === batch) state.inFlight = undefined;
          }
        },
        pending: () => state.buffer.size,
        dueIn: () => Math.max(0, (state.buffer.nextDueAt(options.recordMaxBufferedTime) ?? clock.now()) - clock.now()),
        draining: () => this.deps.draining(),
        requeue: (batch, error) => {
          this.deps.logger.warn({ err: error, shardId: state.buffer.shardId, userRecords: batch.userRecords }, 'shardBuffer.flushFailed');
          this.requeueBatch(state, batch);
          this.deps.flushFailed?.(state.buffer.shardId, batch.userRecords, error);
        },
        retryBaseDelay: options.retryBaseDelay,
        retryMaxDelay: options.retryMaxDelay,
        maxConsecutiveFailures: 5,
      },
      clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h) },
    });
    return actor;
  }

  private requeueBatch(state: ShardState, batch: Batch): void {
    if (batch.abandoned) return;
    batch.abandoned = true;
    if (state.inFlight === batch) state.inFlight = undefined;
    const records = batch.groups.flat().filter((r) => !r.settled);
    for (const record of records) record.notBefore = 0;
    state.buffer.requeue(records);
  }

  private cut(state: ShardState, force: boolean): Batch | undefined {
    const { buffer } = state;
    const now = this.deps.clock.now();
    if (buffer.size === 0) return undefined;
    if (!force && buffer.pendingBytes < this.fullBytes && buffer.size < this.fullCount) {
      const due = buffer.nextDueAt(this.deps.options.recordMaxBufferedTime);
      if (due === undefined || due > now) return undefined;
    }
    for (;;) {
      const batch = cutBatch(buffer, this.limits, now);
      if (!batch) return undefined;
      let expired = false;
      for (const group of batch.groups) {
        for (const record of group) {
          if (record.deadline <= now) {
            expired = true;
            this.deps.fail(record, this.expired(record));
          }
        }
      }
      if (!expired) return batch;
      // Rare: rebuild the batch from what is still live, so group sizes stay exact.
      const live = batch.groups.flat().filter((r) => !r.settled);
      if (live.length > 0) {
        for (const record of live) record.notBefore = 0;
        buffer.requeue(live);
      }
    }
  }

  private send(shardId: string, event: { type: 'shardBuffer.recordsAdded' | 'shardBuffer.full' | 'shardBuffer.flush' }): void {
    // Delivered after the current task: a full buffer makes the actor cut a batch, and that
    // work must not land inside the put() call that filled it.
    queueMicrotask(() => this.deps.supervisor.get(`shardBuffer:${shardId}`)?.send(event));
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

  /** Fails unrouted records whose time is up when no map can be loaded; `error` is why, their cause. */
  expireUnrouted(error: Error): void {
    const now = this.deps.clock.now();
    this.unrouted = this.unrouted.filter((record) => {
      if (record.settled) return false;
      record.lastError = error;
      if (record.deadline > now) return true;
      this.deps.fail(record, this.expired(record));
      return false;
    });
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
