import { InvalidOptionError } from '../../errors.ts';
import { integer } from '../../options/validate.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';

/** Fixed, non-overlapping windows, or windows of `sizeMs` starting every `slideMs` (which divides `sizeMs`). */
export type WindowSpec = { type: 'tumbling'; sizeMs: number } | { type: 'sliding'; sizeMs: number; slideMs: number };

/** A running aggregate beside the count, e.g. a sum; its value must survive `JSON.stringify`. */
export interface Aggregate<T, A> {
  init(): A;
  add(accumulator: A, item: StreamItem<T>): A;
}

/** Options of {@link windowAggregate}. */
export interface WindowAggregateOptions<T, A = never> {
  /** Unique in its pipeline. @defaultValue 'window' */
  name?: string | undefined;
  /** Window sizes are whole milliseconds; windows are aligned to the epoch. Required. */
  window: WindowSpec;
  /** Group-by key of an item (a page, a gender); it becomes the result's partition key. Required. */
  key: (item: StreamItem<T>) => string;
  /** Event time of an item, ms since the epoch; items without one are counted and dropped. @defaultValue item.eventTime */
  eventTime?: (item: StreamItem<T>) => number | undefined;
  /** How far the watermark must pass a window's end before the window is emitted. @defaultValue 0 */
  allowedLatenessMs?: number | undefined;
  /** Computed per window and key, beside the count. @defaultValue none: counts only */
  aggregate?: Aggregate<T, A> | undefined;
  /**
   * On a quiet stream, how far behind the clock event time may be. A tick that finds no record
   * arrived for this long moves the watermark to `now − idleAdvanceMs`, so windows close
   * without new records; records older than that arriving later are late.
   * For live streams, whose event time follows the clock. Give at most one of this and `idleTimeoutMs`.
   * @defaultValue undefined: the watermark moves only with event time
   */
  idleAdvanceMs?: number | undefined;
  /**
   * A tick that finds no record arrived for this long (processing time) emits every open window
   * early, with what it holds, and closes it for good: records for it arriving later are late.
   * For replayed or simulated event time, which does not follow the clock.
   * @defaultValue undefined: windows close only by the watermark
   */
  idleTimeoutMs?: number | undefined;
}

/** Every default of {@link WindowAggregateOptions}. */
export const windowAggregateDefaults = Object.freeze({
  name: 'window',
  allowedLatenessMs: 0,
});

/** The most windows one record may fall in (`sizeMs / slideMs`); past it a record costs too much work and state. */
export const MAX_WINDOWS_PER_RECORD = 1000;

/** @internal */
export interface ResolvedWindowOptions<T, A> {
  readonly name: string;
  readonly sizeMs: number;
  readonly slideMs: number;
  readonly key: (item: StreamItem<T>) => string;
  readonly eventTime: (item: StreamItem<T>) => number | undefined;
  readonly allowedLatenessMs: number;
  readonly aggregate: Aggregate<T, A> | undefined;
  readonly idleAdvanceMs: number | undefined;
  readonly idleTimeoutMs: number | undefined;
}

/** Applies the defaults, checks every field and the rules between them, and freezes the result. @internal */
export function resolveWindowOptions<T, A>(options: WindowAggregateOptions<T, A>): ResolvedWindowOptions<T, A> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object with window and key', options);
  const { window } = options;
  if (window === null || typeof window !== 'object' || (window.type !== 'tumbling' && window.type !== 'sliding')) {
    throw new InvalidOptionError('window', "must be { type: 'tumbling', sizeMs } or { type: 'sliding', sizeMs, slideMs }", window);
  }
  const sizeMs = integer('window.sizeMs', window.sizeMs, 1);
  const slideMs = window.type === 'sliding' ? integer('window.slideMs', window.slideMs, 1) : sizeMs;
  if (slideMs > sizeMs || sizeMs % slideMs !== 0) throw new InvalidOptionError('window.slideMs', `must divide window.sizeMs (${sizeMs})`, slideMs);
  if (sizeMs / slideMs > MAX_WINDOWS_PER_RECORD) {
    throw new InvalidOptionError('window.slideMs', `must be at least window.sizeMs / ${MAX_WINDOWS_PER_RECORD} (${Math.ceil(sizeMs / MAX_WINDOWS_PER_RECORD)})`, slideMs);
  }
  if (typeof options.key !== 'function') throw new InvalidOptionError('key', 'must be a function of the item returning its group key', options.key);
  if (options.eventTime !== undefined && typeof options.eventTime !== 'function') throw new InvalidOptionError('eventTime', 'must be a function of the item returning ms since the epoch', options.eventTime);
  const { aggregate } = options;
  if (aggregate !== undefined && (aggregate === null || typeof aggregate.init !== 'function' || typeof aggregate.add !== 'function')) {
    throw new InvalidOptionError('aggregate', 'must have init() and add(accumulator, item)', aggregate);
  }
  if (options.idleAdvanceMs !== undefined && options.idleTimeoutMs !== undefined) {
    throw new InvalidOptionError('idleTimeoutMs', 'must not be given with options.idleAdvanceMs: pick one way to close windows on a quiet stream', options.idleTimeoutMs);
  }
  return Object.freeze({
    name: options.name ?? windowAggregateDefaults.name,
    sizeMs,
    slideMs,
    key: options.key,
    eventTime: options.eventTime ?? ((item: StreamItem<T>) => item.eventTime),
    allowedLatenessMs: integer('allowedLatenessMs', options.allowedLatenessMs ?? windowAggregateDefaults.allowedLatenessMs, 0),
    aggregate,
    idleAdvanceMs: options.idleAdvanceMs === undefined ? undefined : integer('idleAdvanceMs', options.idleAdvanceMs, 0),
    idleTimeoutMs: options.idleTimeoutMs === undefined ? undefined : integer('idleTimeoutMs', options.idleTimeoutMs, 1),
  });
}
