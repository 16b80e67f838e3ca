import { describe, InvalidOptionError } from '../errors.ts';
import type { Logger } from '../internal/logger.ts';

/**
 * A renamed option: to the name of the KCL, KPL or Lambda setting it mirrors, or to the `Ms`
 * suffix of the framework's own durations. The old name stays accepted for one release: its
 * value is mapped to the new name (converted when the unit changed), and giving both names with
 * different values is refused.
 * @internal
 */
export interface RenamedOption {
  /** The name to use. */
  readonly name: string;
  /** The deprecated name. */
  readonly alias: string;
  /** The alias's value in the new name's unit; absent when the unit is the same. */
  readonly fromAlias?: ((value: number) => number) | undefined;
  /** Whether two values are the same setting. @defaultValue `Object.is` */
  readonly equals?: ((a: unknown, b: unknown) => boolean) | undefined;
}

/** The value given for a renamed option, and under which name. @internal */
export interface GivenOption {
  /** The value as given, in the unit of `field`; undefined when neither name was given. */
  readonly value: unknown;
  /** The name the value was given under: the alias only when the new name was not given. */
  readonly field: string;
  /** Set when the caller used the deprecated name (alone, or agreeing with the new one). */
  readonly deprecated: RenamedOption | undefined;
}

/**
 * Reads a renamed option under its new name and its alias.
 *
 * @param path - where `options` sit in the caller's options (e.g. `'errorHandling'`), for messages.
 * @throws {InvalidOptionError} naming both names when both are given with different values.
 * @internal
 */
export function givenOption(options: object, rename: RenamedOption, path?: string): GivenOption {
  const record = options as Record<string, unknown>;
  const value = record[rename.name];
  const old = record[rename.alias];
  if (old === undefined) return { value, field: rename.name, deprecated: undefined };
  if (value === undefined) return { value: old, field: rename.alias, deprecated: rename };
  const converted = typeof old === 'number' && rename.fromAlias ? rename.fromAlias(old) : old;
  if (!(rename.equals ?? Object.is)(converted, value)) {
    const qualified = (field: string) => (path ? `${path}.${field}` : field);
    throw new InvalidOptionError(
      qualified(rename.name),
      `and its deprecated alias options.${qualified(rename.alias)} (${describe(old)}) are the same setting with different values: give only options.${qualified(rename.name)}`,
      value,
    );
  }
  return { value, field: rename.name, deprecated: rename };
}

const warned = new WeakMap<object, Set<string>>();

/**
 * Logs, once per logger and alias, that a deprecated name was used. `key` is the `logger`
 * option as the caller gave it: a console is wrapped anew by each resolution, the option is not.
 * @internal
 */
export function warnDeprecated(key: unknown, logger: Logger | undefined, given: readonly GivenOption[], path?: string): void {
  if (logger === undefined || key === null || typeof key !== 'object') return;
  const seen = warned.get(key) ?? new Set<string>();
  warned.set(key, seen);
  for (const { deprecated } of given) {
    if (deprecated === undefined) continue;
    const option = `options.${path ? `${path}.` : ''}${deprecated.alias}`;
    if (seen.has(option)) continue;
    seen.add(option);
    logger.warn({ option, use: `options.${path ? `${path}.` : ''}${deprecated.name}` }, 'options.deprecated');
  }
}
