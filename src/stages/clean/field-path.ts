import { InvalidOptionError } from '../../errors.ts';

/** A record value as the cleaning stages see it: a JSON object. */
export type RecordValue = Record<string, unknown>;

/** True for a non-null, non-array object: the only values the cleaning stages look into. @internal */
export function isRecord(value: unknown): value is RecordValue {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Splits a dot path (`user.email`) into its segments, or throws an `InvalidOptionError`
 * naming `field` when it is empty or has an empty or forbidden segment. @internal
 */
export function parseFieldPath(path: unknown, field: string): readonly string[] {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidOptionError(field, 'must be a non-empty dot path such as "user.email"', path);
  const segments = path.split('.');
  if (segments.some((s) => s.length === 0)) throw new InvalidOptionError(field, 'must not have an empty segment (leading, trailing or double dot)', path);
  if (segments.some((s) => FORBIDDEN.has(s))) throw new InvalidOptionError(field, 'must not use __proto__, prototype or constructor as a segment', path);
  return Object.freeze(segments);
}

/** The value at `path`, or undefined when a segment is missing or not an object. @internal */
export function getPath(value: RecordValue, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/**
 * A copy of `value` with the field at `path` replaced by `update(old)`, or removed when
 * `update` returns `REMOVE`. Only the objects along the path are copied; `value` is unchanged.
 * Returns `value` itself when the path does not exist. @internal
 */
export function updatePath(value: RecordValue, path: readonly string[], update: (old: unknown) => unknown): RecordValue {
  const [head, ...rest] = path;
  if (!Object.hasOwn(value, head)) return value;
  const old = value[head];
  if (rest.length === 0) {
    const next = update(old);
    if (next === REMOVE) {
      const { [head]: _removed, ...kept } = value;
      return kept;
    }
    return { ...value, [head]: next };
  }
  if (!isRecord(old)) return value;
  const child = updatePath(old, rest, update);
  return child === old ? value : { ...value, [head]: child };
}

/** Returned by an `updatePath` update to remove the field. @internal */
export const REMOVE: unique symbol = Symbol('remove');
