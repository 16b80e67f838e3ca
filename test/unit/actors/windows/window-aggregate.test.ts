import { describe, expect, it } from 'vitest';
import { windowAggregate } from '../../../../src/actors/windows/window-aggregate.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';
import { SimulatedClock } from '../../../../src/testing/simulated-clock.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';

type Click = { page: string; gender: string; ms?: number };
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const click = (second: number, page: string, gender = 'f', ms?: number): StreamItem<Click> => ({ value: { page, gender, ms }, partitionKey: 'u', eventTime: T0 + second * 1000 });
const perMinute = (options: Partial<Parameters<typeof windowAggregate<Click, number>>[0]> = {}) =>
  windowAggregate<Click, number>({ name: 'perPage', window: { type: 'tumbling', sizeMs: 60_000 }, key: (i) => i.value.page, ...options });
const rows = (items: StreamItem<{ windowStart: number; key: string; count: number; aggregate?: unknown }>[]) =>
  items.map(({ value }) => [(value.windowStart - T0) / 60_000, value.key, value.count, ...(value.aggregate === undefined ? [] : [value.aggregate])]);

describe('windowAggregate', () => {
  it('counts per key per tumbling minute and emits each minute once the watermark passes it', async () => {
    const h = stageHarness(perMinute());
    expect(rows((await h.process([click(1, '/home'), click(2, '/cart'), click(59, '/home')])).output)).toEqual([]);
    expect(rows((await h.process([click(60, '/home'), click(61, '/home')])).output)).toEqual([
      [0, '/cart', 1],
      [0, '/home', 2],
    ]);
    expect(rows((await h.flush('shardEnd')).output)).toEqual([[1, '/home', 2]]);
  });

  it('counts by gender per minute as well, with the key as partition key', async () => {
    const h = stageHarness(windowAggregate<Click>({ window: { type: 'tumbling', sizeMs: 60_000 }, key: (i) => i.value.gender }));
    const out = (await h.process([click(1, '/a', 'f'), click(2, '/b', 'm'), click(3, '/c', 'f'), click(70, '/d', 'm')])).output;
    expect(rows(out)).toEqual([
      [0, 'f', 2],
      [0, 'm', 1],
    ]);
    expect(out.map((o) => [o.partitionKey, o.eventTime])).toEqual([
      ['f', T0 + 60_000],
      ['m', T0 + 60_000],
    ]);
  });

  it('counts out-of-order records within the allowed lateness, and drops later ones as late', async () => {
    const stage = perMinute({ allowedLatenessMs: 10_000 });
    const h = stageHarness(stage);
    await h.process([click(50, '/home'), click(65, '/home')]);
    // 10:00:55 is late but within 10 s of lateness: minute 0 is still open at watermark 10:01:05.
    expect(rows((await h.process([click(55, '/home'), click(71, '/home')])).output)).toEqual([[0, '/home', 2]]);
    expect(rows((await h.process([click(30, '/home')])).output)).toEqual([]);
    expect(stage.stats.late).toBe(1);
    expect(rows((await h.flush('close')).output)).toEqual([[1, '/home', 2]]);
  });

  it('computes sliding windows: every record counts in each window that covers it', async () => {
    const h = stageHarness(windowAggregate<Click>({ window: { type: 'sliding', sizeMs: 60_000, slideMs: 30_000 }, key: () => 'all' }));
    const out = rows((await h.process([click(10, '/a'), click(40, '/b'), click(70, '/c')])).output);
    out.push(...rows((await h.process([click(200, '/d')])).output));
    // windows starting at -0:30, 0:00, 0:30, 1:00 (minutes from T0)
    expect(out).toEqual([
      [-0.5, 'all', 1],
      [0, 'all', 2],
      [0.5, 'all', 2],
      [1, 'all', 1],
    ]);
  });

  it('keeps an aggregate beside the count', async () => {
    const h = stageHarness(perMinute({ aggregate: { init: () => 0, add: (sum, item) => sum + (item.value.ms ?? 0) } }));
    await h.process([click(1, '/home', 'f', 100), click(2, '/home', 'f', 300)]);
    expect(rows((await h.flush()).output)).toEqual([[0, '/home', 2, 400]]);
  });

  it('emits every window exactly once across a restart from its checkpointed state', async () => {
    const events = Array.from({ length: 600 }, (_, i) => click(i, ['/a', '/b', '/c'][i % 3]));
    const batches = Array.from({ length: 60 }, (_, b) => events.slice(b * 10, b * 10 + 10));
    const uninterrupted = stageHarness(perMinute());
    const expected = [];
    for (const batch of batches) expected.push(...rows((await uninterrupted.process(batch)).output));
    expected.push(...rows((await uninterrupted.flush('shardEnd')).output));

    const got = [];
    let h = stageHarness(perMinute());
    for (const [i, batch] of batches.entries()) {
      got.push(...rows((await h.process(batch)).output));
      if (i % 17 === 16) {
        // A drain keeps open windows in the state; the next owner continues them.
        got.push(...rows((await h.flush('drain')).output));
        h = stageHarness(perMinute(), { state: h.snapshot() });
      }
    }
    got.push(...rows((await h.flush('shardEnd')).output));
    expect(got).toEqual(expected);
    expect(got).toHaveLength(30);
  });

  it('closes windows when the stream has been idle, and counts later records for them as late', async () => {
    const clock = new SimulatedClock(T0);
    const stage = perMinute({ idleTimeoutMs: 5_000 });
    const h = stageHarness(stage, { clock });
    await h.process([click(1, '/home')]);
    clock.advance(4_000);
    expect((await h.tick()).output).toEqual([]);
    clock.advance(1_000);
    expect(rows((await h.tick()).output)).toEqual([[0, '/home', 1]]);
    await h.process([click(2, '/home')]);
    expect(stage.stats.late).toBe(1);
    expect((await h.flush()).output).toEqual([]);
  });

  it('counts records without an event time, and refuses bad options by name', async () => {
    const stage = perMinute();
    const h = stageHarness(stage);
    await h.process([{ value: { page: '/x', gender: 'f' }, partitionKey: 'u' }]);
    expect(stage.stats.noEventTime).toBe(1);
    expect(() => windowAggregate({ window: { type: 'hopping' } as never, key: () => 'k' })).toThrow(/options.window must be/);
    expect(() => windowAggregate({ window: { type: 'tumbling', sizeMs: 0 }, key: () => 'k' })).toThrow(/options.window.sizeMs must be an integer/);
    expect(() => windowAggregate({ window: { type: 'sliding', sizeMs: 60_000, slideMs: 7_000 }, key: () => 'k' })).toThrow(/options.window.slideMs must divide/);
    expect(() => windowAggregate({ window: { type: 'tumbling', sizeMs: 1000 }, key: 'page' as never })).toThrow(/options.key must be a function/);
    expect(() => windowAggregate({ window: { type: 'tumbling', sizeMs: 1000 }, key: () => 'k', allowedLatenessMs: -1 })).toThrow(/options.allowedLatenessMs/);
    expect(() => windowAggregate({ window: { type: 'tumbling', sizeMs: 1000 }, key: () => 'k', aggregate: {} as never })).toThrow(/options.aggregate must have init/);
  });
});
