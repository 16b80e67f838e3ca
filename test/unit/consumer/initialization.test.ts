import { describe, expect, it } from 'vitest';
import { ConsumerInitializationError, initialize, type InitializationPolicy, type InitializationStep } from '../../../src/consumer/initialization.ts';
import { fatalInitializationError } from '../../../src/consumer/initialization-failures.ts';
import { KinesisActorsError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/internal/logger.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { flush } from '../leases/helpers.ts';

const endpoints = {
  Kinesis: { service: 'Kinesis', url: 'http://127.0.0.1:4567', source: 'options.connection.endpoint' },
  DynamoDB: { service: 'DynamoDB', url: 'http://127.0.0.1:4568', source: 'options.dynamoDbConnection.endpoint' },
} as const;

const transient = () => new KinesisActorsError('KINESIS_ERROR', 'ListShards failed: InternalFailure (HTTP 500)', { retriable: true });

/** Steps that fail as scripted (an error per call, then succeed), recording every call. */
function scripted(failures: Partial<Record<InitializationStep, Error[]>>) {
  const calls: InitializationStep[] = [];
  const step = (name: InitializationStep) => [name, async () => {
    calls.push(name);
    const error = failures[name]?.shift();
    if (error) throw error;
  }] as const;
  return { calls, steps: [step('leaseTable'), step('shardSync'), step('leaseTaking')] };
}

function policy(clock: SimulatedClock, overrides: Partial<InitializationPolicy> = {}): InitializationPolicy {
  return {
    maxAttempts: 20,
    backoffMillis: 1000,
    clock,
    logger: silentLogger(),
    signal: new AbortController().signal,
    random: () => 0.5,
    fatal: (step, error) => fatalInitializationError(step, error, { streamName: 'clicks', endpoints }),
    ...overrides,
  };
}

/** Settles `promise` while moving the simulated clock, so backoffs pass without sleeping. */
async function settle(clock: SimulatedClock, promise: Promise<void>): Promise<unknown> {
  let outcome: unknown = 'pending';
  promise.then(() => (outcome = 'resolved'), (error: unknown) => (outcome = error));
  for (let i = 0; i < 1000 && outcome === 'pending'; i++) {
    await flush();
    clock.advance(100);
  }
  return outcome;
}

describe('consumer initialization', () => {
  it('tries a failing step again after a backoff and goes on from there, without repeating the steps done', async () => {
    const clock = new SimulatedClock();
    const { calls, steps } = scripted({ shardSync: [transient(), transient()] });
    expect(await settle(clock, initialize(steps, policy(clock)))).toBe('resolved');
    expect(calls).toEqual(['leaseTable', 'shardSync', 'shardSync', 'shardSync', 'leaseTaking']);
    // Waits of 75 ms then 150 ms: equal jitter, at 0.5, of 100 ms and 200 ms.
    expect(clock.now()).toBeGreaterThanOrEqual(225);
  });

  it('rejects with INITIALIZATION_FAILED naming the step and carrying the last failure once the attempts are spent', async () => {
    const clock = new SimulatedClock();
    const last = transient();
    const { calls, steps } = scripted({ leaseTable: [transient()], leaseTaking: [transient(), transient(), last] });
    const error = await settle(clock, initialize(steps, policy(clock, { maxAttempts: 4 })));
    expect(error).toBeInstanceOf(ConsumerInitializationError);
    expect(error).toMatchObject({ code: 'INITIALIZATION_FAILED', step: 'leaseTaking', attempts: 4, cause: last, retriable: true });
    expect((error as Error).message).toContain('at step leaseTaking after 4 attempt(s) (options.maxInitializationAttempts): ListShards failed');
    // Four failed tries in all (one of the lease table, three of the taker round), the last one included.
    expect(calls).toEqual(['leaseTable', 'leaseTable', 'shardSync', 'leaseTaking', 'leaseTaking', 'leaseTaking']);
  });

  it('fails at once with the error of a failure that will not pass', async () => {
    const clock = new SimulatedClock();
    const schema = new KinesisActorsError('LEASE_TABLE_SCHEMA', 'lease table "app" has key schema id (S) HASH');
    const { calls, steps } = scripted({ leaseTable: [schema] });
    expect(await settle(clock, initialize(steps, policy(clock)))).toBe(schema);
    expect(calls).toEqual(['leaseTable']);

    const notFound = new KinesisActorsError('STREAM_NOT_FOUND', 'ListShards: Stream clicks under account 0 not found.', { retriable: true });
    const second = scripted({ shardSync: [notFound] });
    const error = await settle(clock, initialize(second.steps, policy(clock)));
    expect(error).toMatchObject({ code: 'STREAM_NOT_FOUND', retriable: false, cause: notFound });
    expect((error as Error).message).toContain('stream "clicks" does not exist');
    expect(second.calls).toEqual(['leaseTable', 'shardSync']);

    const bug = new TypeError('x is not a function');
    expect(await settle(clock, initialize(scripted({ leaseTaking: [bug] }).steps, policy(clock)))).toBe(bug);
  });

  it('stops when the consumer is closed while it waits to try again', async () => {
    const clock = new SimulatedClock();
    const controller = new AbortController();
    const { calls, steps } = scripted({ shardSync: [transient(), transient()] });
    let outcome: unknown = 'pending';
    initialize(steps, policy(clock, { signal: controller.signal })).catch((error: unknown) => (outcome = error));
    await flush();
    expect(calls).toEqual(['leaseTable', 'shardSync']);
    controller.abort();
    await flush();
    expect(outcome).toMatchObject({ code: 'INITIALIZATION_FAILED', step: 'shardSync' });
    expect((outcome as Error).message).toContain('the consumer was closed');
    expect(calls).toEqual(['leaseTable', 'shardSync']);
  });
});
