import { assign, fromPromise, setup } from 'xstate';

/**
 * The consumer of one leased shard, in the KCL's states:
 *
 * ```
 *  ┌──────────────────┐ parents at SHARD_END ┌──────────────┐       ┌────────────┐
 *  │ waitingOnParents │ ───────────────────▶ │ initializing │ ────▶ │ processing │
 *  └──────────────────┘                      └──────────────┘       └────────────┘
 *           │ shard already ended                            shutdown │     │ shard ended, lease lost
 *           ▼                                                         ▼     ▼
 *       ┌──────┐ ◀──────────── ┌──────────────┐ ◀──────── ┌───────────────────┐
 *       │ done │               │ shuttingDown │           │ shutdownRequested │
 *       └──────┘               └──────────────┘ ◀─────────└───────────────────┘
 * ```
 * Allowed transitions: waitingOnParents→initializing|done|shuttingDown;
 * initializing→processing|shuttingDown; processing→shutdownRequested (drain: the batch in
 * flight finishes, then the processor checkpoints) | shuttingDown (shard ended: the processor
 * must checkpoint SHARD_END; lease lost: it must not checkpoint); shutdownRequested→shuttingDown;
 * shuttingDown→done. A drain before processing goes straight to shuttingDown. A failing step
 * crashes the actor; its supervisor restarts it from the lease's checkpoint.
 */

/** Why a shard consumer stopped: a drain or close, the end of its shard, or the loss of its lease. */
export type ShutdownReason = 'requested' | 'shardEnded' | 'leaseLost';

/** What the consumer tells a running shard consumer: drain, or stop at once because the lease is gone. */
export type ShardConsumerEvent = { type: 'shardConsumer.shutdown' } | { type: 'shardConsumer.leaseLost' };

/** The work of one shard consumer, step by step (`ShardConsumerSteps`); {@link shardConsumerLogic} gives it to the machine. */
export interface ShardConsumerWork {
  /** False when the shard itself is already done. */
  waitForParents(signal: AbortSignal): Promise<boolean>;
  initialize(): Promise<void>;
  process(signal: AbortSignal): Promise<'shardEnded' | 'stopped'>;
  shutdownRequested(): Promise<void>;
  shardEnded(): Promise<void>;
  leaseLost(): Promise<void>;
}

interface Context {
  /** Stops fetching (drain or lease lost); the batch in flight still finishes. */
  stop: AbortController;
  reason: ShutdownReason;
  loop: Promise<'shardEnded' | 'stopped'> | undefined;
}

function notProvided(): never {
  throw new Error('the shard consumer machine runs with the implementations of shardConsumerLogic()');
}

const shardConsumerMachine = setup({
  types: {
    context: {} as Context,
    events: {} as ShardConsumerEvent,
    output: {} as { reason: ShutdownReason },
  },
  actors: {
    waitForParents: fromPromise<boolean, Context>(notProvided),
    initialize: fromPromise<void, Context>(notProvided),
    awaitLoop: fromPromise<'shardEnded' | 'stopped', Context>(({ input }) => input.loop!),
    finishDrain: fromPromise<void, Context>(notProvided),
    shutDown: fromPromise<void, Context>(notProvided),
  },
  actions: {
    stopFetching: ({ context }) => context.stop.abort(),
    startLoop: assign({ loop: notProvided }),
  },
}).createMachine({
  id: 'shardConsumer',
  context: () => ({ stop: new AbortController(), reason: 'requested', loop: undefined }),
  initial: 'waitingOnParents',
  on: {
    'shardConsumer.leaseLost': { target: '.shuttingDown', actions: [assign({ reason: 'leaseLost' }), 'stopFetching'] },
  },
  states: {
    waitingOnParents: {
      invoke: {
        src: 'waitForParents',
        input: ({ context }) => context,
        onDone: [{ guard: ({ event }) => event.output === false, target: 'done' }, { target: 'initializing' }],
        onError: { actions: ({ event }) => { throw event.error; } },
      },
      on: { 'shardConsumer.shutdown': { target: 'shuttingDown', actions: 'stopFetching' } },
    },
    initializing: {
      invoke: {
        src: 'initialize',
        input: ({ context }) => context,
        onDone: 'processing',
        onError: { actions: ({ event }) => { throw event.error; } },
      },
      on: { 'shardConsumer.shutdown': { target: 'shuttingDown', actions: 'stopFetching' } },
    },
    processing: {
      entry: 'startLoop',
      invoke: {
        src: 'awaitLoop',
        input: ({ context }) => context,
        onDone: { target: 'shuttingDown', actions: assign({ reason: ({ event }) => (event.output === 'shardEnded' ? 'shardEnded' : 'requested') }) },
        onError: { actions: ({ event }) => { throw event.error; } },
      },
      on: { 'shardConsumer.shutdown': { target: 'shutdownRequested', actions: 'stopFetching' } },
    },
    shutdownRequested: {
      invoke: {
        src: 'finishDrain',
        input: ({ context }) => context,
        onDone: 'shuttingDown',
        onError: { actions: ({ event }) => { throw event.error; } },
      },
    },
    shuttingDown: {
      invoke: {
        src: 'shutDown',
        input: ({ context }) => context,
        onDone: 'done',
        onError: { actions: ({ event }) => { throw event.error; } },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ reason: context.reason }),
});

/** The actor logic of a shard consumer. */
export type ShardConsumerLogic = typeof shardConsumerMachine;

/** The shard consumer machine running `work`; each actor it creates gets its own steps. */
export function shardConsumerLogic(work: ShardConsumerWork): ShardConsumerLogic {
  return shardConsumerMachine.provide({
    actors: {
      waitForParents: fromPromise<boolean, Context>(({ input }) => work.waitForParents(input.stop.signal)),
      initialize: fromPromise<void, Context>(() => work.initialize()),
      finishDrain: fromPromise<void, Context>(async ({ input }) => {
        await input.loop;
        await work.shutdownRequested();
      }),
      shutDown: fromPromise<void, Context>(async ({ input }) => {
        if (input.reason === 'shardEnded') {
          await work.shardEnded();
        } else if (input.reason === 'leaseLost') {
          // The batch in flight ends first (its checkpoint is refused); then the processor hears of the loss.
          await input.loop?.catch(() => {});
          await work.leaseLost();
        }
      }),
    },
    actions: {
      startLoop: assign({
        loop: ({ context }) => {
          const loop = work.process(context.stop.signal);
          // Marked handled here: after a lease loss nothing awaits it as an invoke any more.
          loop.catch(() => {});
          return loop;
        },
      }),
    },
  });
}
