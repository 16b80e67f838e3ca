import { defineStage, type Stage, type StageBatchContext } from '../../pipeline/stage.ts';
import type { StreamItem } from '../../pipeline/stream-item.ts';
import { LookupCache } from './lookup-cache.ts';
import { resolveEnrichOptions, type EnrichOptions, type ResolvedEnrichOptions } from './options.ts';

/** Counts of an enrich stage, summed over its instances (shards) since it was created. */
export interface EnrichStats {
  /** Calls of the lookup (a table lookup counts too; cache hits do not). */
  lookups: number;
  /** Keys a lookup function's cache answered. */
  cacheHits: number;
  /** Items without a row (handled per `onMissing`). */
  missing: number;
  /** Items dropped by `onMissing: 'drop'`. */
  dropped: number;
}

/** A stage that joins items with a lookup table, with its counts. */
export interface EnrichStage<In, Out> extends Stage<StreamItem<In>, StreamItem<Out>> {
  readonly stats: Readonly<EnrichStats>;
}

/**
 * Joins each item with a row of a lookup table by its key (a region, a product, a customer),
 * and emits the merged value. A table (`Map` or object) is read directly; a lookup function is
 * called once per distinct key of a batch that is not in the instance's LRU/TTL cache, at most
 * `lookupConcurrency` at a time, with the pipeline's abort signal.
 *
 * A lookup that throws or rejects fails the whole batch: nothing of it is emitted, the stage's
 * actor is restarted with backoff and the batch is given again (past the supervision cap, the
 * pipeline fails). Return `undefined` for a key that has no row; throw only when the lookup
 * itself could not be done.
 *
 * @example
 * const withRegion = enrich({
 *   lookup: async (code) => regionsTable.get(code),
 *   key: (item: StreamItem<{ region: string }>) => item.value.region,
 *   onMissing: 'default',
 *   defaultRow: { regionName: 'unknown' },
 *   outputStream: 'clicks-enriched',
 * });
 */
export function enrich<In, Row, Out = In & Partial<Row>>(options: EnrichOptions<In, Row, Out>): EnrichStage<In, Out> {
  const o = resolveEnrichOptions(options);
  const stats: EnrichStats = { lookups: 0, cacheHits: 0, missing: 0, dropped: 0 };
  const stage = defineStage<StreamItem<In>, StreamItem<Out>>({
    name: o.name,
    create: () => {
      const cache = o.cached ? new LookupCache<Row>(o.cacheSize, o.cacheTtlMs) : undefined;
      return {
        async process(items, ctx) {
          const keys = items.map((item) => o.key(item));
          const rows = await lookUpAll(o, cache, stats, keys, ctx);
          const out: StreamItem<Out>[] = [];
          items.forEach((item, i) => {
            let row = keys[i] === undefined ? undefined : rows.get(keys[i]!);
            if (row === undefined) {
              stats.missing++;
              if (o.onMissing === 'drop') {
                stats.dropped++;
                return;
              }
              if (o.onMissing === 'default') row = o.defaultRow;
            }
            const value = o.merge(item, row);
            out.push(o.outputStream === undefined ? { ...item, value } : { ...item, value, stream: o.outputStream });
          });
          return out;
        },
      };
    },
  });
  return Object.freeze({ ...stage, stats });
}

/** The row of each distinct key, each looked up at most once. */
async function lookUpAll<In, Row, Out>(
  o: ResolvedEnrichOptions<In, Row, Out>,
  cache: LookupCache<Row> | undefined,
  stats: EnrichStats,
  keys: readonly (string | undefined)[],
  ctx: StageBatchContext,
): Promise<Map<string, Row | undefined>> {
  const rows = new Map<string, Row | undefined>();
  const toFetch: string[] = [];
  const now = ctx.clock.now();
  for (const key of new Set(keys)) {
    if (key === undefined) continue;
    const cached = cache?.get(key, now);
    if (cached?.hit) {
      stats.cacheHits++;
      rows.set(key, cached.row);
    } else toFetch.push(key);
  }
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After one failure the batch is lost anyway: start no more lookups.
    while (next < toFetch.length && !failed) {
      const key = toFetch[next++];
      stats.lookups++;
      try {
        rows.set(key, await o.lookup(key, { signal: ctx.signal }));
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.lookupConcurrency, toFetch.length) }, worker));
  // Cached only once every lookup succeeded: a failed batch is retried from scratch anyway.
  const stored = ctx.clock.now();
  for (const key of toFetch) cache?.set(key, rows.get(key), stored);
  return rows;
}
