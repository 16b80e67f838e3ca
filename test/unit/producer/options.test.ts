import { describe, expect, it } from 'vitest';
import { expectDeprecatedAlias } from '../../fixtures/deprecated-alias.ts';
import { resolveProducerOptions, producerDefaults } from '../../../src/producer/options.ts';
import { InvalidOptionError } from '../../../src/errors.ts';

describe('resolveProducerOptions', () => {
  it('applies the KPL defaults and freezes the result', () => {
    const o = resolveProducerOptions({ streamName: 'clicks' });
    expect(o.aggregationMaxSize).toBe(51200);
    expect(o.collectionMaxCount).toBe(500);
    expect(o.recordMaxBufferedTime).toBe(100);
    expect(o.recordTtl).toBe(30000);
    expect(o.rateLimit).toBe(150);
    expect(o.preserveOrder).toBe(true);
    expect(o.compression).toBe(producerDefaults.compression);
    expect(o.maxWaitingBytes).toBe(8 * 1024 * 1024);
    expect(o.maxBackpressureWaitMs).toBe(30000);
    expect(Object.isFrozen(o)).toBe(true);
  });

  it.each([
    [{ streamName: '' }, 'options.streamName'],
    [{ streamName: 'a b' }, 'options.streamName'],
    [{ streamName: 's', aggregationMaxSize: 2_000_000 }, 'options.aggregationMaxSize must be an integer from 64 to 1048576'],
    [{ streamName: 's', collectionMaxCount: 501 }, 'options.collectionMaxCount'],
    [{ streamName: 's', recordTtl: 10 }, 'options.recordTtl'],
    [{ streamName: 's', rateLimit: 0.5 }, 'options.rateLimit'],
    [{ streamName: 's', compression: 'zstd' }, "options.compression must be one of 'none', 'deflate'"],
    [{ streamName: 's', backpressure: 'drop' }, 'options.backpressure'],
    [{ streamName: 's', maxWaitingBytes: -1 }, 'options.maxWaitingBytes must be an integer from 0'],
    [{ streamName: 's', maxBackpressureWaitMs: 0 }, 'options.maxBackpressureWaitMs must be an integer from 1'],
    [{ streamName: 's', aggregationEnabled: 'yes' }, 'options.aggregationEnabled must be true or false'],
    [{ streamName: 's', preserveOrder: 1 }, 'options.preserveOrder must be true or false'],
    [{ streamName: 's', serializer: 42 }, 'options.serializer must be a function'],
    [{ streamName: 's', maxOutstandingBytes: 10 }, 'options.maxOutstandingBytes must be at least options.maxUserRecordSize'],
    [{ streamName: 's', retryBaseDelayMs: 500, retryMaxDelayMs: 100 }, 'options.retryMaxDelayMs must be at least options.retryBaseDelayMs'],
  ])('rejects %j naming the field', (options, message) => {
    let thrown: unknown;
    try {
      resolveProducerOptions(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError);
    expect((thrown as InvalidOptionError).code).toBe('INVALID_OPTION');
    expect((thrown as Error).message).toContain(message);
  });
});

describe("resolveProducerOptions: the KPL's maxUserRecordSize", () => {
  const MiB = 1024 * 1024;

  function messageOf(options: object): string {
    try {
      resolveProducerOptions({ streamName: 's', ...options } as never);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      return (error as Error).message;
    }
    throw new Error('expected an InvalidOptionError');
  }

  it("takes the record limit under the KPL name; absent, the stream's limit applies (learned at start)", () => {
    expect(resolveProducerOptions({ streamName: 's', maxUserRecordSize: 10 * MiB }).maxUserRecordSize).toBe(10 * MiB);
    expect(resolveProducerOptions({ streamName: 's' }).maxUserRecordSize).toBeUndefined();
    expect(producerDefaults).not.toHaveProperty('maxUserRecordSize');
  });

  it('caps collectionMaxSize at the 10 MiB request limit of Kinesis', () => {
    expect(resolveProducerOptions({ streamName: 's' }).collectionMaxSize).toBe(5 * MiB);
    expect(resolveProducerOptions({ streamName: 's', collectionMaxSize: 8 * MiB }).collectionMaxSize).toBe(8 * MiB);
    expect(resolveProducerOptions({ streamName: 's', collectionMaxSize: 64 * MiB }).collectionMaxSize).toBe(10 * MiB);
  });

  it('still takes the deprecated maxRecordSize, in bytes', () => {
    const o = resolveProducerOptions({ streamName: 's', maxRecordSize: 2 * MiB });
    expect(o.maxUserRecordSize).toBe(2 * MiB);
    expect(o).not.toHaveProperty('maxRecordSize');
    expect(resolveProducerOptions({ streamName: 's', maxRecordSize: 2 * MiB, maxUserRecordSize: 2 * MiB }).maxUserRecordSize).toBe(2 * MiB);
  });

  it('refuses both names with different values, naming both', () => {
    expect(messageOf({ maxRecordSize: 2 * MiB, maxUserRecordSize: 3 * MiB })).toBe(
      'options.maxUserRecordSize and its deprecated alias options.maxRecordSize (2097152) are the same setting with different values: give only options.maxUserRecordSize (got 3145728)',
    );
  });

  it('names the field as the user wrote it', () => {
    expect(messageOf({ maxRecordSize: 11 * MiB })).toBe('options.maxRecordSize must be an integer from 1 to 10485760 (got 11534336)');
    expect(messageOf({ maxUserRecordSize: 0 })).toBe('options.maxUserRecordSize must be an integer from 1 to 10485760 (got 0)');
    expect(messageOf({ maxRecordSize: 2 * MiB, maxOutstandingBytes: MiB })).toContain('must be at least options.maxRecordSize (2097152)');
    expect(messageOf({ maxUserRecordSize: 2 * MiB, maxOutstandingBytes: MiB })).toContain('must be at least options.maxUserRecordSize (2097152)');
  });

  it("warns once per logger through the options' logger", () => {
    const warnings: unknown[][] = [];
    const logger = { info() {}, warn: (...args: unknown[]) => void warnings.push(args), error() {} };
    resolveProducerOptions({ streamName: 's', logger, maxRecordSize: MiB });
    resolveProducerOptions({ streamName: 's', logger, maxRecordSize: MiB });
    expect(warnings).toEqual([['options.deprecated', { option: 'options.maxRecordSize', use: 'options.maxUserRecordSize' }]]);
  });
});

describe('resolveProducerOptions: durations spelled with Ms', () => {
  const renamed = [
    ['maxBackpressureWait', 'maxBackpressureWaitMs', 1_234],
    ['retryBaseDelay', 'retryBaseDelayMs', 50],
    ['retryMaxDelay', 'retryMaxDelayMs', 7_000],
    ['metricsInterval', 'metricsIntervalMs', 0],
  ] as const;

  it.each(renamed)('still takes the deprecated %s as %s, with the same value, and warns once', (alias, name, value) => {
    expectDeprecatedAlias(resolveProducerOptions, { streamName: 's' }, alias, name, value);
  });

  it('names the deprecated field as the user wrote it', () => {
    expect(() => resolveProducerOptions({ streamName: 's', retryBaseDelay: 500, retryMaxDelay: 100 })).toThrow('options.retryMaxDelay must be at least options.retryBaseDelay (500)');
    expect(() => resolveProducerOptions({ streamName: 's', metricsInterval: 5, metricsIntervalMs: 6 })).toThrow(
      'options.metricsIntervalMs and its deprecated alias options.metricsInterval (5) are the same setting with different values',
    );
  });
});
