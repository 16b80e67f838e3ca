import { InvalidOptionError } from '../../errors.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { integer, positiveInteger, positiveNumber } from '../../options/validate.ts';

/** Options of {@link anomalyDetector}. Give exactly one of `threshold` and `thresholdStdDevs`. */
export interface AnomalyDetectorOptions<T> {
  /** Unique in its pipeline. @defaultValue 'anomalyDetector' */
  name?: string | undefined;
  /** The series a reading belongs to (a sensor id); it becomes the alert's partition key. Required. */
  key: (item: StreamItem<T>) => string;
  /** The reading; items whose value is not a finite number are counted and skipped. Required. */
  value: (item: StreamItem<T>) => number;
  /** Event time of a reading, ms since the epoch. @defaultValue item.eventTime */
  eventTime?: (item: StreamItem<T>) => number | undefined;
  /** How far back, in event time, the readings a new one is compared with go. @defaultValue 10000 */
  windowMs?: number | undefined;
  /** Alert when |reading − mean of the window| exceeds this absolute amount. */
  threshold?: number | undefined;
  /** Alert when |reading − mean| exceeds this many (population) standard deviations of the window. */
  thresholdStdDevs?: number | undefined;
  /** Readings needed in the window before any alert. @defaultValue 3 */
  minSamples?: number | undefined;
}

/** Every default of {@link AnomalyDetectorOptions}. */
export const anomalyDetectorDefaults = Object.freeze({
  name: 'anomalyDetector',
  windowMs: 10_000,
  minSamples: 3,
});

/** @internal */
export interface ResolvedAnomalyOptions<T> {
  readonly name: string;
  readonly key: (item: StreamItem<T>) => string;
  readonly value: (item: StreamItem<T>) => number;
  readonly eventTime: (item: StreamItem<T>) => number | undefined;
  readonly windowMs: number;
  readonly minSamples: number;
  /** The limit, in the reading's unit ('absolute') or in standard deviations ('stdDevs'). */
  readonly limit: number;
  readonly mode: 'absolute' | 'stdDevs';
}

/** Applies the defaults, checks every field and the rules between them, and freezes the result. @internal */
export function resolveAnomalyOptions<T>(options: AnomalyDetectorOptions<T>): ResolvedAnomalyOptions<T> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object with key, value and a threshold', options);
  if (typeof options.key !== 'function') throw new InvalidOptionError('key', 'must be a function of the item returning its series key', options.key);
  if (typeof options.value !== 'function') throw new InvalidOptionError('value', 'must be a function of the item returning the reading', options.value);
  if (options.eventTime !== undefined && typeof options.eventTime !== 'function') throw new InvalidOptionError('eventTime', 'must be a function of the item returning ms since the epoch', options.eventTime);
  const { threshold, thresholdStdDevs } = options;
  if ((threshold === undefined) === (thresholdStdDevs === undefined)) {
    throw new InvalidOptionError('threshold', 'or options.thresholdStdDevs must be given, and not both', threshold ?? thresholdStdDevs);
  }
  const field = threshold !== undefined ? 'threshold' : 'thresholdStdDevs';
  const limit = positiveNumber(field, threshold ?? thresholdStdDevs);
  const minSamples = positiveInteger('minSamples', options.minSamples ?? anomalyDetectorDefaults.minSamples);
  return Object.freeze({
    name: options.name ?? anomalyDetectorDefaults.name,
    key: options.key,
    value: options.value,
    eventTime: options.eventTime ?? ((item: StreamItem<T>) => item.eventTime),
    windowMs: integer('windowMs', options.windowMs ?? anomalyDetectorDefaults.windowMs, 1),
    minSamples,
    limit,
    mode: threshold !== undefined ? 'absolute' : 'stdDevs',
  });
}
