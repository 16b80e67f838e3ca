import { describe, expect, it } from 'vitest';
import { boolean, finiteNumber, integer, integerOrUnlimited, oneOf, optionalFunction, positiveInteger, positiveNumber } from '../../../src/options/validate.ts';
import { InvalidOptionError } from '../../../src/errors.ts';

function messageOf(check: () => unknown): string {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).code).toBe('INVALID_OPTION');
    return (error as Error).message;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('the options-validation kit', () => {
  it('returns what it accepts', () => {
    expect(integer('a', 5, 0, 10)).toBe(5);
    expect(integer('a', 2 ** 40, 1)).toBe(2 ** 40);
    expect(integerOrUnlimited('a', -1, 60, 600)).toBe(-1);
    expect(positiveInteger('a', 3)).toBe(3);
    expect(boolean('a', false)).toBe(false);
    expect(oneOf('a', 'x', ['x', 'y'])).toBe('x');
    const f = () => 1;
    expect(optionalFunction('a', f)).toBe(f);
    expect(optionalFunction('a', undefined)).toBeUndefined();
  });

  it('names the option and what it accepts', () => {
    expect(messageOf(() => integer('maxWaitingBytes', -1, 0, 10))).toBe('options.maxWaitingBytes must be an integer from 0 to 10 (got -1)');
    expect(messageOf(() => integer('window.sizeMs', 1.5, 1))).toBe('options.window.sizeMs must be an integer ≥ 1 (got 1.5)');
    expect(messageOf(() => integer('a', Number.MAX_SAFE_INTEGER + 2, 1))).toContain('options.a must be an integer ≥ 1');
    expect(messageOf(() => integerOrUnlimited('age', 59, 60, 600))).toBe('options.age must be -1 or an integer from 60 to 600 (got 59)');
    expect(messageOf(() => positiveInteger('minSamples', 0))).toBe('options.minSamples must be a positive integer (got 0)');
    expect(messageOf(() => boolean('flag', 'yes'))).toBe('options.flag must be true or false (got "yes")');
    expect(messageOf(() => oneOf('compression', 'zstd', ['none', 'gzip']))).toBe("options.compression must be one of 'none', 'gzip' (got \"zstd\")");
    expect(messageOf(() => optionalFunction('onFailure', 4 as never, 'an async function'))).toBe('options.onFailure must be an async function (got 4)');
  });
});

describe('the options-validation kit: non-integer numbers', () => {
  it('takes finite numbers in range and names the option otherwise', () => {
    expect(finiteNumber('rate', 0.5, 0, 1)).toBe(0.5);
    expect(positiveNumber('threshold', 0.1)).toBe(0.1);
    expect(messageOf(() => finiteNumber('rate', 2, 0, 1))).toBe('options.rate must be a number between 0 and 1 (got 2)');
    expect(messageOf(() => finiteNumber('latencyMs', Number.POSITIVE_INFINITY, 0))).toBe('options.latencyMs must be a finite number ≥ 0 (got Infinity)');
    expect(messageOf(() => positiveNumber('threshold', 0))).toBe('options.threshold must be a positive number (got 0)');
  });
});
