import { createActor, toPromise, type AnyActorLogic } from 'xstate';
import { defineStage, type Stage } from './stage.ts';

/** What an xstate stage logic is given for each batch. */
export interface StageLogicInput<In, State> {
  items: readonly In[];
  /** The state its last run returned (restored from the checkpoint after a restart). */
  state: State | undefined;
  shardId: string | undefined;
  /** The pipeline clock's time. */
  now: number;
}

/** What an xstate stage logic must output when it is done with a batch. */
export interface StageLogicOutput<Out, State> {
  items: readonly Out[];
  /** The new state, checkpointed with the batch; omit to keep the previous one. */
  state?: State;
}

/**
 * An xstate `ActorLogic` whose input is a {@link StageLogicInput}: a `fromPromise`, a machine.
 * Written structurally so that the package's declarations do not pull in xstate's.
 */
export interface StageLogic<In, State> {
  transition: (...args: any[]) => unknown;
  getInitialSnapshot: (actorScope: any, input: StageLogicInput<In, State>) => unknown;
}

/**
 * A stage from any xstate `ActorLogic` — a `fromPromise`, or a machine with a final state's
 * `output` — run once per batch as a child actor. Its error crashes the stage actor like a
 * throwing `process` would, so the framework's supervision applies.
 *
 * @example
 * const enrich = stageFromLogic<StreamItem, StreamItem, never>('enrich',
 *   fromPromise(async ({ input }) => ({ items: await Promise.all(input.items.map(addGeo)) })));
 */
export function stageFromLogic<In, Out, State = never>(
  name: string,
  logic: StageLogic<In, State>,
): Stage<In, Out, State> {
  return defineStage<In, Out, State>({
    name,
    create: ({ shardId, clock }) => {
      let state: State | undefined;
      return {
        async process(items) {
          const input: StageLogicInput<In, State> = { items, state, shardId, now: clock.now() };
          const actor = createActor(logic as unknown as AnyActorLogic, { input });
          const done = toPromise(actor);
          actor.start();
          const output = (await done) as StageLogicOutput<Out, State>;
          if ('state' in output) state = output.state;
          return output.items;
        },
        snapshot: () => state as State,
        restore: (restored) => {
          state = restored;
        },
      };
    },
  });
}
