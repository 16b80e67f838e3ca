import { defineStage, type Stage } from '../../pipeline/stage.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { resolveAnomalyOptions, type AnomalyDetectorOptions } from './anomaly-options.ts';

/** An alert: a reading that deviates from its series' recent window. */
export interface AnomalyAlert<T = unknown> {
  key: string;
  value: number;
  /** Mean of the key's earlier readings in the window (not counting this one). */
  mean: number;
  /** Population standard deviation of those readings. */
  stdDev: number;
  /** value − mean. */
  deviation: number;
  /** Event time of the reading, ms since the epoch. */
  at: number;
  /** The item's value, as it came in. */
  reading: T;
}

/** Per key: [eventTime, value] of the readings still in the window, oldest first. */
export type AnomalyState = Record<string, [number, number][]>;

/** What an anomaly detector saw, summed over its instances (one per shard). */
export interface AnomalyStats {
  alerts: number;
  /** Readings older than their key's window (its newest reading − windowMs): skipped. */
  late: number;
  /** Items without a finite event time or value: skipped. */
  invalid: number;
}

/** An anomaly detector stage, with what it saw. */
export type AnomalyDetectorStage<T> = Stage<StreamItem<T>, StreamItem<AnomalyAlert<T>>, AnomalyState> & { readonly stats: AnomalyStats };

/**
 * Compares every reading with its key's readings of the last `windowMs` of event time and emits
 * an alert (partition key = key, event time = the reading's) when it is more than `threshold`
 * from their mean, or more than `thresholdStdDevs` standard deviations (with a spread of 0, any
 * deviation is). A key needs `minSamples` readings in the window before it alerts. Every reading,
 * alerting or not, then joins its key's window. The windows are checkpointed with the shard; a
 * key not seen for `windowMs` of processing time is forgotten.
 *
 * @example
 * const spikes = anomalyDetector<Reading>({
 *   key: (i) => i.value.sensorId,
 *   value: (i) => i.value.celsius,
 *   threshold: 15,
 * });
 */
export function anomalyDetector<T>(options: AnomalyDetectorOptions<T>): AnomalyDetectorStage<T> {
  const o = resolveAnomalyOptions(options);
  const stats: AnomalyStats = { alerts: 0, late: 0, invalid: 0 };
  const stage = defineStage<StreamItem<T>, StreamItem<AnomalyAlert<T>>, AnomalyState>({
    name: o.name,
    create: ({ clock }) => {
      let series = new Map<string, [number, number][]>();
      /** Processing time each key was last seen; not checkpointed (a restore counts as seen). */
      const seen = new Map<string, number>();

      const judge = (readings: [number, number][], at: number, value: number): Omit<AnomalyAlert, 'key' | 'reading'> | undefined => {
        let n = 0;
        let sum = 0;
        let sumSq = 0;
        for (let i = readings.length - 1; i >= 0 && readings[i][0] > at - o.windowMs; i--) {
          if (readings[i][0] > at) continue; // newer than an out-of-order reading: not its past
          n++;
          sum += readings[i][1];
          sumSq += readings[i][1] ** 2;
        }
        if (n < o.minSamples) return undefined;
        const mean = sum / n;
        const stdDev = Math.sqrt(Math.max(0, sumSq / n - mean ** 2));
        const deviation = value - mean;
        const over = o.mode === 'absolute' ? Math.abs(deviation) > o.limit : Math.abs(deviation) > o.limit * stdDev;
        return over ? { value, mean, stdDev, deviation, at } : undefined;
      };
      const insert = (readings: [number, number][], at: number, value: number) => {
        let i = readings.length;
        while (i > 0 && readings[i - 1][0] > at) i--;
        readings.splice(i, 0, [at, value]);
        const newest = readings[readings.length - 1][0];
        let expired = 0;
        while (readings[expired][0] <= newest - o.windowMs) expired++;
        if (expired > 0) readings.splice(0, expired);
      };
      const forgetIdle = (now: number) => {
        for (const [key, last] of seen) {
          if (now - last >= o.windowMs) seen.delete(key), series.delete(key);
        }
      };

      return {
        process(items) {
          const now = clock.now();
          const alerts: StreamItem<AnomalyAlert<T>>[] = [];
          for (const item of items) {
            const at = o.eventTime(item);
            const value = o.value(item);
            if (typeof at !== 'number' || !Number.isFinite(at) || typeof value !== 'number' || !Number.isFinite(value)) {
              stats.invalid++;
              continue;
            }
            const key = o.key(item);
            seen.set(key, now);
            let readings = series.get(key);
            if (!readings) series.set(key, (readings = []));
            if (readings.length > 0 && at <= readings[readings.length - 1][0] - o.windowMs) {
              stats.late++;
              continue;
            }
            const alert = judge(readings, at, value);
            if (alert) {
              stats.alerts++;
              alerts.push({ value: { key, ...alert, reading: item.value }, partitionKey: key, eventTime: at });
            }
            insert(readings, at, value);
          }
          forgetIdle(now);
          return alerts;
        },
        tick(now) {
          forgetIdle(now);
          return [];
        },
        snapshot: () => Object.fromEntries(series),
        restore(state) {
          const now = clock.now();
          series = new Map(Object.entries(state));
          for (const key of series.keys()) seen.set(key, now);
        },
      };
    },
  });
  return Object.freeze({ ...stage, stats });
}
