import { assign, setup } from 'xstate';
import { KinesisActorsError } from '../errors.ts';
import { jitteredBackoff } from '../internal/backoff.ts';
import type { Batch } from './batch.ts';

/**
 * The buffer actor of one predicted shard. Records are appended to its {@link ShardBuffer} by
 * `put()` directly (an event per record would cost more than the rest of the hot path); the
 * actor hears only when the buffer turns non-empty, fills up, or must flush, and decides when to
 * cut a batch and hand it to the batch sender. One batch per shard is in flight at a time, and
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

/** The settings of one shard's buffer actor. @internal */
export interface ShardBufferInput {
  shardId: string;
  retryBaseDelay: number;
  retryMaxDelay: number;
  maxConsecutiveFailures: number;
}

export type ShardBufferEvent =
  | { type: 'shardBuffer.recordsAdded' }
  | { type: 'shardBuffer.full' }
  | { type: 'shardBuffer.flush' };

/** How the send the `startSend` action began ended: the actor sends these to itself. @internal */
export type ShardBufferSendEvent = { type: 'shardBuffer.sent' } | { type: 'shardBuffer.sendFailed'; error: unknown };

interface Context extends ShardBufferInput {
  batch: Batch | undefined;
  forced: boolean;
  failures: number;
}

/**
 * The buffer actor's logic without its implementations: `provide()` them per shard (see
 * `shard-actors.ts`): the `cutBatch` action (assigns the next batch, cut only if something is
 * due, the buffer is full, or `force`), the `startSend` action (sends the batch cut, then sends
 * the actor `shardBuffer.sent`, or `shardBuffer.sendFailed` when the sending broke), the
 * `requeueBatch` action (hands a broken batch's records back to the buffer), the `hasRecords`
 * guard and the `untilDue` delay. The send is an action reporting back rather than an invoked
 * promise actor: an actor made and started per batch cost the shard's actor five times more CPU
 * per batch than the rest of its cycle (`bench/shard-actor-cycle.ts`).
 */
export const shardBufferMachine = setup({
  types: {
    context: {} as Context,
    events: {} as ShardBufferEvent | ShardBufferSendEvent,
    input: {} as ShardBufferInput,
  },
  delays: {
    untilDue: 0,
    backoff: ({ context }) => jitteredBackoff(context.failures, context.retryBaseDelay, context.retryMaxDelay),
  },
  guards: {
    hasBatch: ({ context }) => context.batch !== undefined,
    hasRecords: () => false,
  },
  actions: {
    force: assign({ forced: true }),
    cutBatch: assign({ batch: undefined }),
    unforce: assign({ forced: false }),
    startSend: () => {
      throw new Error('startSend is not provided');
    },
    requeueBatch: (_, _params: { batch: Batch; error: unknown }) => {},
    failed: assign({ batch: undefined, failures: ({ context }) => context.failures + 1 }),
    escalateIfTooMany: ({ context }) => {
      if (context.failures <= context.maxConsecutiveFailures) return;
      throw new KinesisActorsError(
        'ACTOR_ESCALATED',
        `the batch sender of shard ${context.shardId} failed ${context.failures} times in a row`,
      );
    },
  },
}).createMachine({
  id: 'shardBuffer',
  context: ({ input }) => ({ ...input, batch: undefined, forced: false, failures: 0 }),
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
      entry: 'cutBatch',
      always: [
        { guard: 'hasBatch', target: 'flushing' },
        { guard: 'hasRecords', target: 'lingering', actions: 'unforce' },
        { target: 'idle', actions: 'unforce' },
      ],
    },
    flushing: {
      entry: 'startSend',
      on: {
        'shardBuffer.sent': { target: 'deciding', actions: assign({ batch: undefined, failures: 0 }) },
        'shardBuffer.sendFailed': {
          target: 'backingOff',
          actions: [{ type: 'requeueBatch', params: ({ context, event }) => ({ batch: context.batch!, error: event.error }) }, 'failed'],
        },
        'shardBuffer.flush': { actions: 'force' },
      },
    },
    backingOff: {
      entry: 'escalateIfTooMany',
      after: { backoff: 'deciding' },
      on: { 'shardBuffer.flush': { actions: 'force' } },
    },
  },
});
