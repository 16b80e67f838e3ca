import type { Clock } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import { KinesisActorsError } from '../errors.ts';
import { jitteredBackoff } from '../internal/backoff.ts';

/** How a supervisor reacts to a failed child (Akka's restart strategy with a cap per window). */
export interface SupervisionStrategy {
  /** First restart delay; doubles per restart inside the window, with jitter. @defaultValue 100 */
  minBackoffMs: number;
  /** Largest restart delay. @defaultValue 5000 */
  maxBackoffMs: number;
  /** Restarts allowed inside `withinMs` before the failure escalates. @defaultValue 10 */
  maxRestarts: number;
  /** Length of the restart-counting window. @defaultValue 60000 */
  withinMs: number;
}

/** The strategy a supervisor uses for what its options leave out: 100 ms to 5 s, 10 restarts a minute. */
export const defaultSupervisionStrategy: SupervisionStrategy = Object.freeze({
  minBackoffMs: 100,
  maxBackoffMs: 5000,
  maxRestarts: 10,
  withinMs: 60_000,
});

/**
 * What the supervisor needs of an actor; any xstate `createActor(...)` result is one. Kept
 * structural so that the package's declarations do not pull in xstate's.
 */
export interface SupervisedActor {
  start(): unknown;
  stop(): unknown;
  subscribe(observer: { error?: (error: unknown) => void }): { unsubscribe(): void };
}

/** A supervised child: how to create it, and what to do before a restart (re-queue its work). */
export interface ChildSpec<A extends SupervisedActor = SupervisedActor> {
  id: string;
  /** Creates the actor without starting it: the supervisor subscribes first, then starts it. */
  create(): A;
  /** Runs after the child failed and before its replacement starts: hand back what it held. */
  onFailure?(error: unknown): void;
  /** This child's own restart policy, over the supervisor's. */
  strategy?: SupervisionStrategy;
}

interface Child<A extends SupervisedActor> {
  spec: ChildSpec<A>;
  actor: A;
  restarts: number[];
  timer: unknown;
  unsubscribe: () => void;
}

/**
 * Restarts failed xstate actors with jittered backoff, caps restarts per window, then escalates.
 * xstate v5 only moves a failed actor to its error state; this is the missing strategy.
 */
export class Supervisor<A extends SupervisedActor = SupervisedActor> {
  private readonly children = new Map<string, Child<A>>();
  private stopped = false;

  constructor(
    private readonly options: {
      clock: Clock;
      logger: Logger;
      strategy?: SupervisionStrategy;
      /** Called when a child failed more often than the strategy allows. */
      onEscalate(id: string, error: unknown): void;
      /** Called on every restart, for metrics and instrumentation. */
      onRestart?(id: string, error: unknown, attempt: number): void;
    },
  ) {}

  /** Starts a child under supervision and returns its actor. */
  spawn(spec: ChildSpec<A>): A {
    if (this.children.has(spec.id)) throw new Error(`child ${spec.id} is already supervised`);
    const child: Child<A> = { spec, actor: undefined as never, restarts: [], timer: undefined, unsubscribe: () => {} };
    this.children.set(spec.id, child);
    this.startChild(child);
    return child.actor;
  }

  /** The current actor of a child (a restart replaces it). */
  get(id: string): A | undefined {
    return this.children.get(id)?.actor;
  }

  has(id: string): boolean {
    return this.children.has(id);
  }

  ids(): string[] {
    return [...this.children.keys()];
  }

  /** Stops one child and forgets it. */
  stop(id: string): void {
    const child = this.children.get(id);
    if (!child) return;
    this.children.delete(id);
    this.options.clock.clearTimeout(child.timer);
    child.unsubscribe();
    child.actor.stop();
  }

  /** Stops every child; further failures are ignored. Idempotent. */
  stopAll(): void {
    this.stopped = true;
    for (const id of this.ids()) this.stop(id);
  }

  private startChild(child: Child<A>): void {
    const actor = child.spec.create();
    child.actor = actor;
    const subscription = actor.subscribe({ error: (error: unknown) => this.failed(child, actor, error) });
    child.unsubscribe = () => subscription.unsubscribe();
    actor.start();
  }

  private failed(child: Child<A>, actor: A, error: unknown): void {
    if (this.stopped || this.children.get(child.spec.id) !== child || child.actor !== actor) return;
    const { clock, logger } = this.options;
    const strategy = child.spec.strategy ?? this.options.strategy ?? defaultSupervisionStrategy;
    const now = clock.now();
    child.restarts = child.restarts.filter((t) => now - t < strategy.withinMs);
    child.restarts.push(now);
    try {
      child.spec.onFailure?.(error);
    } catch (handoverError) {
      logger.error({ err: handoverError, child: child.spec.id }, 'supervisor.handoverFailed');
    }
    if (child.restarts.length > strategy.maxRestarts) {
      logger.error({ err: error, child: child.spec.id }, 'supervisor.escalate');
      this.children.delete(child.spec.id);
      this.options.onEscalate(
        child.spec.id,
        new KinesisActorsError('ACTOR_ESCALATED', `actor ${child.spec.id} failed ${child.restarts.length} times within ${strategy.withinMs} ms`, { cause: error }),
      );
      return;
    }
    const attempt = child.restarts.length;
    const delay = jitteredBackoff(attempt, strategy.minBackoffMs, strategy.maxBackoffMs);
    logger.warn({ err: error, child: child.spec.id, attempt, delayMs: delay }, 'supervisor.restart');
    this.options.onRestart?.(child.spec.id, error, attempt);
    child.timer = clock.setTimeout(() => {
      if (this.stopped || this.children.get(child.spec.id) !== child) return;
      this.startChild(child);
    }, delay);
  }
}
