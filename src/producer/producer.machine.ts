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

/** The settings of the producer root. @internal */
export interface ProducerRootInput {
  retryBaseDelay: number;
  retryMaxDelay: number;
}

export type ProducerRootEvent = { type: 'producer.refreshShardMap' };

/**
 * The root's logic without its implementations: `provide()` them (see `producer-actors.ts`): the
 * `loadShardMap` actor (loads the map of a version), the `applyMap` action (installs a map
 * loaded) and the `loadFailed` action (told of each failed load and its attempt number).
 */
export const producerRootMachine = setup({
  types: {
    context: {} as ProducerRootInput & { version: number; failures: number },
    events: {} as ProducerRootEvent,
    input: {} as ProducerRootInput,
  },
  actors: {
    loadShardMap: fromPromise<ShardMap, { version: number }>(() => Promise.reject(new Error('loadShardMap is not provided'))),
  },
  delays: {
    backoff: ({ context }) => jitteredBackoff(context.failures, context.retryBaseDelay, context.retryMaxDelay),
  },
  actions: {
    applyMap: (_, _params: { map: ShardMap }) => {},
    loadFailed: (_, _params: { error: unknown; attempt: number }) => {},
    loaded: assign({ failures: 0, version: ({ context }) => context.version + 1 }),
    failed: assign({ failures: ({ context }) => context.failures + 1 }),
  },
}).createMachine({
  id: 'producer',
  context: ({ input }) => ({ ...input, version: 1, failures: 0 }),
  initial: 'loading',
  states: {
    loading: {
      invoke: {
        src: 'loadShardMap',
        input: ({ context }) => ({ version: context.version }),
        onDone: { target: 'running', actions: [{ type: 'applyMap', params: ({ event }) => ({ map: event.output }) }, 'loaded'] },
        onError: { target: 'retrying', actions: [{ type: 'loadFailed', params: ({ context, event }) => ({ error: event.error, attempt: context.failures + 1 }) }, 'failed'] },
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
        input: ({ context }) => ({ version: context.version }),
        onDone: { target: 'running', actions: [{ type: 'applyMap', params: ({ event }) => ({ map: event.output }) }, 'loaded'] },
        onError: { target: 'retrying', actions: [{ type: 'loadFailed', params: ({ context, event }) => ({ error: event.error, attempt: context.failures + 1 }) }, 'failed'] },
      },
    },
  },
});
