import { InvalidOptionError } from '../../errors.ts';
import type { Logger } from '../../internal/logger.ts';
import { givenOption, warnDeprecated, type GivenOption, type RenamedOption } from '../../internal/renamed-option.ts';
import type { ConsumerRecord } from '../record.ts';

/** Why records were given up on: every retry failed, or they grew older than `maximumRecordAgeInSeconds`. */
export type BatchFailureReason = 'retriesExhausted' | 'recordAgeExceeded';

/**
 * What the on-failure destination receives: the records given up on, with the batch metadata
 * Lambda sends to its OnFailure destination (shard, sequence range, size, invoke count).
 */
export interface BatchFailure {
  shardId: string;
  /** Sequence number of the first record given up on. */
  startSequenceNumber: string;
  /** Sequence number of the last record given up on. */
  endSequenceNumber: string;
  /** The user records themselves, in shard order. */
  records: ConsumerRecord[];
  /** `records.length`. */
  batchSize: number;
  /** Handler calls that included these records (Lambda's `approximateInvokeCount`); 0 if they expired before any. */
  attempts: number;
  reason: BatchFailureReason;
  /** The last error of the handler for these records; `undefined` if they expired before any call. */
  error: unknown;
}

/**
 * Receives records given up on. A rejection is retried with backoff until it succeeds or the
 * signal aborts, so records are never dropped silently.
 */
export type OnFailureDestination = (failure: BatchFailure, context: { signal: AbortSignal }) => Promise<void>;

/**
 * Error handling of a batch handler, after Lambda's Kinesis event source mapping: its settings
 * under their names and units, camel-cased; the retry delays are this framework's (Lambda's
 * are not configurable).
 */
export interface ErrorHandlingOptions {
  /**
   * Retries of a failing batch before its records go to `onFailure`; -1 retries until the records
   * are older than `maximumRecordAgeInSeconds` (with no age limit: until the signal aborts), else 0–10000.
   * @defaultValue -1 (as Lambda)
   */
  maximumRetryAttempts?: number | undefined;
  /** On a handler error, split the batch in two and process each half; splits do not count as retries. @defaultValue false */
  bisectBatchOnFunctionError?: boolean | undefined;
  /**
   * Records older than this many seconds (by `approximateArrivalTimestamp`) go to `onFailure`
   * without being handled; -1 for no limit, else 60–604800 (Lambda's `MaximumRecordAgeInSeconds`).
   * @defaultValue -1 (as Lambda)
   */
  maximumRecordAgeInSeconds?: number | undefined;
  /**
   * The same setting in milliseconds, -1 or 60000–604800000.
   * @deprecated Use `maximumRecordAgeInSeconds` (seconds, Lambda's name); this name goes in the next release.
   */
  maximumRecordAgeMs?: number | undefined;
  /** First retry delay; doubles per retry, with jitter. 1–600000. @defaultValue 100 */
  retryBaseDelayMs?: number | undefined;
  /** Largest retry delay, from `retryBaseDelayMs` to 3600000. @defaultValue 10000, or `retryBaseDelayMs` if larger */
  retryMaxDelayMs?: number | undefined;
  /** The handler may return `{ batchItemFailures: [{ itemIdentifier }] }`; processing resumes at the lowest failed item. @defaultValue false */
  reportBatchItemFailures?: boolean | undefined;
  /** Destination for records given up on; without one they are logged and discarded (as Lambda does). @defaultValue none */
  onFailure?: OnFailureDestination | undefined;
}

/**
 * Error handling options after defaults and validation; frozen. `maximumRecordAgeInSeconds` has
 * a fraction when the deprecated milliseconds were not whole seconds.
 */
export type ResolvedErrorHandlingOptions = Readonly<
  Required<Omit<ErrorHandlingOptions, 'onFailure' | 'maximumRecordAgeMs'>> & Pick<ErrorHandlingOptions, 'onFailure'>
>;

/** Defaults of {@link ErrorHandlingOptions}. */
export const errorHandlingDefaults = Object.freeze({
  maximumRetryAttempts: -1,
  bisectBatchOnFunctionError: false,
  maximumRecordAgeInSeconds: -1,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 10_000,
  reportBatchItemFailures: false,
});

const secondsOfMs = (ms: number): number => (ms === -1 ? -1 : ms / 1000);

/** Options renamed to Lambda's names; the old names are accepted until the next release. */
const renamed = Object.freeze({
  maximumRecordAgeInSeconds: { name: 'maximumRecordAgeInSeconds', alias: 'maximumRecordAgeMs', fromAlias: secondsOfMs } satisfies RenamedOption,
});

/**
 * Applies defaults, checks each field and the rules between them, and freezes the result.
 *
 * @param path - where the options sit in the caller's options (e.g. `'errorHandling'`), so that
 * messages name the field as the user wrote it.
 * @param deprecation - the caller's `logger` option and its resolved logger, told once of each
 * deprecated name used.
 * @throws {InvalidOptionError} naming the first bad field.
 * @example
 * resolveErrorHandlingOptions({ maximumRetryAttempts: 3, bisectBatchOnFunctionError: true });
 */
export function resolveErrorHandlingOptions(
  options: ErrorHandlingOptions = {},
  path?: string,
  deprecation?: { key: unknown; logger: Logger | undefined },
): ResolvedErrorHandlingOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionError(path ?? 'errorHandling', 'must be an object', options);
  }
  const name = (field: string) => (path ? `${path}.${field}` : field);
  const check = (field: string, value: unknown, min: number, max: number, unlimited = false): number => {
    if (typeof value === 'number' && Number.isInteger(value) && ((value >= min && value <= max) || (unlimited && value === -1))) return value;
    throw new InvalidOptionError(name(field), `must be ${unlimited ? '-1 or ' : ''}an integer from ${min} to ${max}`, value);
  };
  const integer = (field: 'maximumRetryAttempts' | 'retryBaseDelayMs' | 'retryMaxDelayMs', fallback: number, min: number, max: number, unlimited = false) =>
    check(field, options[field] ?? fallback, min, max, unlimited);
  const recordAge = (given: GivenOption): number =>
    given.field === 'maximumRecordAgeMs'
      ? secondsOfMs(check(given.field, given.value, 60_000, 604_800_000, true))
      : check(given.field, given.value ?? errorHandlingDefaults.maximumRecordAgeInSeconds, 60, 604_800, true);
  const flag = (field: 'bisectBatchOnFunctionError' | 'reportBatchItemFailures') => {
    const value = options[field] ?? errorHandlingDefaults[field];
    if (typeof value !== 'boolean') throw new InvalidOptionError(name(field), 'must be true or false', value);
    return value;
  };
  const d = errorHandlingDefaults;
  const maximumRetryAttempts = integer('maximumRetryAttempts', d.maximumRetryAttempts, 0, 10_000, true);
  const age = givenOption(options, renamed.maximumRecordAgeInSeconds, path);
  const maximumRecordAgeInSeconds = recordAge(age);
  const retryBaseDelayMs = integer('retryBaseDelayMs', d.retryBaseDelayMs, 1, 600_000);
  const retryMaxDelayMs = integer('retryMaxDelayMs', Math.max(d.retryMaxDelayMs, retryBaseDelayMs), 1, 3_600_000);
  if (retryMaxDelayMs < retryBaseDelayMs) {
    throw new InvalidOptionError(name('retryMaxDelayMs'), `must be at least options.${name('retryBaseDelayMs')} (${retryBaseDelayMs})`, retryMaxDelayMs);
  }
  const { onFailure } = options;
  if (onFailure !== undefined && typeof onFailure !== 'function') {
    throw new InvalidOptionError(name('onFailure'), 'must be an async function of a BatchFailure', onFailure);
  }
  if (deprecation) warnDeprecated(deprecation.key, deprecation.logger, [age], path);
  return Object.freeze({
    maximumRetryAttempts,
    bisectBatchOnFunctionError: flag('bisectBatchOnFunctionError'),
    maximumRecordAgeInSeconds,
    retryBaseDelayMs,
    retryMaxDelayMs,
    reportBatchItemFailures: flag('reportBatchItemFailures'),
    onFailure,
  });
}
