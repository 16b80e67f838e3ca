import { describe, expect, it } from 'vitest';
import { windowAggregate } from '../../../../src/stages/windows/window-aggregate.ts';
import type { WindowAggregateOptions } from '../../../../src/stages/windows/options.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';
import { createSeededRandom } from '../../../../src/testing/seeded-random.ts';
import { SimulatedClock } from '../../../../src/testing/simulated-clock.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';

type Click = { page: string; gender: string; ms?: number };
type Row = { windowStart: number; key: string; count: number; aggregate?: unknown };
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const click = (second: number, page: string, gender = 'f', ms?: number): StreamItem<Click> => ({ value: { page, gender, ms }, partitionKey: 'u', eventTime: T0 + second * 1000 });
const perMinute = (options: Partial<WindowAggregateOptions<Click, number>> = {}) =>
  windowAggregate<Click, number>({ name: 'perPage', window: { type: 'tumbling', sizeMs: 60_000 }, key: (i) => i.value.page, ...options });
/** [window start in minutes from T0, key, count, aggregate?] */
const rows = (items: StreamItem<Row>[]) =>
  items.map(({ value }) => [(value.windowStart - T0) / 60_000, value.key, value.count, ...(value.aggregate === undefined ? [] : [value.aggregate])]);

describe('windowAggregate', () => {
  it('counts clicks per page per tumbling minute and emits each minute once the watermark passes it', async () => {
    const h = stageHarness(perMinute());
    expect(rows((await h.process([click(1, '/home'), click(2, '/cart'), click(59, '/home')])).output)).toEqual([]);
    const { output } = await h.process([click(60, '/home'), click(61, '/home')]);
    expect(rows(output)).toEqual([
      [0, '/cart', 1],
      [0, '/home', 2],
    ]);
    expect(output[0]).toEqual({ value: { windowStart: T0, windowEnd: T0 + 60_000, key: '/cart', count: 1 }, partitionKey: '/cart', eventTime: T0 + 60_000 });
    expect(rows((await h.flush('shardEnd')).output)).toEqual([[1, '/home', 2]]);
  });

  it('counts by gender per minute, in order of window end, then key', async () => {
    const h = stageHarness(windowAggregate<Click>({ window: { type: 'tumbling', sizeMs: 60_000 }, key: (i) => i.value.gender }));
    const out = (await h.process([click(1, '/a', 'm'), click(2, '/b', 'f'), click(61, '/c', 'm'), click(62, '/c', 'f'), click(3, '/c', 'f'), click(130, '/d', 'm')])).output;
    // 10:00:03 came after the watermark passed minute 0: late.
    expect(rows(out)).toEqual([
      [0, 'f', 1],
      [0, 'm', 1],
      [1, 'f', 1],
      [1, 'm', 1],
    ]);
    expect(out.map((o) => [o.partitionKey, o.eventTime])).toEqual([
      ['f', T0 + 60_000],
      ['m', T0 + 60_000],
      ['f', T0 + 120_000],
      ['m', T0 + 120_000],
    ]);
  });

  it('counts out-of-order records within the allowed lateness, and drops and counts later ones', async () => {
    const stage = perMinute({ allowedLatenessMs: 10_000 });
    const h = stageHarness(stage);
    await h.process([click(50, '/home'), click(65, '/home')]);
    // 10:00:55 is out of order but within 10 s of lateness: minute 0 is open until watermark 10:01:10.
    expect(rows((await h.process([click(55, '/home'), click(71, '/home')])).output)).toEqual([[0, '/home', 2]]);
    expect(rows((await h.process([click(30, '/home'), click(59, '/cart')])).output)).toEqual([]);
    expect(stage.stats.late).toBe(2);
    expect(rows((await h.flush('close')).output)).toEqual([[1, '/home', 2]]);
  });

  it('computes sliding windows: every record counts in each window that covers it', async () => {
    const h = stageHarness(windowAggregate<Click>({ window: { type: 'sliding', sizeMs: 60_000, slideMs: 30_000 }, key: () => 'all' }));
    const out = rows((await h.process([click(10, '/a'), click(40, '/b'), click(70, '/c')])).output);
    out.push(...rows((await h.process([click(200, '/d')])).output));
    // windows starting at -0:30, 0:00, 0:30, 1:00 (minutes from T0); those of 10:03:20 stay open
    expect(out).toEqual([
      [-0.5, 'all', 1],
      [0, 'all', 2],
      [0.5, 'all', 2],
      [1, 'all', 1],
    ]);
    expect(rows((await h.flush()).output)).toEqual([
      [2.5, 'all', 1],
      [3, 'all', 1],
    ]);
  });

  it('keeps an aggregate beside the count: the sum and mean of a field', async () => {
    const h = stageHarness(
      windowAggregate<Click, { sum: number; n: number }>({
        window: { type: 'tumbling', sizeMs: 60_000 },
        key: (i) => i.value.page,
        aggregate: { init: () => ({ sum: 0, n: 0 }), add: (a, item) => ({ sum: a.sum + (item.value.ms ?? 0), n: a.n + 1 }) },
      }),
    );
    await h.process([click(1, '/home', 'f', 100), click(2, '/home', 'f', 300), click(3, '/cart', 'f', 50)]);
    expect(h.snapshot()?.open).toEqual([
      [T0, '/home', 2, { sum: 400, n: 2 }],
      [T0, '/cart', 1, { sum: 50, n: 1 }],
    ]);
    const out = (await h.flush()).output.map(({ value }) => [value.key, value.count, value.aggregate!.sum / value.aggregate!.n]);
    expect(out).toEqual([
      ['/cart', 1, 50],
      ['/home', 2, 200],
    ]);
  });

  it.each([
    ['tumbling minutes', { type: 'tumbling', sizeMs: 60_000 }],
    ['sliding 2-minute windows every minute', { type: 'sliding', sizeMs: 120_000, slideMs: 60_000 }],
  ] as const)('emits every window exactly once when a worker restarts mid-stream from its last snapshot (%s)', async (_, window) => {
    const random = createSeededRandom(7);
    // 10 minutes of clicks, out of order by up to 40 s, and each batch opens with a straggler
    // 75 s old: some within the lateness, some beyond, some right after a restart.
    const events = Array.from({ length: 1200 }, (_, i) => click(i / 2 + (i % 20 === 0 ? -75 : Math.floor(random() * 40)), ['/a', '/b', '/c'][Math.floor(random() * 3)]));
    const batches = Array.from({ length: 60 }, (_, b) => events.slice(b * 20, b * 20 + 20));
    const stage = () => windowAggregate<Click>({ name: 'w', window, key: (i) => i.value.page, allowedLatenessMs: 10_000 });
    const first = stage();
    const uninterrupted = stageHarness(first);
    const expected: unknown[] = [];
    for (const batch of batches) expected.push(...rows((await uninterrupted.process(batch)).output));
    expected.push(...rows((await uninterrupted.flush('shardEnd')).output));
    // A sliding record is late only in the windows already closed; it still counts in the others.
    if (window.type === 'tumbling') expect(first.stats.late).toBeGreaterThan(0);

    const got: unknown[] = [];
    let h = stageHarness(stage());
    for (const [i, batch] of batches.entries()) {
      got.push(...rows((await h.process(batch)).output));
      // A crash: the next instance starts from the state checkpointed with the last batch.
      if (i % 3 === 2) h = stageHarness(stage(), { state: h.snapshot() });
    }
    got.push(...rows((await h.flush('shardEnd')).output));
    expect(got).toEqual(expected);
    expect(new Set(got.map((r) => JSON.stringify((r as unknown[]).slice(0, 2)))).size).toBe(got.length);
    expect(got.length).toBeGreaterThanOrEqual(30);
  });

  it('keeps open windows on a drain for the next owner, which finishes them', async () => {
    const before = stageHarness(perMinute());
    await before.process([click(1, '/home'), click(2, '/home')]);
    expect((await before.flush('drain')).output).toEqual([]);
    const after = stageHarness(perMinute(), { state: before.snapshot() });
    expect(rows((await after.process([click(3, '/home'), click(60, '/cart')])).output)).toEqual([[0, '/home', 3]]);
  });

  it('emits open windows early on flush, and never again: their later records are late', async () => {
    const stage = perMinute();
    const h = stageHarness(stage);
    await h.process([click(1, '/home'), click(61, '/home'), click(62, '/cart')]);
    expect(rows((await h.flush('close')).output)).toEqual([
      [1, '/cart', 1],
      [1, '/home', 1],
    ]);
    const restarted = stageHarness(stage, { state: h.snapshot() });
    expect(rows((await restarted.process([click(63, '/home'), click(121, '/home')])).output)).toEqual([]);
    expect(stage.stats.late).toBe(1);
    expect(rows((await restarted.flush()).output)).toEqual([[2, '/home', 1]]);
  });

  it('with idleAdvanceMs, moves the watermark with the clock on a quiet stream', async () => {
    const clock = new SimulatedClock(T0);
    const h = stageHarness(perMinute({ idleAdvanceMs: 5_000 }), { clock });
    clock.advance(30_000);
    await h.process([click(30, '/home')]);
    clock.advance(31_000);
    // 10:01:01: the stream has been quiet 31 s, but the watermark (10:00:56) is short of 10:01.
    expect((await h.tick()).output).toEqual([]);
    clock.advance(4_000);
    expect(rows((await h.tick()).output)).toEqual([[0, '/home', 1]]);
    expect(h.snapshot()?.watermark).toBe(T0 + 60_000);
  });

  it('with idleAdvanceMs, leaves the watermark to event time while records arrive', async () => {
    const clock = new SimulatedClock(T0 + 600_000);
    const h = stageHarness(perMinute({ idleAdvanceMs: 5_000 }), { clock });
    // A backlog read long after the fact: 10 minutes behind the clock, one batch a second.
    for (let s = 0; s < 10; s++) {
      await h.process([click(50 + s, '/home')]);
      clock.advance(1_000);
      expect((await h.tick()).output).toEqual([]);
    }
    expect(rows((await h.flush()).output)).toEqual([[0, '/home', 10]]);
  });

  it('with idleTimeoutMs, closes every window once the stream has been idle, and counts later records for them as late', async () => {
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

  it('checkpoints a compact state: the watermark and the open windows per key', async () => {
    const h = stageHarness(perMinute());
    expect(h.snapshot()).toEqual({ watermark: null, open: [] });
    await h.process([click(1, '/home'), click(2, '/home'), click(61, '/cart')]);
    expect(h.snapshot()).toEqual({ watermark: T0 + 61_000, open: [[T0 + 60_000, '/cart', 1]] });
    const big = stageHarness(perMinute());
    await big.process(Array.from({ length: 5000 }, (_, i) => click(i % 60, `/page/${i % 1000}`)));
    expect(JSON.stringify(big.snapshot()).length).toBeLessThan(100_000);
  });

  it('counts records without an event time, and refuses bad options by name', async () => {
    const stage = perMinute();
    const h = stageHarness(stage);
    expect((await h.process([{ value: { page: '/x', gender: 'f' }, partitionKey: 'u' }])).output).toEqual([]);
    expect(stage.stats.noEventTime).toBe(1);
    const tumbling = { window: { type: 'tumbling', sizeMs: 1000 }, key: () => 'k' } as const;
    expect(() => windowAggregate(null as never)).toThrow(/must be an object with window and key/);
    expect(() => windowAggregate({ window: { type: 'hopping' } as never, key: () => 'k' })).toThrow(/options.window must be/);
    expect(() => windowAggregate({ window: { type: 'tumbling', sizeMs: 0 }, key: () => 'k' })).toThrow(/options.window.sizeMs must be an integer/);
    expect(() => windowAggregate({ window: { type: 'sliding', sizeMs: 60_000 } as never, key: () => 'k' })).toThrow(/options.window.slideMs must be an integer/);
    expect(() => windowAggregate({ window: { type: 'sliding', sizeMs: 60_000, slideMs: 7_000 }, key: () => 'k' })).toThrow(/options.window.slideMs must divide/);
    expect(() => windowAggregate({ window: { type: 'sliding', sizeMs: 60_000, slideMs: 10 }, key: () => 'k' })).toThrow(/options.window.slideMs must be at least window.sizeMs \/ 1000/);
    expect(() => windowAggregate({ ...tumbling, key: 'page' as never })).toThrow(/options.key must be a function/);
    expect(() => windowAggregate({ ...tumbling, eventTime: 'ts' as never })).toThrow(/options.eventTime must be a function/);
    expect(() => windowAggregate({ ...tumbling, allowedLatenessMs: -1 })).toThrow(/options.allowedLatenessMs must be an integer ≥ 0/);
    expect(() => windowAggregate({ ...tumbling, aggregate: {} as never })).toThrow(/options.aggregate must have init/);
    expect(() => windowAggregate({ ...tumbling, idleAdvanceMs: 1.5 })).toThrow(/options.idleAdvanceMs must be an integer/);
    expect(() => windowAggregate({ ...tumbling, idleTimeoutMs: 0 })).toThrow(/options.idleTimeoutMs must be an integer ≥ 1/);
    expect(() => windowAggregate({ ...tumbling, idleAdvanceMs: 1, idleTimeoutMs: 1 })).toThrow(/options.idleTimeoutMs must not be given with options.idleAdvanceMs/);
    expect(() => windowAggregate({ ...tumbling, name: 'no spaces' })).toThrow(/options.stage.name/);
  });
});
