import { InvalidOptionError } from '../../errors.ts';
import { defineStage, type Stage } from '../../pipeline/stage.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';

/** Options of {@link anomalyDetector}. */
export interface AnomalyDetectorOptions<T> {
  /** @defaultValue 'anomalyDetector' */
  name?: string;
  /** The series a reading belongs to (a sensor id). Required. */
  key: (item: StreamItem<T>) => string;
  /** The reading. Required. */
  value: (item: StreamItem<T>) => number;
  /** Event time of a reading. @defaultValue item.eventTime */
  eventTime?: (item: StreamItem<T>) => number | undefined;
  /** How far back, in event time, the readings a new one is compared with go. @defaultValue 10000 */
  windowMs?: number;
  /** Alert when |reading − mean of the window| exceeds this. Give this or `thresholdStdDevs`. */
  threshold?: number;
  /** Alert when the reading is this many standard deviations from the window's mean. */
  thresholdStdDevs?: number;
  /** Readings needed in the window before any alert. @defaultValue 3 */
  minSamples?: number;
}

/** An alert: a reading that deviates from its series' recent window. */
export interface AnomalyAlert<T = unknown> {
  key: string;
  value: number;
  /** Mean of the readings in the window before this one. */
  mean: number;
  /** value − mean. */
  deviation: number;
  /** Event time of the reading, ms since the epoch. */
  at: number;
  reading: T;
}

/** Per key: [eventTime, value] of the readings still in the window, oldest first. */
export type AnomalyState = Record<string, [number, number][]>;

/**
 * Compares every reading with the recent readings of its key (the last `windowMs` of event
 * time) and emits an alert record when it deviates by more than the threshold: a sensor
 * spiking within 10 seconds raises an alert. The windows are checkpointed with the shard.
 *
 * @example
 * anomalyDetector({ key: (i) => i.value.sensorId, value: (i) => i.value.celsius, threshold: 15 })
 */
export function anomalyDetector<T>(options: AnomalyDetectorOptions<T>): Stage<StreamItem<T>, StreamItem<AnomalyAlert<T>>, AnomalyState> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object with key, value and a threshold', options);
  if (typeof options.key !== 'function') throw new InvalidOptionError('key', 'must be a function of the item returning its series key', options.key);
  if (typeof options.value !== 'function') throw new InvalidOptionError('value', 'must be a function of the item returning the reading', options.value);
  const windowMs = options.windowMs ?? 10_000;
  if (!Number.isInteger(windowMs) || windowMs < 1) throw new InvalidOptionError('windowMs', 'must be a positive integer (ms)', windowMs);
  const minSamples = options.minSamples ?? 3;
  if (!Number.isInteger(minSamples) || minSamples < 1) throw new InvalidOptionError('minSamples', 'must be a positive integer', minSamples);
  const { threshold, thresholdStdDevs } = options;
  if ((threshold === undefined) === (thresholdStdDevs === undefined)) {
    throw new InvalidOptionError('threshold', 'or options.thresholdStdDevs must be given, and not both', threshold ?? thresholdStdDevs);
  }
  const limit = threshold ?? thresholdStdDevs!;
  if (typeof limit !== 'number' || !(limit > 0)) throw new InvalidOptionError(threshold !== undefined ? 'threshold' : 'thresholdStdDevs', 'must be a positive number', limit);
  const eventTime = options.eventTime ?? ((item: StreamItem<T>) => item.eventTime);

  return defineStage({
    name: options.name ?? 'anomalyDetector',
    create: () => {
      let series = new Map<string, [number, number][]>();
      return {
        process(items) {
          const alerts: StreamItem<AnomalyAlert<T>>[] = [];
          for (const item of items) {
            const at = eventTime(item);
            const value = options.value(item);
            if (typeof at !== 'number' || !Number.isFinite(at) || typeof value !== 'number' || !Number.isFinite(value)) continue;
            const key = options.key(item);
            const all = series.get(key) ?? [];
            const readings = all.filter(([t]) => t > at - windowMs && t <= at);
            if (readings.length >= minSamples) {
              const mean = readings.reduce((sum, [, v]) => sum + v, 0) / readings.length;
              const deviation = value - mean;
              const spread = Math.sqrt(readings.reduce((sum, [, v]) => sum + (v - mean) ** 2, 0) / readings.length);
              const over = threshold !== undefined ? Math.abs(deviation) > threshold : Math.abs(deviation) > limit * spread;
              if (over) alerts.push({ value: { key, value, mean, deviation, at, reading: item.value }, partitionKey: key, eventTime: at });
            }
            // Out-of-order readings are compared with their own past; the series keeps what is
            // still within the window of its newest reading.
            const newest = Math.max(at, ...all.map(([t]) => t));
            series.set(key, [...all.filter(([t]) => t > newest - windowMs), [at, value]]);
          }
          return alerts;
        },
        snapshot: () => Object.fromEntries(series),
        restore: (state) => {
          series = new Map(Object.entries(state));
        },
      };
    },
  });
}
