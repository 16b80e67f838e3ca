import { InvalidOptionError } from '../../errors.ts';
import { defineStage, type Stage } from '../../pipeline/stage.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { getPath, isRecord, parseFieldPath, type RecordValue } from './field-path.ts';
import type { CleanStats } from './mask-fields.ts';
import { eachRecordItem, resolveOnInvalid, type OnInvalidValue } from './record-items.ts';

/** Counts of a filtering stage, summed over its instances (shards) since it was created. */
export interface FilterStats extends CleanStats {
  /** Items the predicate or a rule dropped. */
  dropped: number;
  /** Items passed on. */
  passed: number;
}

/** A stage that drops some items and passes the rest on unchanged, with its counts. */
export interface FilterStage<T> extends Stage<T, T> {
  readonly stats: Readonly<FilterStats>;
}

/** Options of {@link dropWhen}. */
export interface DropWhenOptions {
  /** @defaultValue 'dropWhen' */
  name?: string | undefined;
}

/**
 * Drops every item for which `predicate` returns true. A predicate that throws fails the
 * batch, which the pipeline retries under its stage's supervision: make it total.
 * `stats.invalid` stays 0 here; see {@link filterRecords} for values that are not objects.
 *
 * @example
 * const noFavicon = dropWhen('noFavicon', (item: StreamItem<{ path: string }>) => item.value.path === '/favicon.ico');
 * noFavicon.stats.dropped; // favicon requests seen so far
 */
export function dropWhen<T>(name: string, predicate: (item: T) => boolean): FilterStage<T>;
export function dropWhen<T>(predicate: (item: T) => boolean, options?: DropWhenOptions): FilterStage<T>;
export function dropWhen<T>(a: string | ((item: T) => boolean), b?: ((item: T) => boolean) | DropWhenOptions): FilterStage<T> {
  const [name, predicate] = typeof a === 'string' ? [a, b] : [(b as DropWhenOptions | undefined)?.name ?? 'dropWhen', a];
  if (typeof predicate !== 'function') throw new InvalidOptionError('predicate', 'must be a function (item) => boolean', predicate);
  const stats: FilterStats = { dropped: 0, passed: 0, invalid: 0 };
  const stage = defineStage<T, T>({
    name,
    create: () => ({
      process(items) {
        const kept = items.filter((item) => !predicate(item));
        stats.dropped += items.length - kept.length;
        stats.passed += kept.length;
        return kept;
      },
    }),
  });
  return Object.freeze({ ...stage, stats });
}

/** One rule of {@link filterRecords}: the field at `field` equals a value, or is a string matching a pattern. */
export type FilterRule = { field: string; equals: string | number | boolean | null } | { field: string; matches: RegExp };

/** Options of {@link filterRecords}. */
export interface FilterRecordsOptions {
  /** @defaultValue 'filterRecords' */
  name?: string | undefined;
  /** An item matching any rule is dropped. Required, non-empty. */
  drop: readonly FilterRule[];
  /** Items whose value is not an object. @defaultValue 'drop' */
  onInvalid?: OnInvalidValue | undefined;
}

function resolveRule(rule: FilterRule, index: number): (value: RecordValue) => boolean {
  const field = `drop[${index}]`;
  if (!isRecord(rule)) throw new InvalidOptionError(field, 'must be { field, equals } or { field, matches }', rule);
  const path = parseFieldPath(rule.field, `${field}.field`);
  const hasEquals = Object.hasOwn(rule, 'equals');
  const hasMatches = Object.hasOwn(rule, 'matches');
  if (hasEquals === hasMatches) throw new InvalidOptionError(field, 'must have exactly one of equals and matches', rule);
  if ('matches' in rule) {
    if (!(rule.matches instanceof RegExp)) throw new InvalidOptionError(`${field}.matches`, 'must be a RegExp', rule.matches);
    // A global or sticky pattern keeps lastIndex between tests: results would depend on the previous item.
    const pattern = new RegExp(rule.matches.source, rule.matches.flags.replace(/[gy]/g, ''));
    return (value) => {
      const found = getPath(value, path);
      return typeof found === 'string' && pattern.test(found);
    };
  }
  const expected = rule.equals;
  if (expected !== null && !['string', 'number', 'boolean'].includes(typeof expected)) {
    throw new InvalidOptionError(`${field}.equals`, 'must be a string, number, boolean or null', expected);
  }
  return (value) => Object.is(getPath(value, path), expected);
}

/**
 * Drops the items matching any of the rules (`{ field, equals }` or `{ field, matches }`, with
 * dot paths) and passes the rest on unchanged. Rules are checked here: an empty path, a rule
 * with both or neither of equals and matches, or a `matches` that is not a RegExp throw an
 * `InvalidOptionError` naming the rule.
 *
 * @example
 * const noise = filterRecords({
 *   drop: [{ field: 'path', equals: '/favicon.ico' }, { field: 'userAgent', matches: /bot|crawler/i }],
 * });
 */
export function filterRecords(options: FilterRecordsOptions): FilterStage<StreamItem<RecordValue>> {
  if (!isRecord(options)) throw new InvalidOptionError('filterRecords', 'must be an object with drop rules', options);
  if (!Array.isArray(options.drop) || options.drop.length === 0) throw new InvalidOptionError('drop', 'must be a non-empty array of rules', options.drop);
  const rules = options.drop.map(resolveRule);
  const onInvalid = resolveOnInvalid(options.onInvalid);
  const stats: FilterStats = { dropped: 0, passed: 0, invalid: 0 };
  const stage = defineStage<StreamItem<RecordValue>, StreamItem<RecordValue>>({
    name: options.name ?? 'filterRecords',
    create: ({ logger }) => ({
      process(items) {
        const out = eachRecordItem(items, { onInvalid, stats, logger, event: 'filterRecords.invalid' }, (item) => {
          if (!rules.some((matches) => matches(item.value))) return item;
          stats.dropped++;
          return undefined;
        });
        stats.passed += out.length;
        return out;
      },
    }),
  });
  return Object.freeze({ ...stage, stats });
}
