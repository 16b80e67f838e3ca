import { fromPromise, setup } from 'xstate';

/**
 * The reading loop of a file tail agent:
 *
 * ```
 *  ┌─────────┐ after pollIntervalMs ┌─────────┐
 *  │ waiting │ ───────────────────▶ │ polling │ ──▶ (fails: the supervisor restarts the loop)
 *  └─────────┘ ◀─────────────────── └─────────┘
 *                  poll done
 * ```
 * Allowed transitions: waiting→polling when the timer fires; polling→waiting when a poll
 * (scan, read, put) resolves. A throwing poll crashes the actor; positions live in the agent,
 * so the restarted loop goes on from the last line read.
 * @internal
 */
export function createPollMachine(poll: () => Promise<void>, wait: (ms: number, wake: () => void) => () => void, intervalMs: number) {
  return setup({
    actors: {
      poll: fromPromise(() => poll()),
      timer: fromPromise<void>(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', wait(intervalMs, resolve), { once: true }))),
    },
  }).createMachine({
    id: 'fileTail',
    initial: 'polling',
    states: {
      waiting: { invoke: { src: 'timer', onDone: 'polling' } },
      polling: {
        invoke: {
          src: 'poll',
          onDone: 'waiting',
          onError: { actions: ({ event }) => { throw event.error; } },
        },
      },
    },
  });
}
