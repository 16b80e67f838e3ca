import type { Clock } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import type { SupervisionStrategy } from '../supervision/supervisor.ts';
import { InvalidOptionError } from '../errors.ts';
import type { DeliveryMetrics } from './pipeline-telemetry.ts';

/** What every instance of a stage can use. */
export interface StageContext {
  /** The stage's name, unique in its pipeline. */
  readonly stage: string;
  /** The shard this instance serves on the consumer side; undefined on the producer side. */
  readonly shardId: string | undefined;
  /** A child logger with `{ stage, shardId }` bound. */
  readonly logger: Logger;
  readonly clock: Clock;
  /** Aborted when the pipeline stops: the lease was lost or the pipeline closed. */
  readonly signal: AbortSignal;
  /** Where a sink reports each delivery (OpenTelemetry instruments `Sink.*`); absent outside a pipeline. */
  readonly deliveries?: DeliveryMetrics | undefined;
}

/** Keeps the batch being processed from completing until it is released. */
export interface Hold {
  /** The records are done (e.g. durably written): the batch may complete. */
  release(): void;
  /** The records cannot be done: the pipeline fails and resumes from its last checkpoint. */
  fail(error: unknown): void;
}

/**
 * Why a pipeline drains: its worker is shutting down and another will take the shard
 * ('drain'), the shard ended ('shardEnd'), or the pipeline closed for good ('close').
 */
export type FlushReason = 'drain' | 'shardEnd' | 'close';

/** The context of one `process`, `tick` or `flush` call. */
export interface StageBatchContext extends StageContext {
  /** Set during `flush`: why the pipeline drains. State kept for the next owner need not be emitted on 'drain'. */
  readonly flushReason?: FlushReason;
  /**
   * Delays the completion of this batch, and so every checkpoint at or after it, until the
   * hold is released. A sink takes one per batch it buffers and releases it once the object
   * holding those records is durable.
   */
  hold(): Hold;
}

/**
 * One instance of a stage: one per shard lease on the consumer side, one per pipeline on the
 * producer side. The pipeline calls it one batch at a time, in order; outputs go to the next
 * stage as one batch.
 */
export interface StageHandler<In, Out, State = never> {
  /**
   * Turns a batch into zero, one or many records for the next stage. Throwing fails the
   * stage's actor: it is recreated (with `restore` of its last state) after a backoff and the
   * batch is given again; past the supervision cap the pipeline fails.
   */
  process(items: readonly In[], ctx: StageBatchContext): readonly Out[] | Promise<readonly Out[]>;
  /** Called every `tickIntervalMs` while the pipeline runs: emit what time has closed (windows). */
  tick?(now: number, ctx: StageBatchContext): readonly Out[] | Promise<readonly Out[]>;
  /**
   * The pipeline drains (shutdown, shard end, close): write out everything buffered, and emit
   * what must not wait. `ctx.flushReason` says why; on 'drain' the state is checkpointed and the
   * next owner of the shard restores it, so open windows may stay open.
   */
  flush?(ctx: StageBatchContext): readonly Out[] | Promise<readonly Out[]>;
  /**
   * State to checkpoint with the batch just processed; must survive `JSON.stringify`. Taken
   * after every `process`, `tick` and `flush`, and handed to `restore` after a restart.
   */
  snapshot?(): State;
  /** Called once, before the first batch, with the state of the last checkpoint (if any). */
  restore?(state: State): void;
  /** Frees timers, files and connections. Called once, when the instance is replaced or stopped. */
  close?(): void | Promise<void>;
}

/**
 * A custom actor of a pipeline: a name and a factory of per-shard instances. Each instance runs
 * inside a supervised actor of the framework (restart with backoff, cap, escalate).
 *
 * @example
 * const upper = defineStage<StreamItem<string>, StreamItem<string>>({
 *   name: 'upper',
 *   create: () => ({ process: (items) => items.map((i) => ({ ...i, value: i.value.toUpperCase() })) }),
 * });
 */
export interface Stage<In, Out, State = never> {
  readonly name: string;
  create(ctx: StageContext): StageHandler<In, Out, State>;
  /** Restart policy of this stage's actor. @defaultValue the framework's default strategy */
  readonly supervision?: Partial<SupervisionStrategy>;
}

/** Checks a stage definition and returns it frozen. */
export function defineStage<In, Out, State = never>(stage: Stage<In, Out, State>): Stage<In, Out, State> {
  if (stage === null || typeof stage !== 'object') throw new InvalidOptionError('stage', 'must be an object with name and create', stage);
  if (typeof stage.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(stage.name)) {
    throw new InvalidOptionError('stage.name', 'must be 1–64 characters of A-Z, a-z, 0-9, _ . -', stage.name);
  }
  if (typeof stage.create !== 'function') throw new InvalidOptionError('stage.create', 'must be a function that returns a stage handler', stage.create);
  return Object.freeze({ ...stage });
}
