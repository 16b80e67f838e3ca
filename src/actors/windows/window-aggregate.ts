import { defineStage, type Stage } from '../../pipeline/stage.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { resolveWindowOptions, type WindowAggregateOptions } from './options.ts';

/** One closed window of one key. Times are ms since the epoch; the window is [windowStart, windowEnd). */
export interface WindowResult<A = unknown> {
  windowStart: number;
  windowEnd: number;
  key: string;
  count: number;
  aggregate?: A;
}

/** What a window stage checkpoints: the watermark and every open window, compactly. */
export interface WindowState<A = unknown> {
  watermark: number;
  /** [windowStart, key, count, aggregate?] per open window and key. */
  open: [number, string, number, A?][];
}

/** Records dropped by window stages, summed over their instances. */
export interface WindowStats {
  /** Records for windows already emitted. */
  late: number;
  /** Records without an event time. */
  noEventTime: number;
}

/**
 * Per-key counts (and an optional aggregate) over tumbling or sliding event-time windows, as
 * Kinesis Data Analytics SQL computes them. A window is emitted once the watermark (the
 * largest event time seen) passes its end plus `allowedLatenessMs`, in order of window end
 * and key; records arriving for a window already emitted are late, counted and dropped.
 * Open windows are checkpointed with the shard: a worker that takes the shard over continues
 * them, and no window is emitted twice. A drain keeps them open for that next owner; the end
 * of a shard or of a producer-side pipeline emits them.
 *
 * @example
 * windowAggregate({ name: 'perPage', window: { type: 'tumbling', sizeMs: 60_000 }, key: (i) => i.value.page, allowedLatenessMs: 5_000 })
 */
export function windowAggregate<T, A = never>(options: WindowAggregateOptions<T, A>): Stage<StreamItem<T>, StreamItem<WindowResult<A>>, WindowState<A>> & { stats: WindowStats } {
  const o = resolveWindowOptions(options);
  const stats: WindowStats = { late: 0, noEventTime: 0 };
  const stage = defineStage<StreamItem<T>, StreamItem<WindowResult<A>>, WindowState<A>>({
    name: o.name,
    create: ({ clock }) => {
      let watermark = Number.NEGATIVE_INFINITY;
      /** windowStart → key → [count, aggregate] */
      let open = new Map<number, Map<string, [number, A | undefined]>>();
      let lastArrival = clock.now();

      const closedAt = (start: number) => start + o.sizeMs + o.allowedLatenessMs <= watermark;
      const emit = (all: boolean): StreamItem<WindowResult<A>>[] => {
        const out: StreamItem<WindowResult<A>>[] = [];
        for (const start of [...open.keys()].sort((a, b) => a - b)) {
          if (!all && !closedAt(start)) continue;
          const keys = open.get(start)!;
          open.delete(start);
          for (const key of [...keys.keys()].sort()) {
            const [count, aggregate] = keys.get(key)!;
            const value: WindowResult<A> = { windowStart: start, windowEnd: start + o.sizeMs, key, count, ...(o.aggregate ? { aggregate } : {}) };
            out.push({ value, partitionKey: key, eventTime: value.windowEnd });
          }
        }
        return out;
      };

      return {
        process(items) {
          lastArrival = clock.now();
          for (const item of items) {
            const time = o.eventTime(item);
            if (typeof time !== 'number' || !Number.isFinite(time)) {
              stats.noEventTime++;
              continue;
            }
            const key = o.key(item);
            let counted = false;
            const last = Math.floor(time / o.slideMs) * o.slideMs;
            for (let start = last; start > time - o.sizeMs; start -= o.slideMs) {
              if (closedAt(start)) continue;
              let keys = open.get(start);
              if (!keys) open.set(start, (keys = new Map()));
              const current = keys.get(key) ?? [0, o.aggregate?.init()];
              keys.set(key, [current[0] + 1, o.aggregate ? o.aggregate.add(current[1] as A, item) : undefined]);
              counted = true;
            }
            if (!counted) stats.late++;
            watermark = Math.max(watermark, time);
          }
          return emit(false);
        },
        tick(now) {
          if (o.idleTimeoutMs === undefined || open.size === 0 || now - lastArrival < o.idleTimeoutMs) return [];
          const latestEnd = Math.max(...open.keys()) + o.sizeMs;
          // Final: later records for these windows are late rather than a second, partial result.
          watermark = Math.max(watermark, latestEnd + o.allowedLatenessMs);
          return emit(true);
        },
        flush(ctx) {
          if (ctx.flushReason === 'drain') return [];
          return emit(true);
        },
        snapshot: () => ({
          watermark: Number.isFinite(watermark) ? watermark : -1,
          open: [...open].flatMap(([start, keys]) => [...keys].map(([key, [count, aggregate]]) => (o.aggregate ? [start, key, count, aggregate] : [start, key, count]) as [number, string, number, A?])),
        }),
        restore(state) {
          watermark = state.watermark < 0 ? Number.NEGATIVE_INFINITY : state.watermark;
          open = new Map();
          for (const [start, key, count, aggregate] of state.open) {
            let keys = open.get(start);
            if (!keys) open.set(start, (keys = new Map()));
            keys.set(key, [count, aggregate]);
          }
        },
      };
    },
  });
  return Object.freeze({ ...stage, stats });
}
