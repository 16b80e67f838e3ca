import { sleepUnlessAborted, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import type { Logger } from '../internal/logger.ts';
import { jitteredBackoff } from '../internal/backoff.ts';

/**
 * The steps of a consumer worker's initialization, in the order they run: the lease table is
 * created or checked, the stream's shards are listed into leases, the enhanced fan-out consumer
 * is registered (with fan-out), the first taker round runs.
 */
export type InitializationStep = 'leaseTable' | 'shardSync' | 'streamConsumer' | 'leaseTaking';

/**
 * `consumer.start()` gave up: a step kept failing with errors that may pass (a 5xx, throttling,
 * a reset connection) until the attempts were spent. (A consumer closed meanwhile ends its
 * initialization with this error too, internally; its `start()` then resolves.)
 * `step` names the step, `attempts` the failed tries, `cause` the last failure. Retriable: a
 * new consumer may start once the cause has passed.
 */
export class ConsumerInitializationError extends KinesisActorsError {
  readonly step: InitializationStep;
  readonly attempts: number;

  constructor(step: InitializationStep, attempts: number, cause: unknown, detail?: string) {
    const reason = (cause as { message?: string } | undefined)?.message ?? String(cause);
    super(
      'INITIALIZATION_FAILED',
      detail === undefined
        ? `consumer initialization failed at step ${step} after ${attempts} attempt(s) (options.maxInitializationAttempts): ${reason}`
        : `consumer initialization stopped at step ${step}: ${detail}`,
      { retriable: true, cause },
    );
    this.name = 'ConsumerInitializationError';
    this.step = step;
    this.attempts = attempts;
  }
}

/** How {@link initialize} retries. @internal */
export interface InitializationPolicy {
  /** Failed tries allowed in all, the last included; a step that succeeded is not run again. */
  maxAttempts: number;
  /** Longest wait between tries; waits grow from 100 ms (or this, if less) with jitter. */
  backoffMillis: number;
  clock: Clock;
  logger: Logger;
  /** Aborted when the consumer is closed during initialization. */
  signal: AbortSignal;
  random?: () => number;
  /**
   * The error that ends initialization at once, or undefined when the failure may pass and the
   * step is tried again.
   */
  fatal(step: InitializationStep, error: unknown): Error | undefined;
}

/**
 * Runs the initialization steps in order, trying a failing step again after a jittered backoff
 * (the KCL retries its whole initialization, 20 times a second apart). Rejects with the fatal
 * error itself, or with a {@link ConsumerInitializationError} once the attempts are spent.
 * @internal
 */
export async function initialize(steps: readonly (readonly [InitializationStep, () => Promise<void>])[], policy: InitializationPolicy): Promise<void> {
  let failures = 0;
  for (const [step, run] of steps) {
    for (;;) {
      if (policy.signal.aborted) throw new ConsumerInitializationError(step, failures, policy.signal.reason, 'the consumer was closed');
      try {
        await run();
        break;
      } catch (error) {
        const fatal = policy.fatal(step, error);
        if (fatal) throw fatal;
        failures++;
        if (failures >= policy.maxAttempts) throw new ConsumerInitializationError(step, failures, error);
        const delayMs = jitteredBackoff(failures, Math.min(100, policy.backoffMillis), policy.backoffMillis, policy.random);
        policy.logger.warn({ err: error, step, attempt: failures, delayMs }, 'consumer.initializationRetry');
        await sleepUnlessAborted(policy.clock, delayMs, policy.signal);
      }
    }
  }
  // Closed during the last step: the worker must not start running after its close began.
  if (policy.signal.aborted) throw new ConsumerInitializationError(steps[steps.length - 1][0], failures, policy.signal.reason, 'the consumer was closed');
}
