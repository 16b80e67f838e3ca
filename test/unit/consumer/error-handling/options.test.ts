import { describe, expect, it } from 'vitest';
import { errorHandlingDefaults, resolveErrorHandlingOptions } from '../../../../src/consumer/error-handling/options.ts';
import { InvalidOptionError } from '../../../../src/errors.ts';
import { resolveLogger } from '../../../../src/internal/logger.ts';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).code).toBe('INVALID_OPTION');
    return (error as Error).message;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('resolveErrorHandlingOptions', () => {
  it("applies Lambda's defaults and freezes the result", () => {
    const o = resolveErrorHandlingOptions();
    expect(o).toEqual({ ...errorHandlingDefaults, onFailure: undefined });
    expect(o.maximumRetryAttempts).toBe(-1);
    expect(o.maximumRecordAgeInSeconds).toBe(-1);
    expect(o.bisectBatchOnFunctionError).toBe(false);
    expect(o.reportBatchItemFailures).toBe(false);
    expect(o.retryBaseDelayMs).toBe(100);
    expect(o.retryMaxDelayMs).toBe(10_000);
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('accepts the limits of each range', () => {
    const onFailure = async () => {};
    const o = resolveErrorHandlingOptions({
      maximumRetryAttempts: 10_000,
      maximumRecordAgeInSeconds: 604_800,
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 1,
      onFailure,
    });
    expect(o).toMatchObject({ maximumRetryAttempts: 10_000, maximumRecordAgeInSeconds: 604_800, retryMaxDelayMs: 1, onFailure });
    expect(resolveErrorHandlingOptions({ maximumRetryAttempts: 0, maximumRecordAgeInSeconds: 60 })).toMatchObject({ maximumRetryAttempts: 0, maximumRecordAgeInSeconds: 60 });
  });

  it('raises the default maximum delay to a larger base delay', () => {
    expect(resolveErrorHandlingOptions({ retryBaseDelayMs: 20_000 }).retryMaxDelayMs).toBe(20_000);
  });

  it.each([
    [{ maximumRetryAttempts: 20_000 }, 'options.maximumRetryAttempts must be -1 or an integer from 0 to 10000 (got 20000)'],
    [{ maximumRetryAttempts: -2 }, 'options.maximumRetryAttempts must be -1 or an integer from 0 to 10000 (got -2)'],
    [{ maximumRetryAttempts: 1.5 }, 'options.maximumRetryAttempts must be -1 or an integer from 0 to 10000 (got 1.5)'],
    [{ maximumRetryAttempts: '3' }, 'options.maximumRetryAttempts must be -1 or an integer from 0 to 10000 (got "3")'],
    [{ bisectBatchOnFunctionError: 'yes' }, 'options.bisectBatchOnFunctionError must be true or false (got "yes")'],
    [{ maximumRecordAgeInSeconds: 59 }, 'options.maximumRecordAgeInSeconds must be -1 or an integer from 60 to 604800 (got 59)'],
    [{ maximumRecordAgeInSeconds: 604_801 }, 'options.maximumRecordAgeInSeconds must be -1 or an integer from 60 to 604800 (got 604801)'],
    [{ maximumRecordAgeInSeconds: 60.5 }, 'options.maximumRecordAgeInSeconds must be -1 or an integer from 60 to 604800 (got 60.5)'],
    [{ retryBaseDelayMs: 0 }, 'options.retryBaseDelayMs must be an integer from 1 to 600000 (got 0)'],
    [{ retryBaseDelayMs: -1 }, 'options.retryBaseDelayMs must be an integer from 1 to 600000 (got -1)'],
    [{ retryMaxDelayMs: Number.NaN }, 'options.retryMaxDelayMs must be an integer from 1 to 3600000 (got NaN)'],
    [{ retryBaseDelayMs: 500, retryMaxDelayMs: 100 }, 'options.retryMaxDelayMs must be at least options.retryBaseDelayMs (500) (got 100)'],
    [{ reportBatchItemFailures: 1 }, 'options.reportBatchItemFailures must be true or false (got 1)'],
    [{ onFailure: 'queue-url' }, 'options.onFailure must be an async function of a BatchFailure (got "queue-url")'],
  ])('rejects %j naming the field', (options, message) => {
    expect(messageOf(() => resolveErrorHandlingOptions(options as never))).toBe(message);
  });

  it('names fields by their path in the caller’s options', () => {
    expect(messageOf(() => resolveErrorHandlingOptions({ maximumRetryAttempts: 20_000 }, 'errorHandling'))).toBe(
      'options.errorHandling.maximumRetryAttempts must be -1 or an integer from 0 to 10000 (got 20000)',
    );
    expect(messageOf(() => resolveErrorHandlingOptions({ retryBaseDelayMs: 5, retryMaxDelayMs: 1 }, 'errorHandling'))).toContain(
      'at least options.errorHandling.retryBaseDelayMs (5)',
    );
    expect(messageOf(() => resolveErrorHandlingOptions(null as never, 'errorHandling'))).toBe('options.errorHandling must be an object (got null)');
  });
});

describe("resolveErrorHandlingOptions: Lambda's MaximumRecordAgeInSeconds", () => {
  it('takes the age in seconds', () => {
    expect(resolveErrorHandlingOptions({ maximumRecordAgeInSeconds: 60 }).maximumRecordAgeInSeconds).toBe(60);
    expect(resolveErrorHandlingOptions({ maximumRecordAgeInSeconds: -1 }).maximumRecordAgeInSeconds).toBe(-1);
  });

  it('still takes the deprecated maximumRecordAgeMs, converted from milliseconds', () => {
    expect(resolveErrorHandlingOptions({ maximumRecordAgeMs: 60_000 })).toEqual(resolveErrorHandlingOptions({ maximumRecordAgeInSeconds: 60 }));
    expect(resolveErrorHandlingOptions({ maximumRecordAgeMs: 604_800_000 }).maximumRecordAgeInSeconds).toBe(604_800);
    expect(resolveErrorHandlingOptions({ maximumRecordAgeMs: -1 }).maximumRecordAgeInSeconds).toBe(-1);
    expect(resolveErrorHandlingOptions({ maximumRecordAgeMs: 90_500 }).maximumRecordAgeInSeconds).toBe(90.5);
    expect(resolveErrorHandlingOptions({ maximumRecordAgeMs: 60_000 })).not.toHaveProperty('maximumRecordAgeMs');
  });

  it('accepts both names when they are the same age', () => {
    expect(resolveErrorHandlingOptions({ maximumRecordAgeMs: 120_000, maximumRecordAgeInSeconds: 120 }).maximumRecordAgeInSeconds).toBe(120);
    expect(resolveErrorHandlingOptions({ maximumRecordAgeMs: -1, maximumRecordAgeInSeconds: -1 }).maximumRecordAgeInSeconds).toBe(-1);
  });

  it('refuses both names with different ages, naming both', () => {
    expect(messageOf(() => resolveErrorHandlingOptions({ maximumRecordAgeMs: 60, maximumRecordAgeInSeconds: 60 }, 'errorHandling'))).toBe(
      'options.errorHandling.maximumRecordAgeInSeconds and its deprecated alias options.errorHandling.maximumRecordAgeMs (60) are the same setting with different values: give only options.errorHandling.maximumRecordAgeInSeconds (got 60)',
    );
    expect(messageOf(() => resolveErrorHandlingOptions({ maximumRecordAgeMs: -1, maximumRecordAgeInSeconds: 60 }))).toContain(
      'options.maximumRecordAgeInSeconds and its deprecated alias options.maximumRecordAgeMs (-1)',
    );
  });

  it('checks the deprecated name in milliseconds, naming it', () => {
    expect(messageOf(() => resolveErrorHandlingOptions({ maximumRecordAgeMs: 59_999 }, 'errorHandling'))).toBe(
      'options.errorHandling.maximumRecordAgeMs must be -1 or an integer from 60000 to 604800000 (got 59999)',
    );
  });

  it("warns once per logger through the consumer's logger", () => {
    const warnings: unknown[][] = [];
    const key = { info() {}, warn: (...args: unknown[]) => void warnings.push(args), error() {} };
    const logger = resolveLogger(key);
    resolveErrorHandlingOptions({ maximumRecordAgeMs: 60_000 }, 'errorHandling', { key, logger });
    resolveErrorHandlingOptions({ maximumRecordAgeMs: 60_000 }, 'errorHandling', { key, logger });
    expect(warnings).toEqual([['options.deprecated', { option: 'options.errorHandling.maximumRecordAgeMs', use: 'options.errorHandling.maximumRecordAgeInSeconds' }]]);
  });
});
