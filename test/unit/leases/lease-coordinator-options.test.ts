import { describe, expect, it } from 'vitest';
import { expectDeprecatedAlias } from '../../fixtures/deprecated-alias.ts';
import { leaseCoordinatorDefaults, resolveLeaseCoordinatorOptions } from '../../../src/leases/lease-coordinator-options.ts';
import { InvalidOptionError } from '../../../src/errors.ts';
import { systemClock } from '../../../src/internal/clock.ts';

describe('resolveLeaseCoordinatorOptions', () => {
  it('applies the defaults and freezes the result', () => {
    const o = resolveLeaseCoordinatorOptions({ workerIdentifier: 'w1' });
    expect(o).toMatchObject({
      workerIdentifier: 'w1',
      failoverTimeMillis: 10_000,
      renewIntervalMs: 3_333,
      takerIntervalMs: 2_000,
      maxLeasesForWorker: Infinity,
      maxLeasesToStealAtOneTime: 2,
      gracefulLeaseHandoffTimeoutMillis: 30_000,
      scannersPerSegment: 2,
      throughputImbalanceThreshold: Infinity,
      leaseMoveCooldownRounds: 10,
      leaseScanIntervalMs: 2_000,
    });
    expect(o.clock).toBe(systemClock);
    expect(o.random).toBe(Math.random);
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(leaseCoordinatorDefaults)).toBe(true);
  });

  it('derives the intervals from a shorter failover time', () => {
    expect(resolveLeaseCoordinatorOptions({ workerIdentifier: 'w', failoverTimeMillis: 1500 })).toMatchObject({
      renewIntervalMs: 500,
      takerIntervalMs: 300,
      leaseScanIntervalMs: 300,
    });
    // Never below one taker round, never above the failover time.
    expect(resolveLeaseCoordinatorOptions({ workerIdentifier: 'w', takerIntervalMs: 1000, failoverTimeMillis: 3000 }).leaseScanIntervalMs).toBe(1000);
    expect(resolveLeaseCoordinatorOptions({ workerIdentifier: 'w', takerIntervalMs: 5000, failoverTimeMillis: 3000 }).leaseScanIntervalMs).toBe(3000);
  });

  it.each([
    [{}, 'options.workerIdentifier must be a string of 1–1024 characters'],
    [{ workerIdentifier: '' }, 'options.workerIdentifier must be a string of 1–1024 characters'],
    [{ workerIdentifier: 'w', failoverTimeMillis: -1 }, 'options.failoverTimeMillis must be an integer from 100 to 3600000 (got -1)'],
    [{ workerIdentifier: 'w', failoverTimeMillis: 1.5 }, 'options.failoverTimeMillis must be an integer'],
    [{ workerIdentifier: 'w', failoverTimeMillis: '10s' }, 'options.failoverTimeMillis must be an integer from 100 to 3600000 (got "10s")'],
    [{ workerIdentifier: 'w', renewIntervalMs: 10_000 }, 'options.renewIntervalMs must be below options.failoverTimeMillis (10000)'],
    [{ workerIdentifier: 'w', renewIntervalMs: 5 }, 'options.renewIntervalMs must be an integer from 10'],
    [{ workerIdentifier: 'w', takerIntervalMs: 0 }, 'options.takerIntervalMs must be an integer from 10'],
    [{ workerIdentifier: 'w', scannersPerSegment: 0 }, 'options.scannersPerSegment must be an integer from 1 to 1000 (got 0)'],
    [{ workerIdentifier: 'w', leaseScanIntervalMs: 20_000 }, 'options.leaseScanIntervalMs must be an integer from 10 to 10000 (got 20000)'],
    [{ workerIdentifier: 'w', throughputImbalanceThreshold: 0.9 }, 'options.throughputImbalanceThreshold must be a finite number ≥ 1 (got 0.9)'],
    [{ workerIdentifier: 'w', leaseMoveCooldownRounds: -1 }, 'options.leaseMoveCooldownRounds must be an integer from 0'],
    [{ workerIdentifier: 'w', gracefulLeaseHandoffTimeoutMillis: -1 }, 'options.gracefulLeaseHandoffTimeoutMillis must be an integer from 0 to 3600000 (got -1)'],
    [{ workerIdentifier: 'w', maxLeasesForWorker: 0 }, 'options.maxLeasesForWorker must be a positive integer or Infinity (got 0)'],
    [{ workerIdentifier: 'w', maxLeasesForWorker: 2.5 }, 'options.maxLeasesForWorker'],
    [{ workerIdentifier: 'w', maxLeasesToStealAtOneTime: -1 }, 'options.maxLeasesToStealAtOneTime must be an integer from 0 to 1000'],
    [{ workerIdentifier: 'w', clock: {} }, 'options.clock must have now(), setTimeout() and clearTimeout()'],
    [{ workerIdentifier: 'w', logger: console.log }, 'options.logger must be a pino logger'],
    [{ workerIdentifier: 'w', random: 4 }, 'options.random must be a function'],
  ])('rejects %j naming the field', (options, message) => {
    let thrown: unknown;
    try {
      resolveLeaseCoordinatorOptions(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError);
    expect((thrown as InvalidOptionError).code).toBe('INVALID_OPTION');
    expect((thrown as Error).message).toContain(message);
  });
});

describe("resolveLeaseCoordinatorOptions: the KCL's workerIdentifier", () => {
  it('still takes the deprecated workerId', () => {
    const o = resolveLeaseCoordinatorOptions({ workerId: 'w1' });
    expect(o.workerIdentifier).toBe('w1');
    expect(o).not.toHaveProperty('workerId');
    expect(resolveLeaseCoordinatorOptions({ workerId: 'w1', workerIdentifier: 'w1' }).workerIdentifier).toBe('w1');
  });

  it.each([
    [{ workerId: 'w1', workerIdentifier: 'w2' }, 'options.workerIdentifier and its deprecated alias options.workerId ("w1") are the same setting with different values'],
    [{ workerId: '' }, 'options.workerId must be a string of 1–1024 characters'],
  ])('rejects %j naming the field as written', (options, message) => {
    expect(() => resolveLeaseCoordinatorOptions(options)).toThrow(InvalidOptionError);
    expect(() => resolveLeaseCoordinatorOptions(options)).toThrow(message);
  });
});

describe('resolveLeaseCoordinatorOptions: intervals spelled with Ms', () => {
  it.each([
    ['renewIntervalMillis', 'renewIntervalMs', 1_000],
    ['takerIntervalMillis', 'takerIntervalMs', 500],
  ] as const)('still takes the deprecated %s as %s, with the same value, and warns once', (alias, name, value) => {
    expectDeprecatedAlias(resolveLeaseCoordinatorOptions, { workerIdentifier: 'w' }, alias, name, value);
  });

  it('names the deprecated field as the user wrote it', () => {
    expect(() => resolveLeaseCoordinatorOptions({ workerIdentifier: 'w', renewIntervalMillis: 10_000 })).toThrow('options.renewIntervalMillis must be below options.failoverTimeMillis (10000)');
  });
});
