import { defineStage, type Stage } from '../../pipeline/stage.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { resolveWindowOptions, type WindowAggregateOptions } from './options.ts';

/**
 * One closed window of one key. Times are ms since the epoch; the window is
 * [windowStart, windowEnd). `aggregate` is present when the stage has an `aggregate` option.
 */
export interface WindowResult<A = unknown> {
  windowStart: number;
  windowEnd: number;
  key: string;
  count: number;
  aggregate?: A;
}

/** What a window stage checkpoints: the watermark and every open window, compactly. */
export interface WindowState<A = unknown> {
  /** Largest event time seen (or reached by an idle tick or a flush); null before the first record. */
  watermark: number | null;
  /** [windowStart, key, count, aggregate?] per open window and key. */
  open: [number, string, number, A?][];
}

/** Records dropped by a window stage, summed over its instances (one per shard). */
export interface WindowStats {
  /** Records that fell only in windows already closed. */
  late: number;
  /** Records without a finite event time. */
  noEventTime: number;
}

/** A window stage, with the records it dropped. */
export type WindowAggregateStage<T, A> = Stage<StreamItem<T>, StreamItem<WindowResult<A>>, WindowState<A>> & { readonly stats: WindowStats };

/**
 * Per-key counts (and an optional aggregate) over tumbling or sliding event-time windows, as
 * Kinesis Data Analytics SQL computes them. The watermark is the largest event time seen; a
 * window [start, end) is emitted once the watermark reaches `end + allowedLatenessMs`, in order
 * of window end, then key, one item per window and key (partition key = key, event time =
 * window end). A record whose windows are all closed is late: counted in `stats.late` and
 * dropped, so no window is ever emitted twice.
 *
 * Open windows are checkpointed with the shard, so a worker that takes the shard over continues
 * them. A flush for a drain keeps them open for that next owner; a flush at shard end or close
 * emits them early, with what they hold, and closes them for good. On a quiet stream,
 * `idleAdvanceMs` or `idleTimeoutMs` lets ticks close windows without new records.
 *
 * @example
 * const clicksPerPage = windowAggregate<Click>({
 *   name: 'clicksPerPage',
 *   window: { type: 'tumbling', sizeMs: 60_000 },
 *   key: (i) => i.value.page,
 *   allowedLatenessMs: 5_000,
 * });
 */
export function windowAggregate<T, A = never>(options: WindowAggregateOptions<T, A>): WindowAggregateStage<T, A> {
  const o = resolveWindowOptions(options);
  const stats: WindowStats = { late: 0, noEventTime: 0 };
  const stage = defineStage<StreamItem<T>, StreamItem<WindowResult<A>>, WindowState<A>>({
    name: o.name,
    create: ({ clock }) => {
      let watermark = Number.NEGATIVE_INFINITY;
      /** windowStart → key → [count, aggregate] */
      let open = new Map<number, Map<string, [number, A | undefined]>>();
      let lastArrival = clock.now();

      const closed = (start: number) => start + o.sizeMs + o.allowedLatenessMs <= watermark;
      const add = (start: number, key: string, item: StreamItem<T>) => {
        let keys = open.get(start);
        if (!keys) open.set(start, (keys = new Map()));
        const current = keys.get(key) ?? [0, o.aggregate?.init()];
        keys.set(key, [current[0] + 1, o.aggregate ? o.aggregate.add(current[1] as A, item) : undefined]);
      };
      const emitClosed = (): StreamItem<WindowResult<A>>[] => {
        const out: StreamItem<WindowResult<A>>[] = [];
        for (const start of [...open.keys()].sort((a, b) => a - b)) {
          if (!closed(start)) continue;
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

      const closeAll = () => {
        if (open.size === 0) return [];
        // Closing early is final: records for these windows that still come are late, never a second result.
        const lastStart = [...open.keys()].reduce((a, b) => Math.max(a, b));
        watermark = Math.max(watermark, lastStart + o.sizeMs + o.allowedLatenessMs);
        return emitClosed();
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
            // The watermark moves per record, so what is late does not depend on batch boundaries.
            watermark = Math.max(watermark, time);
            const key = o.key(item);
            let counted = false;
            for (let start = Math.floor(time / o.slideMs) * o.slideMs; start > time - o.sizeMs; start -= o.slideMs) {
              if (closed(start)) continue;
              add(start, key, item);
              counted = true;
            }
            if (!counted) stats.late++;
          }
          return emitClosed();
        },
        tick(now) {
          const idle = now - lastArrival;
          if (o.idleAdvanceMs !== undefined && idle >= o.idleAdvanceMs) {
            watermark = Math.max(watermark, now - o.idleAdvanceMs);
            return emitClosed();
          }
          return o.idleTimeoutMs !== undefined && idle >= o.idleTimeoutMs ? closeAll() : [];
        },
        flush: (ctx) => (ctx.flushReason === 'drain' ? [] : closeAll()),
        snapshot: () => ({
          watermark: Number.isFinite(watermark) ? watermark : null,
          open: [...open].flatMap(([start, keys]) =>
            [...keys].map(([key, [count, aggregate]]) => (o.aggregate ? [start, key, count, aggregate] : [start, key, count]) as [number, string, number, A?]),
          ),
        }),
        restore(state) {
          watermark = typeof state.watermark === 'number' ? state.watermark : Number.NEGATIVE_INFINITY;
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
