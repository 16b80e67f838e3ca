import { assign, fromPromise, setup } from 'xstate';
import { KinesisActorsError } from '../errors.ts';
import { jitteredBackoff } from '../internal/backoff.ts';
import type { Batch } from './batch.ts';

/**
 * The buffer actor of one predicted shard. Records are appended to its {@link ShardBuffer} by
 * `put()` directly (an event per record would cost more than the rest of the hot path); the
 * actor hears only when the buffer turns non-empty, fills up, or must flush, and decides when to
 * cut a batch and hand it to the flush stage. One batch per shard is in flight at a time, and
 * (with `preserveOrder`) while the shard's failed records wait out their backoff the buffer
 * has nothing due, so the actor lingers until the retry goes out first: records of a partition
 * key stay in order.
 *
 * ```
 *                 recordsAdded | full | flush
 *   ┌──────┐ ──────────────────────────────────▶ ┌──────────┐  batch cut   ┌──────────┐
 *   │ idle │ ◀──────────── empty ─────────────── │ deciding │ ───────────▶ │ flushing │
 *   └──────┘                                     └──────────┘ ◀── done ─── └──────────┘
 *                  ┌───────────┐  due | full | flush  ▲  │ records,           │ error: batch
 *                  │ lingering │ ─────────────────────┘  │ none due           ▼ re-queued
 *                  └───────────┘ ◀──────────────────────┘              ┌────────────┐
 *                                                  deciding ◀─ backoff ─│ backingOff │
 *                                                                       └────────────┘
 * ```
 * Allowed transitions: idle→deciding; lingering→deciding; lingering→lingering (re-queued
 * records may be due sooner); deciding→flushing|lingering|idle; flushing→deciding|backingOff;
 * backingOff→deciding. In backingOff, more consecutive failures than `maxConsecutiveFailures`
 * crash the actor, and its supervisor restarts it.
 */

/** What the buffer actor drives; implemented by the producer's shard router. @internal */
export interface ShardBufferDeps {
  shardId: string;
  /** Cuts the next batch; unless `force`, only if something is due or the buffer is full. */
  cut(force: boolean): Batch | undefined;
  /** The flush stage; rejects only when the stage broke. */
  flush(batch: Batch): Promise<void>;
  /** Records waiting (new or retries). */
  pending(): number;
  /** Milliseconds until the next record is due, 0 if one is due now. */
  dueIn(): number;
  /** True while the producer drains: everything goes out without lingering. */
  draining(): boolean;
  /** Hands the records of a batch whose flush broke back to the buffer. */
  requeue(batch: Batch, error: unknown): void;
  retryBaseDelay: number;
  retryMaxDelay: number;
  maxConsecutiveFailures: number;
}

export type ShardBufferEvent =
  | { type: 'shardBuffer.recordsAdded' }
  | { type: 'shardBuffer.full' }
  | { type: 'shardBuffer.flush' };

interface Context {
  deps: ShardBufferDeps;
  batch: Batch | undefined;
  forced: boolean;
  failures: number;
}

export const shardBufferMachine = setup({
  types: {
    context: {} as Context,
    events: {} as ShardBufferEvent,
    input: {} as ShardBufferDeps,
  },
  actors: {
    flushBatch: fromPromise<void, { batch: Batch; flush: (batch: Batch) => Promise<void> }>(({ input }) => {
      // Called without a receiver: an error created during the flush captures its async frames
      // with their receivers, and `input` as one would keep the whole batch alive with it.
      const { flush, batch } = input;
      return flush(batch);
    }),
  },
  delays: {
    untilDue: ({ context }) => context.deps.dueIn(),
    backoff: ({ context }) => jitteredBackoff(context.failures, context.deps.retryBaseDelay, context.deps.retryMaxDelay),
  },
  guards: {
    hasBatch: ({ context }) => context.batch !== undefined,
    hasRecords: ({ context }) => context.deps.pending() > 0,
  },
  actions: {
    force: assign({ forced: true }),
    cut: assign({ batch: ({ context }) => context.deps.cut(context.forced || context.deps.draining()) }),
    unforce: assign({ forced: false }),
    requeue: assign({
      failures: ({ context }) => context.failures + 1,
      batch: ({ context, event }) => {
        context.deps.requeue(context.batch!, (event as { error?: unknown }).error);
        return undefined;
      },
    }),
    escalateIfTooMany: ({ context }) => {
      if (context.failures <= context.deps.maxConsecutiveFailures) return;
      throw new KinesisActorsError(
        'ACTOR_ESCALATED',
        `the flush stage of shard ${context.deps.shardId} failed ${context.failures} times in a row`,
      );
    },
  },
}).createMachine({
  id: 'shardBuffer',
  context: ({ input }) => ({ deps: input, batch: undefined, forced: false, failures: 0 }),
  initial: 'deciding',
  states: {
    idle: {
      on: {
        'shardBuffer.recordsAdded': 'deciding',
        'shardBuffer.full': 'deciding',
        'shardBuffer.flush': { target: 'deciding', actions: 'force' },
      },
    },
    lingering: {
      after: { untilDue: 'deciding' },
      on: {
        'shardBuffer.recordsAdded': { target: 'lingering', reenter: true },
        'shardBuffer.full': 'deciding',
        'shardBuffer.flush': { target: 'deciding', actions: 'force' },
      },
    },
    deciding: {
      entry: 'cut',
      always: [
        { guard: 'hasBatch', target: 'flushing' },
        { guard: 'hasRecords', target: 'lingering', actions: 'unforce' },
        { target: 'idle', actions: 'unforce' },
      ],
    },
    flushing: {
      invoke: {
        src: 'flushBatch',
        input: ({ context }) => ({ batch: context.batch!, flush: context.deps.flush }),
        onDone: { target: 'deciding', actions: assign({ batch: undefined, failures: 0 }) },
        onError: { target: 'backingOff', actions: 'requeue' },
      },
      on: { 'shardBuffer.flush': { actions: 'force' } },
    },
    backingOff: {
      entry: 'escalateIfTooMany',
      after: { backoff: 'deciding' },
      on: { 'shardBuffer.flush': { actions: 'force' } },
    },
  },
});
