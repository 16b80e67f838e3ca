import { fromPromise, setup, assign } from 'xstate';
import { jitteredBackoff } from '../internal/backoff.ts';
import type { ShardMap } from './shard-map.ts';

/**
 * The producer root: owns the shard map. It loads the map at start, reloads it when a put lands
 * on an unexpected shard (a reshard), and retries ListShards with backoff while it fails.
 *
 * ```
 *   ┌─────────┐  map   ┌─────────┐  refresh   ┌────────────┐
 *   │ loading │ ─────▶ │ running │ ─────────▶ │ refreshing │
 *   └─────────┘        └─────────┘ ◀── map ── └────────────┘
 *     ▲     │ error                                 │ error
 *     │     ▼                                       │
 *   ┌──────────┐ ◀──────────────────────────────────┘
 *   │ retrying │ ── backoff ──▶ loading
 *   └──────────┘
 * ```
 * Allowed transitions: loading→running|retrying; running→refreshing; refreshing→running|retrying;
 * retrying→loading.
 */

/** What the root drives; implemented by the producer. @internal */
export interface ProducerRootDeps {
  load(version: number): Promise<ShardMap>;
  apply(map: ShardMap): void;
  loadFailed(error: unknown, attempt: number): void;
  retryBaseDelay: number;
  retryMaxDelay: number;
}

export type ProducerRootEvent = { type: 'producer.refreshShardMap' };

export const producerRootMachine = setup({
  types: {
    context: {} as { deps: ProducerRootDeps; version: number; failures: number },
    events: {} as ProducerRootEvent,
    input: {} as ProducerRootDeps,
  },
  actors: {
    loadShardMap: fromPromise<ShardMap, { deps: ProducerRootDeps; version: number }>(({ input }) =>
      input.deps.load(input.version),
    ),
  },
  delays: {
    backoff: ({ context }) => jitteredBackoff(context.failures, context.deps.retryBaseDelay, context.deps.retryMaxDelay),
  },
  actions: {
    apply: assign({
      failures: 0,
      version: ({ context, event }) => {
        context.deps.apply((event as unknown as { output: ShardMap }).output);
        return context.version + 1;
      },
    }),
    failed: assign({
      failures: ({ context, event }) => {
        context.deps.loadFailed((event as unknown as { error: unknown }).error, context.failures + 1);
        return context.failures + 1;
      },
    }),
  },
}).createMachine({
  id: 'producer',
  context: ({ input }) => ({ deps: input, version: 1, failures: 0 }),
  initial: 'loading',
  states: {
    loading: {
      invoke: {
        src: 'loadShardMap',
        input: ({ context }) => ({ deps: context.deps, version: context.version }),
        onDone: { target: 'running', actions: 'apply' },
        onError: { target: 'retrying', actions: 'failed' },
      },
    },
    retrying: {
      after: { backoff: 'loading' },
    },
    running: {
      on: { 'producer.refreshShardMap': 'refreshing' },
    },
    refreshing: {
      invoke: {
        src: 'loadShardMap',
        input: ({ context }) => ({ deps: context.deps, version: context.version }),
        onDone: { target: 'running', actions: 'apply' },
        onError: { target: 'retrying', actions: 'failed' },
      },
    },
  },
});
