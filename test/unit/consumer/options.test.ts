import { describe, expect, it } from 'vitest';
import { expectDeprecatedAlias } from '../../fixtures/deprecated-alias.ts';
import { consumerDefaults, resolveConsumerOptions } from '../../../src/consumer/options.ts';
import { InvalidOptionError } from '../../../src/errors.ts';
import { createConsumer } from '../../../src/consumer/consumer.ts';

describe('resolveConsumerOptions: the KCL 3.x graceful hand-off timeout', () => {
  const base = { streamName: 'clicks', applicationName: 'click-counter', handler: async () => {} };

  it('defaults to the KCL 3.x 30 s and accepts 0 (hand-offs are not waited for)', () => {
    expect(consumerDefaults.gracefulLeaseHandoffTimeoutMillis).toBe(30_000);
    expect(resolveConsumerOptions(base).gracefulLeaseHandoffTimeoutMillis).toBe(30_000);
    expect(resolveConsumerOptions({ ...base, gracefulLeaseHandoffTimeoutMillis: 0 }).gracefulLeaseHandoffTimeoutMillis).toBe(0);
  });

  it('names the field when it is not a whole number of milliseconds', () => {
    expect(() => resolveConsumerOptions({ ...base, gracefulLeaseHandoffTimeoutMillis: 1.5 })).toThrow(
      'options.gracefulLeaseHandoffTimeoutMillis must be an integer from 0 to 3600000 (got 1.5)',
    );
  });
});

describe('resolveConsumerOptions: the KCL names', () => {
  const base = { streamName: 'clicks', applicationName: 'click-counter', handler: async () => {} };
  const at = new Date('2026-01-01T00:00:00Z');

  function invalid(options: object): InvalidOptionError {
    try {
      resolveConsumerOptions({ ...base, ...options } as never);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      return error as InvalidOptionError;
    }
    throw new Error('expected an InvalidOptionError');
  }

  it('takes each setting under the KCL name', () => {
    const o = resolveConsumerOptions({
      ...base,
      workerIdentifier: 'worker-7',
      initialPositionInStreamExtended: { timestamp: at },
      idleTimeBetweenReadsInMillis: 250,
      schedulerInitializationBackoffTimeMillis: 2_000,
    });
    expect(o).toMatchObject({
      workerIdentifier: 'worker-7',
      initialPositionInStreamExtended: { timestamp: at },
      idleTimeBetweenReadsInMillis: 250,
      schedulerInitializationBackoffTimeMillis: 2_000,
    });
    expect(consumerDefaults).toMatchObject({ initialPositionInStreamExtended: 'LATEST', idleTimeBetweenReadsInMillis: 500, schedulerInitializationBackoffTimeMillis: 1_000 });
  });

  it('still takes the deprecated names, in the same units', () => {
    const o = resolveConsumerOptions({ ...base, workerId: 'worker-7', initialPosition: 'TRIM_HORIZON', idleTimeBetweenReadsMillis: 250 });
    expect(o).toMatchObject({ workerIdentifier: 'worker-7', initialPositionInStreamExtended: 'TRIM_HORIZON', idleTimeBetweenReadsInMillis: 250 });
    expect(o).not.toHaveProperty('workerId');
    expect(o).not.toHaveProperty('initialPosition');
    expect(o).not.toHaveProperty('idleTimeBetweenReadsMillis');
  });

  it('accepts both names when they agree', () => {
    const o = resolveConsumerOptions({
      ...base,
      workerId: 'w',
      workerIdentifier: 'w',
      initialPosition: { timestamp: new Date(at) },
      initialPositionInStreamExtended: { timestamp: new Date(at) },
      idleTimeBetweenReadsMillis: 250,
      idleTimeBetweenReadsInMillis: 250,
    });
    expect(o).toMatchObject({ workerIdentifier: 'w', initialPositionInStreamExtended: { timestamp: at }, idleTimeBetweenReadsInMillis: 250 });
  });

  it.each([
    [{ workerId: 'a', workerIdentifier: 'b' }, 'options.workerIdentifier and its deprecated alias options.workerId ("a")'],
    [{ initialPosition: 'LATEST', initialPositionInStreamExtended: 'TRIM_HORIZON' }, 'options.initialPositionInStreamExtended and its deprecated alias options.initialPosition ("LATEST")'],
    [{ initialPosition: { timestamp: at }, initialPositionInStreamExtended: { timestamp: new Date(0) } }, 'options.initialPositionInStreamExtended and its deprecated alias options.initialPosition'],
    [{ idleTimeBetweenReadsMillis: 100, idleTimeBetweenReadsInMillis: 200 }, 'options.idleTimeBetweenReadsInMillis and its deprecated alias options.idleTimeBetweenReadsMillis (100)'],
  ])('refuses %j: one setting, two values', (options, message) => {
    const error = invalid(options);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain(message);
  });

  it('names the field as the user wrote it', () => {
    expect(invalid({ idleTimeBetweenReadsMillis: -1 }).message).toBe('options.idleTimeBetweenReadsMillis must be an integer from 0 to 3600000 (got -1)');
    expect(invalid({ idleTimeBetweenReadsInMillis: -1 }).message).toBe('options.idleTimeBetweenReadsInMillis must be an integer from 0 to 3600000 (got -1)');
    expect(invalid({ workerId: '' }).message).toBe('options.workerId must be a non-empty string (got "")');
    expect(invalid({ workerIdentifier: '' }).message).toBe('options.workerIdentifier must be a non-empty string (got "")');
    expect(invalid({ initialPosition: 'EARLIEST' }).message).toContain('options.initialPosition must be');
    expect(invalid({ initialPositionInStreamExtended: 'EARLIEST' }).message).toContain('options.initialPositionInStreamExtended must be');
    expect(invalid({ schedulerInitializationBackoffTimeMillis: 0 }).message).toBe('options.schedulerInitializationBackoffTimeMillis must be an integer from 1 to 600000 (got 0)');
  });

  it("warns once per logger of each deprecated name, through the options' logger", () => {
    const warnings: unknown[][] = [];
    const logger = { info() {}, warn: (...args: unknown[]) => void warnings.push(args), error() {} };
    resolveConsumerOptions({ ...base, logger, workerId: 'w', idleTimeBetweenReadsMillis: 250 });
    resolveConsumerOptions({ ...base, logger, workerId: 'w', idleTimeBetweenReadsMillis: 250 });
    resolveConsumerOptions({ ...base, logger, workerIdentifier: 'w' });
    expect(warnings).toEqual([
      ['options.deprecated', { option: 'options.workerId', use: 'options.workerIdentifier' }],
      ['options.deprecated', { option: 'options.idleTimeBetweenReadsMillis', use: 'options.idleTimeBetweenReadsInMillis' }],
    ]);
  });
});

describe('createConsumer: deprecated names', () => {
  it("tells the consumer's logger of a deprecated errorHandling name, and refuses a conflict naming both", async () => {
    const warnings: unknown[][] = [];
    const logger = { info() {}, warn: (...args: unknown[]) => void warnings.push(args), error() {} };
    const clients = { kinesis: {} as never, dynamodb: {} as never };
    const base = { streamName: 'clicks', applicationName: 'click-counter', handler: async () => {}, logger, ...clients };
    const consumer = createConsumer({ ...base, workerId: 'w', errorHandling: { maximumRecordAgeMs: 60_000 } });
    expect(warnings).toEqual([
      ['options.deprecated', { option: 'options.workerId', use: 'options.workerIdentifier' }],
      ['options.deprecated', { option: 'options.errorHandling.maximumRecordAgeMs', use: 'options.errorHandling.maximumRecordAgeInSeconds' }],
    ]);
    await consumer.close();
    expect(() => createConsumer({ ...base, errorHandling: { maximumRecordAgeMs: 60_000, maximumRecordAgeInSeconds: 120 } })).toThrow(
      'options.errorHandling.maximumRecordAgeInSeconds and its deprecated alias options.errorHandling.maximumRecordAgeMs (60000)',
    );
  });
});

describe('resolveConsumerOptions: what one read may cost', () => {
  const base = { streamName: 'clicks', applicationName: 'click-counter', handler: async () => {} };
  const MiB = 1024 * 1024;

  it('defaults to 200,000 user records per aggregate, 10,000 per batch and 16 MiB inflated per batch', () => {
    const resolved = resolveConsumerOptions(base);
    expect(resolved.maxUserRecordsPerAggregate).toBe(200_000);
    expect(resolved.maxUserRecordsPerBatch).toBe(10_000);
    expect(resolved.maxInflatedBytesPerBatch).toBe(16 * MiB);
  });

  it('raises the inflated bytes per batch with maxInflatedBytes, and refuses less: an envelope is never split', () => {
    expect(resolveConsumerOptions({ ...base, maxInflatedBytes: 64 * MiB }).maxInflatedBytesPerBatch).toBe(64 * MiB);
    expect(resolveConsumerOptions({ ...base, maxInflatedBytes: MiB }).maxInflatedBytesPerBatch).toBe(16 * MiB);
    expect(() => resolveConsumerOptions({ ...base, maxInflatedBytes: 4 * MiB, maxInflatedBytesPerBatch: 2 * MiB })).toThrow(
      'options.maxInflatedBytesPerBatch must be at least options.maxInflatedBytes (4194304): an envelope is never split across batches (got 2097152)',
    );
  });

  it('names the field of a limit that is not a positive integer', () => {
    expect(() => resolveConsumerOptions({ ...base, maxUserRecordsPerAggregate: 0 })).toThrow('options.maxUserRecordsPerAggregate must be an integer from 1 to 4294967295 (got 0)');
    expect(() => resolveConsumerOptions({ ...base, maxUserRecordsPerBatch: 2.5 })).toThrow('options.maxUserRecordsPerBatch must be an integer from 1 to 10000000 (got 2.5)');
  });
});

describe('resolveConsumerOptions: durations spelled with Ms', () => {
  const base = { streamName: 'clicks', applicationName: 'click-counter', handler: async () => {} };

  it('defaults the intervals from the failover time', () => {
    expect(resolveConsumerOptions(base)).toMatchObject({ renewIntervalMs: 3_333, takerIntervalMs: 1_000, metricsIntervalMs: 1_000 });
  });

  it.each([
    ['metricsInterval', 'metricsIntervalMs', 0],
    ['renewIntervalMillis', 'renewIntervalMs', 2_000],
    ['takerIntervalMillis', 'takerIntervalMs', 500],
  ] as const)('still takes the deprecated %s as %s, with the same value, and warns once', (alias, name, value) => {
    expectDeprecatedAlias(resolveConsumerOptions, { ...base, workerIdentifier: 'w' }, alias, name, value);
  });
});
