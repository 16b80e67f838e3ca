import { describe, expect, it } from 'vitest';
import { enrich } from '../../../../src/stages/enrich/enrich.ts';
import { InvalidOptionError } from '../../../../src/errors.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';
import { SimulatedClock } from '../../../../src/testing/simulated-clock.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';

type Click = { page: string; region?: string };
type Region = { regionName: string };
const click = (region: string | undefined, page = '/'): StreamItem<Click> => ({ value: region === undefined ? { page } : { page, region }, partitionKey: `pk-${page}`, eventTime: 5 });
const byRegion = (item: StreamItem<Click>) => item.value.region;
const regions = new Map<string, Region>([
  ['eu', { regionName: 'Europe' }],
  ['us', { regionName: 'United States' }],
]);

/** A lookup function that records its calls and can be told to fail. */
function recordingLookup(table: ReadonlyMap<string, Region>) {
  const calls: string[] = [];
  const lookup = async (key: string) => {
    calls.push(key);
    await Promise.resolve();
    if (key === 'broken') throw new Error('lookup service unavailable');
    return table.get(key);
  };
  return { calls, lookup };
}

describe('enrich', () => {
  it('merges each item with its row by default, keeping partition key and event time', async () => {
    const { output } = await stageHarness(enrich({ lookup: regions, key: byRegion })).process([click('eu', '/a'), click('us', '/b')]);
    expect(output).toEqual([
      { value: { page: '/a', region: 'eu', regionName: 'Europe' }, partitionKey: 'pk-/a', eventTime: 5 },
      { value: { page: '/b', region: 'us', regionName: 'United States' }, partitionKey: 'pk-/b', eventTime: 5 },
    ]);
  });

  it('reads a plain object table, ignoring inherited keys, and uses a custom merge', async () => {
    const stage = enrich({
      lookup: { eu: { regionName: 'Europe' } } as Record<string, Region>,
      key: byRegion,
      merge: (item, row) => ({ page: item.value.page, where: row?.regionName ?? '?' }),
    });
    const { output } = await stageHarness(stage).process([click('eu'), click('toString')]);
    expect(output.map((o) => o.value)).toEqual([
      { page: '/', where: 'Europe' },
      { page: '/', where: '?' },
    ]);
  });

  it("passes items without a row (or key) merged with nothing by default ('pass')", async () => {
    const stage = enrich({ lookup: regions, key: byRegion });
    const { output } = await stageHarness(stage).process([click('mars'), click(undefined)]);
    expect(output.map((o) => o.value)).toEqual([{ page: '/', region: 'mars' }, { page: '/' }]);
    expect(stage.stats).toMatchObject({ missing: 2, dropped: 0 });
  });

  it("drops items without a row with onMissing: 'drop', and counts them", async () => {
    const stage = enrich({ lookup: regions, key: byRegion, onMissing: 'drop' });
    const { output } = await stageHarness(stage).process([click('mars'), click('eu'), click(undefined)]);
    expect(output.map((o) => o.value.region)).toEqual(['eu']);
    expect(stage.stats).toMatchObject({ missing: 2, dropped: 2 });
  });

  it("merges items without a row with defaultRow with onMissing: 'default'", async () => {
    const stage = enrich({ lookup: regions, key: byRegion, onMissing: 'default', defaultRow: { regionName: 'unknown' } });
    const { output } = await stageHarness(stage).process([click('mars')]);
    expect(output[0].value).toEqual({ page: '/', region: 'mars', regionName: 'unknown' });
  });

  it('sets outputStream on every output', async () => {
    const { output } = await stageHarness(enrich({ lookup: regions, key: byRegion, outputStream: 'clicks-enriched' })).process([click('eu'), click('nowhere')]);
    expect(output.map((o) => o.stream)).toEqual(['clicks-enriched', 'clicks-enriched']);
  });

  it('looks each distinct key of a batch up once, misses included, and caches across batches', async () => {
    const { calls, lookup } = recordingLookup(regions);
    const stage = enrich({ lookup, key: byRegion });
    const h = stageHarness(stage);
    const { output } = await h.process([click('eu', '/1'), click('us', '/2'), click('eu', '/3'), click('mars', '/4'), click('mars', '/5'), click(undefined, '/6')]);
    expect(output.map((o) => (o.value as Click & Partial<Region>).regionName)).toEqual(['Europe', 'United States', 'Europe', undefined, undefined, undefined]);
    expect(calls.sort()).toEqual(['eu', 'mars', 'us']);
    await h.process([click('eu'), click('mars')]);
    expect(calls).toHaveLength(3);
    expect(stage.stats).toEqual({ lookups: 3, cacheHits: 2, missing: 4, dropped: 0 });
  });

  it('looks keys up again once their cache entry is older than cacheTtlMs', async () => {
    const clock = new SimulatedClock(1_000);
    const { calls, lookup } = recordingLookup(regions);
    const h = stageHarness(enrich({ lookup, key: byRegion, cacheTtlMs: 500 }), { clock });
    await h.process([click('eu')]);
    clock.advance(499);
    await h.process([click('eu')]);
    expect(calls).toEqual(['eu']);
    clock.advance(1);
    await h.process([click('eu')]);
    expect(calls).toEqual(['eu', 'eu']);
  });

  it('evicts the least recently used key past cacheSize', async () => {
    const { calls, lookup } = recordingLookup(regions);
    const h = stageHarness(enrich({ lookup, key: byRegion, cacheSize: 2 }));
    await h.process([click('eu')]);
    await h.process([click('us')]);
    await h.process([click('eu')]); // eu is now the most recent
    await h.process([click('mars')]); // evicts us
    await h.process([click('eu'), click('us')]);
    expect(calls).toEqual(['eu', 'us', 'mars', 'us']);
  });

  it('keeps no cache with cacheSize: 0', async () => {
    const { calls, lookup } = recordingLookup(regions);
    const h = stageHarness(enrich({ lookup, key: byRegion, cacheSize: 0 }));
    await h.process([click('eu'), click('eu')]);
    await h.process([click('eu')]);
    expect(calls).toEqual(['eu', 'eu']);
  });

  it('runs at most lookupConcurrency lookups at once', async () => {
    let active = 0;
    let peak = 0;
    const lookup = async (key: string) => {
      peak = Math.max(peak, ++active);
      await new Promise((resolve) => setImmediate(resolve));
      active--;
      return { regionName: key };
    };
    const keys = Array.from({ length: 20 }, (_, i) => click(`r${i}`));
    const { output } = await stageHarness(enrich({ lookup, key: byRegion, lookupConcurrency: 3 })).process(keys);
    expect(output).toHaveLength(20);
    expect(peak).toBe(3);
  });

  it('fails the batch when the lookup throws, caching nothing of it, so the retried batch looks up again', async () => {
    const { calls, lookup } = recordingLookup(regions);
    const h = stageHarness(enrich({ lookup, key: byRegion, lookupConcurrency: 1 }));
    await expect(h.process([click('eu'), click('broken')])).rejects.toThrow('lookup service unavailable');
    await h.process([click('eu')]);
    expect(calls).toEqual(['eu', 'broken', 'eu']);
  });

  const noRows = async (): Promise<Region | undefined> => undefined;
  it.each([
    [{ key: byRegion }, 'options.lookup'],
    [{ lookup: regions }, 'options.key'],
    [{ lookup: regions, key: byRegion, onMissing: 'skip' }, 'options.onMissing'],
    [{ lookup: regions, key: byRegion, onMissing: 'default' }, 'options.defaultRow is required'],
    [{ lookup: regions, key: byRegion, defaultRow: {} }, 'options.defaultRow is used only'],
    [{ lookup: regions, key: byRegion, outputStream: '' }, 'options.outputStream'],
    [{ lookup: regions, key: byRegion, cacheSize: 10 }, 'options.cacheSize'],
    [{ lookup: noRows, key: byRegion, cacheSize: -1 }, 'options.cacheSize'],
    [{ lookup: noRows, key: byRegion, cacheTtlMs: 0 }, 'options.cacheTtlMs'],
    [{ lookup: noRows, key: byRegion, lookupConcurrency: 0 }, 'options.lookupConcurrency'],
  ])('rejects bad options once, naming the field (%j)', (options, message) => {
    const create = () => enrich(options as never);
    expect(create).toThrow(InvalidOptionError);
    expect(create).toThrow(message);
  });
});
