import { InvalidOptionError } from '../errors.ts';

/**
 * The checks every component's `resolveXOptions()` makes, one signature for all:
 * `check(field, value, ...)`, where `field` is the option's path as the user wrote it
 * (`'maxWaitingBytes'`, `'errorHandling.retryBaseDelayMs'`) and `value` is what was given, or the
 * default. Each returns the value, typed, or throws an {@link InvalidOptionError} whose message
 * names the option and what it accepts: `options.maxWaitingBytes must be an integer from 0 to
 * 9007199254740991 (got -1)`.
 * @internal
 */

/**
 * An integer from `min` to `max`; without `max`, any safe integer from `min`.
 * @internal
 */
export function integer(field: string, value: unknown, min: number, max?: number): number {
  const top = max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= top) return value;
  throw new InvalidOptionError(field, max === undefined ? `must be an integer ≥ ${min}` : `must be an integer from ${min} to ${max}`, value);
}

/**
 * -1 (no limit, as Lambda spells it) or an integer from `min` to `max`.
 * @internal
 */
export function integerOrUnlimited(field: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && ((value >= min && value <= max) || value === -1)) return value;
  throw new InvalidOptionError(field, `must be -1 or an integer from ${min} to ${max}`, value);
}

/**
 * A finite number from `min` to `max`; without `max`, any finite number from `min`.
 * @internal
 */
export function finiteNumber(field: string, value: unknown, min: number, max?: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= (max ?? Infinity)) return value;
  throw new InvalidOptionError(field, max === undefined ? `must be a finite number ≥ ${min}` : `must be a number between ${min} and ${max}`, value);
}

/** A finite number above 0. @internal */
export function positiveNumber(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new InvalidOptionError(field, 'must be a positive number', value);
}

/** A positive integer. @internal */
export function positiveInteger(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new InvalidOptionError(field, 'must be a positive integer', value);
}

/** `true` or `false`. @internal */
export function boolean(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new InvalidOptionError(field, 'must be true or false', value);
}

/** One of `allowed`; the message lists them. @internal */
export function oneOf<const T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (allowed.includes(value as T)) return value as T;
  throw new InvalidOptionError(field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
}

/**
 * A function, or `undefined` when the option is optional and was left out. `what` describes it
 * in the message: `'an async function of a BatchFailure'`.
 * @internal
 */
export function optionalFunction<F extends (...args: never[]) => unknown>(field: string, value: F | undefined, what = 'a function'): F | undefined {
  if (value === undefined || typeof value === 'function') return value;
  throw new InvalidOptionError(field, `must be ${what}`, value);
}
