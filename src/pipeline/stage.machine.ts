import { fromPromise, setup } from 'xstate';
import type { StageWorker } from './stage-worker.ts';

/**
 * The actor of one pipeline stage:
 *
 * ```
 *  ┌──────┐  a job is queued   ┌─────────┐
 *  │ idle │ ─────────────────▶ │ working │ ──▶ (fails: the supervisor restarts the actor)
 *  └──────┘ ◀───────────────── └─────────┘
 *             job done: output handed on
 * ```
 * Allowed transitions: idle→working when the worker's queue has a job (on entry to idle or on
 * `stage.wake`); working→idle when the stage returned. A throwing stage crashes the actor; the
 * job stays at the head of the queue, so the restarted actor runs it again.
 * @internal
 */
export type StageEvent = { type: 'stage.wake' };

/** The machine drawn above, running the jobs of `worker` and handing each output on. @internal */
export function createStageMachine<Meta>(worker: StageWorker<Meta>, handOn: (output: unknown[]) => void) {
  return setup({
    types: { events: {} as StageEvent },
    actors: { run: fromPromise<unknown[]>(() => worker.runHead()) },
    guards: { hasJob: () => worker.queue.length > 0 },
  }).createMachine({
    id: 'stage',
    initial: 'idle',
    states: {
      idle: {
        always: { guard: 'hasJob', target: 'working' },
        on: { 'stage.wake': { guard: 'hasJob', target: 'working' } },
      },
      working: {
        invoke: {
          src: 'run',
          onDone: { target: 'idle', actions: ({ event }) => handOn(event.output) },
          onError: { actions: ({ event }) => { throw event.error; } },
        },
      },
    },
  });
}
