import { InvalidOptionError } from '../errors.ts';
import type { Stage } from './stage.ts';

/** A stage with its types erased, as the pipeline holds and runs it. */
export type AnyStage = Stage<unknown, unknown, unknown>;

/**
 * An ordered chain of stages from `In` to `Out`, built one `pipe` at a time so each stage's
 * input type is checked against the previous stage's output.
 *
 * @example
 * const chain = Pipeline.from<ConsumerRecord>().pipe(parseJson()).pipe(dropWhen((e) => e.value.path === '/favicon.ico'));
 */
export class Pipeline<In, Out> {
  private constructor(readonly stages: readonly AnyStage[]) {}

  /** An empty pipeline whose input type is `T`. */
  static from<T>(): Pipeline<T, T> {
    return new Pipeline<T, T>([]);
  }

  /** A new pipeline with `stage` appended; names must be unique. */
  pipe<Next, State = never>(stage: Stage<Out, Next, State>): Pipeline<In, Next> {
    if (stage === null || typeof stage !== 'object' || typeof stage.create !== 'function') {
      throw new InvalidOptionError('stage', 'must be a stage (see defineStage)', stage);
    }
    if (this.stages.some((s) => s.name === stage.name)) {
      throw new InvalidOptionError('stage.name', `must be unique in a pipeline; "${stage.name}" is already in it`, stage.name);
    }
    return new Pipeline<In, Next>([...this.stages, stage as unknown as AnyStage]);
  }
}
