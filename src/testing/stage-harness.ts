import type { Clock } from '../internal/clock.ts';
import { resolveLogger, silentLogger, type LoggerOption } from '../internal/logger.ts';
import type { FlushReason, Hold, Stage, StageBatchContext, StageHandler } from '../pipeline/stage.ts';
import { SimulatedClock } from './simulated-clock.ts';

/** One call's result: what the stage emitted and how many holds it took. */
export interface StageCallResult<Out> {
  output: Out[];
  holds: Hold[];
}

/** Drives one stage instance by hand, as the pipeline would, for unit tests of custom stages. */
export interface StageHarness<In, Out, State> {
  readonly handler: StageHandler<In, Out, State>;
  readonly clock: Clock;
  process(items: readonly In[]): Promise<StageCallResult<Out>>;
  tick(now?: number): Promise<StageCallResult<Out>>;
  /** Calls `flush` as a pipeline draining for `reason` would. @defaultValue 'close' */
  flush(reason?: FlushReason): Promise<StageCallResult<Out>>;
  /** The stage's state as it would be checkpointed now, through a JSON round trip. */
  snapshot(): State | undefined;
  /** Holds taken and neither released nor failed yet. */
  openHolds(): number;
  /** Errors passed to `Hold.fail`. */
  readonly failures: unknown[];
  /** Aborts the signal and closes the instance. */
  close(): Promise<void>;
}

/**
 * Creates one instance of `stage` (restored from `state` when given) on a simulated clock.
 *
 * @example
 * const h = stageHarness(myStage);
 * expect((await h.process([item])).output).toEqual([expected]);
 */
export function stageHarness<In, Out, State = never>(
  stage: Stage<In, Out, State>,
  options: { clock?: Clock; shardId?: string; state?: State; logger?: LoggerOption } = {},
): StageHarness<In, Out, State> {
  const clock = options.clock ?? new SimulatedClock(Date.UTC(2026, 0, 1));
  const abort = new AbortController();
  const base = { stage: stage.name, shardId: options.shardId, logger: resolveLogger(options.logger) ?? silentLogger(), clock, signal: abort.signal };
  const handler = stage.create(base);
  if (options.state !== undefined) handler.restore?.(JSON.parse(JSON.stringify(options.state)) as State);
  const failures: unknown[] = [];
  let open = 0;

  const call = async (run: (ctx: StageBatchContext) => readonly Out[] | Promise<readonly Out[]>, flushReason?: FlushReason): Promise<StageCallResult<Out>> => {
    const holds: Hold[] = [];
    const ctx: StageBatchContext = {
      ...base,
      flushReason,
      hold() {
        let done = false;
        open++;
        const hold: Hold = {
          release: () => {
            if (!done) (done = true), open--;
          },
          fail: (error) => {
            if (!done) (done = true), open--, failures.push(error);
          },
        };
        holds.push(hold);
        return hold;
      },
    };
    const output = [...(await run(ctx))];
    return { output, holds };
  };

  return {
    handler,
    clock,
    failures,
    process: (items) => call((ctx) => handler.process(items, ctx)),
    tick: (now) => call((ctx) => handler.tick?.(now ?? clock.now(), ctx) ?? []),
    flush: (reason = 'close') => call((ctx) => handler.flush?.(ctx) ?? [], reason),
    snapshot: () => {
      const state = handler.snapshot?.();
      return state === undefined ? undefined : (JSON.parse(JSON.stringify(state)) as State);
    },
    openHolds: () => open,
    close: async () => {
      abort.abort();
      await handler.close?.();
    },
  };
}
