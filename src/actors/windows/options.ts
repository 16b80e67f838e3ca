import { InvalidOptionError } from '../../errors.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';

/** Fixed, non-overlapping windows, or windows of `sizeMs` starting every `slideMs`. */
export type WindowSpec = { type: 'tumbling'; sizeMs: number } | { type: 'sliding'; sizeMs: number; slideMs: number };

/** A running aggregate beside the count, e.g. a sum; its value must survive `JSON.stringify`. */
export interface Aggregate<T, A> {
  init(): A;
  add(accumulator: A, item: StreamItem<T>): A;
}

/** Options of {@link windowAggregate}. */
export interface WindowAggregateOptions<T, A = never> {
  /** Unique in its pipeline. @defaultValue 'window' */
  name?: string;
  /** Required. */
  window: WindowSpec;
  /** Group-by key of an item (a page, a gender). Required. */
  key: (item: StreamItem<T>) => string;
  /** Event time of an item, ms since the epoch. @defaultValue item.eventTime */
  eventTime?: (item: StreamItem<T>) => number | undefined;
  /** How long after a window's end its late records are still counted. @defaultValue 0 */
  allowedLatenessMs?: number;
  /** Computed per window and key, beside the count. */
  aggregate?: Aggregate<T, A>;
  /**
   * When no record has arrived for this long (processing time), the results of every open
   * window are final: they are emitted, and records for them count as late. @defaultValue off
   */
  idleTimeoutMs?: number;
}

/** @internal */
export interface ResolvedWindowOptions<T, A> {
  name: string;
  sizeMs: number;
  slideMs: number;
  key: (item: StreamItem<T>) => string;
  eventTime: (item: StreamItem<T>) => number | undefined;
  allowedLatenessMs: number;
  aggregate: Aggregate<T, A> | undefined;
  idleTimeoutMs: number | undefined;
}

function positive(field: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new InvalidOptionError(field, `must be an integer ≥ ${min} (ms)`, value);
  return value;
}

/** Checks every field and the rules between them. @internal */
export function resolveWindowOptions<T, A>(options: WindowAggregateOptions<T, A>): ResolvedWindowOptions<T, A> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object with window and key', options);
  const { window } = options;
  if (window === null || typeof window !== 'object' || (window.type !== 'tumbling' && window.type !== 'sliding')) {
    throw new InvalidOptionError('window', "must be { type: 'tumbling', sizeMs } or { type: 'sliding', sizeMs, slideMs }", window);
  }
  const sizeMs = positive('window.sizeMs', window.sizeMs);
  const slideMs = window.type === 'sliding' ? positive('window.slideMs', window.slideMs) : sizeMs;
  if (sizeMs % slideMs !== 0) throw new InvalidOptionError('window.slideMs', `must divide window.sizeMs (${sizeMs})`, slideMs);
  if (typeof options.key !== 'function') throw new InvalidOptionError('key', 'must be a function of the item returning its group key', options.key);
  if (options.eventTime !== undefined && typeof options.eventTime !== 'function') throw new InvalidOptionError('eventTime', 'must be a function of the item', options.eventTime);
  const { aggregate } = options;
  if (aggregate !== undefined && (typeof aggregate?.init !== 'function' || typeof aggregate?.add !== 'function')) {
    throw new InvalidOptionError('aggregate', 'must have init() and add(accumulator, item)', aggregate);
  }
  return {
    name: options.name ?? 'window',
    sizeMs,
    slideMs,
    key: options.key,
    eventTime: options.eventTime ?? ((item) => item.eventTime),
    allowedLatenessMs: positive('allowedLatenessMs', options.allowedLatenessMs ?? 0, 0),
    aggregate,
    idleTimeoutMs: options.idleTimeoutMs === undefined ? undefined : positive('idleTimeoutMs', options.idleTimeoutMs),
  };
}
