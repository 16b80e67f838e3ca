import { InvalidOptionError } from '../../errors.ts';
import type { Logger } from '../../internal/logger.ts';
import { givenOption, warnDeprecated } from '../../options/renamed-option.ts';
import { renamedErrorHandlingOptions as renamed } from '../../options/renamed-options.ts';
import { boolean, integer, integerOrUnlimited, optionalFunction } from '../../options/validate.ts';
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
  const d = errorHandlingDefaults;
  const maximumRetryAttempts = integerOrUnlimited(name('maximumRetryAttempts'), options.maximumRetryAttempts ?? d.maximumRetryAttempts, 0, 10_000);
  const age = givenOption(options, renamed.maximumRecordAgeInSeconds, path);
  const maximumRecordAgeInSeconds =
    age.field === 'maximumRecordAgeMs'
      ? renamed.maximumRecordAgeInSeconds.fromAlias(integerOrUnlimited(name(age.field), age.value, 60_000, 604_800_000))
      : integerOrUnlimited(name(age.field), age.value ?? d.maximumRecordAgeInSeconds, 60, 604_800);
  const retryBaseDelayMs = integer(name('retryBaseDelayMs'), options.retryBaseDelayMs ?? d.retryBaseDelayMs, 1, 600_000);
  const retryMaxDelayMs = integer(name('retryMaxDelayMs'), options.retryMaxDelayMs ?? Math.max(d.retryMaxDelayMs, retryBaseDelayMs), 1, 3_600_000);
  if (retryMaxDelayMs < retryBaseDelayMs) {
    throw new InvalidOptionError(name('retryMaxDelayMs'), `must be at least options.${name('retryBaseDelayMs')} (${retryBaseDelayMs})`, retryMaxDelayMs);
  }
  const onFailure = optionalFunction(name('onFailure'), options.onFailure, 'an async function of a BatchFailure');
  if (deprecation) warnDeprecated(deprecation.key, deprecation.logger, [age], path);
  return Object.freeze({
    maximumRetryAttempts,
    bisectBatchOnFunctionError: boolean(name('bisectBatchOnFunctionError'), options.bisectBatchOnFunctionError ?? d.bisectBatchOnFunctionError),
    maximumRecordAgeInSeconds,
    retryBaseDelayMs,
    retryMaxDelayMs,
    reportBatchItemFailures: boolean(name('reportBatchItemFailures'), options.reportBatchItemFailures ?? d.reportBatchItemFailures),
    onFailure,
  });
}
