import { describe, expect, it } from 'vitest';
import { errorHandlingDefaults, resolveErrorHandlingOptions } from '../../../../src/consumer/error-handling/options.ts';
import { InvalidOptionError } from '../../../../src/errors.ts';

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
    expect(o.maximumRecordAgeMs).toBe(-1);
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
      maximumRecordAgeMs: 604_800_000,
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 1,
      onFailure,
    });
    expect(o).toMatchObject({ maximumRetryAttempts: 10_000, maximumRecordAgeMs: 604_800_000, retryMaxDelayMs: 1, onFailure });
    expect(resolveErrorHandlingOptions({ maximumRetryAttempts: 0, maximumRecordAgeMs: 60_000 })).toMatchObject({ maximumRetryAttempts: 0, maximumRecordAgeMs: 60_000 });
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
    [{ maximumRecordAgeMs: 59_999 }, 'options.maximumRecordAgeMs must be -1 or an integer from 60000 to 604800000 (got 59999)'],
    [{ maximumRecordAgeMs: 604_800_001 }, 'options.maximumRecordAgeMs must be -1 or an integer from 60000 to 604800000 (got 604800001)'],
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
