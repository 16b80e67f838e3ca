import { InvalidOptionError } from '../../errors.ts';
import { integer, oneOf, optionalFunction } from '../../options/validate.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';

/** Looks one key up; `undefined` when there is no row. Throwing fails the batch (see {@link enrich}). */
export type LookupFunction<Row> = (key: string, context: { signal: AbortSignal }) => Row | undefined | Promise<Row | undefined>;

/** A lookup table in memory, or a function that looks keys up (a database, a service). */
export type Lookup<Row> = ReadonlyMap<string, Row> | Readonly<Record<string, Row>> | LookupFunction<Row>;

/** What {@link enrich} does with an item whose key has no row (or whose key is undefined). */
export type OnMissingRow = 'pass' | 'drop' | 'default';

/** Options of {@link enrich}. */
export interface EnrichOptions<In, Row, Out> {
  /** @defaultValue 'enrich' */
  name?: string | undefined;
  /** The lookup table, or the function that looks a key up. Required. */
  lookup: Lookup<Row>;
  /** The join key of an item, e.g. `(item) => item.value.region`; undefined means no row. Required. */
  key: (item: StreamItem<In>) => string | undefined;
  /**
   * The output value of an item and its row. With `onMissing: 'pass'` it is also called for
   * items without a row, with `row` undefined.
   * @defaultValue (item, row) => ({ ...item.value, ...row })
   */
  merge?: (item: StreamItem<In>, row: Row | undefined) => Out;
  /** Items without a row: merged with `undefined` and passed on, dropped, or merged with `defaultRow`. @defaultValue 'pass' */
  onMissing?: OnMissingRow | undefined;
  /** The row of items without one; required with `onMissing: 'default'`, not allowed otherwise. @defaultValue none */
  defaultRow?: Row | undefined;
  /** Sets `stream` on every output, so a producer-side router puts it onto that stream. @defaultValue unchanged */
  outputStream?: string | undefined;
  /** Entries of the per-instance cache of a lookup function (rows and misses); 0 turns it off. @defaultValue 10000 */
  cacheSize?: number | undefined;
  /** How long a cached entry is used, in ms on the pipeline's clock. @defaultValue 60000 */
  cacheTtlMs?: number | undefined;
  /** Lookups of a batch in flight at once (each distinct key once). @defaultValue 16 */
  lookupConcurrency?: number | undefined;
}

/** Options after defaults and validation; frozen. @internal */
export interface ResolvedEnrichOptions<In, Row, Out> {
  readonly name: string;
  readonly lookup: LookupFunction<Row>;
  /** True when `lookup` is a function: only then is there a cache. */
  readonly cached: boolean;
  readonly key: (item: StreamItem<In>) => string | undefined;
  readonly merge: (item: StreamItem<In>, row: Row | undefined) => Out;
  readonly onMissing: OnMissingRow;
  readonly defaultRow: Row | undefined;
  readonly outputStream: string | undefined;
  readonly cacheSize: number;
  readonly cacheTtlMs: number;
  readonly lookupConcurrency: number;
}

const kDefaultOptions = { name: 'enrich', onMissing: 'pass' as OnMissingRow, cacheSize: 10_000, cacheTtlMs: 60_000, lookupConcurrency: 16 };

function tableLookup<Row>(lookup: Lookup<Row>): LookupFunction<Row> {
  if (lookup instanceof Map) return (key) => lookup.get(key);
  const table = lookup as Readonly<Record<string, Row>>;
  return (key) => (Object.hasOwn(table, key) ? table[key] : undefined);
}

/** Checks each option of {@link enrich} and fills in the defaults. @internal */
export function resolveEnrichOptions<In, Row, Out>(options: EnrichOptions<In, Row, Out>): ResolvedEnrichOptions<In, Row, Out> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('enrich', 'must be an object with lookup and key', options);
  const { lookup } = options;
  const isFunction = typeof lookup === 'function';
  if (!isFunction && (lookup === null || typeof lookup !== 'object')) throw new InvalidOptionError('lookup', 'must be a Map, a plain object of rows by key, or a function (key) => row', lookup);
  if (typeof options.key !== 'function') throw new InvalidOptionError('key', 'must be a function (item) => string', options.key);
  const merge = optionalFunction('merge', options.merge, 'a function (item, row) => value');
  const onMissing = oneOf('onMissing', options.onMissing ?? kDefaultOptions.onMissing, ['pass', 'drop', 'default']);
  if (onMissing === 'default' && options.defaultRow === undefined) throw new InvalidOptionError('defaultRow', "is required with onMissing: 'default'", options.defaultRow);
  if (onMissing !== 'default' && options.defaultRow !== undefined) throw new InvalidOptionError('defaultRow', "is used only with onMissing: 'default'; set onMissing or remove it", options.defaultRow);
  const outputStream = options.outputStream;
  if (outputStream !== undefined && (typeof outputStream !== 'string' || outputStream.length === 0)) throw new InvalidOptionError('outputStream', 'must be a non-empty stream name', outputStream);
  const cacheTtlMs = options.cacheTtlMs ?? kDefaultOptions.cacheTtlMs;
  if (typeof cacheTtlMs !== 'number' || !(cacheTtlMs > 0)) throw new InvalidOptionError('cacheTtlMs', 'must be a positive number of milliseconds (Infinity allowed)', cacheTtlMs);
  if (!isFunction && (options.cacheSize !== undefined || options.cacheTtlMs !== undefined)) {
    throw new InvalidOptionError('cacheSize', 'and cacheTtlMs apply only to a lookup function; a table is read directly', options.cacheSize ?? options.cacheTtlMs);
  }
  return Object.freeze({
    name: options.name ?? kDefaultOptions.name,
    lookup: isFunction ? (lookup as LookupFunction<Row>) : tableLookup(lookup),
    cached: isFunction,
    key: options.key,
    merge: merge ?? ((item: StreamItem<In>, row: Row | undefined) => ({ ...(item.value as object), ...(row as object) }) as Out),
    onMissing,
    defaultRow: options.defaultRow,
    outputStream,
    cacheSize: integer('cacheSize', options.cacheSize ?? kDefaultOptions.cacheSize, 0),
    cacheTtlMs,
    lookupConcurrency: integer('lookupConcurrency', options.lookupConcurrency ?? kDefaultOptions.lookupConcurrency, 1),
  });
}
