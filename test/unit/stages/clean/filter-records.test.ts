import { describe, expect, it } from 'vitest';
import { dropWhen, filterRecords } from '../../../../src/stages/clean/filter-records.ts';
import { InvalidOptionError } from '../../../../src/errors.ts';
import { Pipeline } from '../../../../src/pipeline/pipeline.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';

type Click = { path: string; userAgent?: string; status?: number };
const item = <T>(value: T): StreamItem<T> => ({ value, partitionKey: 'pk' });

describe('dropWhen', () => {
  it('drops the items the predicate picks, keeps order, and counts both', async () => {
    const stage = dropWhen('noFavicon', (i: StreamItem<Click>) => i.value.path === '/favicon.ico');
    const h = stageHarness(stage);
    const { output } = await h.process([item({ path: '/a' }), item({ path: '/favicon.ico' }), item({ path: '/b' })]);
    expect(output.map((o) => o.value.path)).toEqual(['/a', '/b']);
    await stageHarness(stage).process([item({ path: '/favicon.ico' })]);
    expect(stage.stats).toEqual({ dropped: 2, passed: 2, invalid: 0 });
    expect(stage.name).toBe('noFavicon');
  });

  it('takes the predicate first too, and fits in a Pipeline', () => {
    const stage = dropWhen((i: StreamItem<Click>) => i.value.path === '/favicon.ico');
    expect(stage.name).toBe('dropWhen');
    expect(Pipeline.from<StreamItem<Click>>().pipe(stage).stages).toHaveLength(1);
  });

  it('fails the batch when the predicate throws, so the pipeline retries it', async () => {
    const h = stageHarness(dropWhen('broken', () => {
      throw new Error('boom');
    }));
    await expect(h.process([item(1)])).rejects.toThrow('boom');
  });

  it('rejects a predicate that is not a function', () => {
    expect(() => dropWhen('x', 'nope' as never)).toThrow(InvalidOptionError);
  });
});

describe('filterRecords', () => {
  const rules = { drop: [{ field: 'path', equals: '/favicon.ico' }, { field: 'client.userAgent', matches: /bot/gi }, { field: 'status', equals: 404 }] };

  it('drops items matching any rule (dot paths, equals, matches) and passes the rest unchanged', async () => {
    const stage = filterRecords(rules);
    const keep = item<Record<string, unknown>>({ path: '/home', client: { userAgent: 'Firefox' }, status: 200 });
    const { output } = await stageHarness(stage).process([
      item({ path: '/favicon.ico' }),
      item({ path: '/a', client: { userAgent: 'Googlebot' } }),
      item({ path: '/b', client: { userAgent: 'BingBot' } }),
      item({ path: '/c', status: 404 }),
      item({ path: '/d', status: '404' }),
      keep,
    ]);
    // The global flag is ignored: two bots in a row are both dropped.
    expect(output.map((o) => o.value.path)).toEqual(['/d', '/home']);
    expect(output[1]).toBe(keep);
    expect(stage.stats).toEqual({ dropped: 4, passed: 2, invalid: 0 });
  });

  it('drops values that are not objects by default, passes them with onInvalid: pass, counting both', async () => {
    const dropping = filterRecords(rules);
    expect((await stageHarness(dropping).process([item('x' as never)])).output).toEqual([]);
    expect(dropping.stats.invalid).toBe(1);
    const passing = filterRecords({ ...rules, onInvalid: 'pass' });
    expect((await stageHarness(passing).process([item(7 as never)])).output).toEqual([item(7)]);
    expect(passing.stats).toEqual({ dropped: 0, passed: 1, invalid: 1 });
  });

  it.each([
    [{ drop: [] }, 'options.drop'],
    [{ drop: [{ field: '', equals: 1 }] }, 'options.drop[0].field'],
    [{ drop: [{ field: 'a', equals: 1, matches: /x/ }] }, 'options.drop[0] must have exactly one'],
    [{ drop: [{ field: 'a' }] }, 'options.drop[0] must have exactly one'],
    [{ drop: [{ field: 'a', equals: 1 }, { field: 'b', matches: 'x' }] }, 'options.drop[1].matches'],
    [{ drop: [{ field: 'a', equals: { x: 1 } }] }, 'options.drop[0].equals'],
    [{ drop: [{ field: 'a', equals: 1 }], onInvalid: 'fail' }, 'options.onInvalid'],
  ])('rejects bad options once, naming the field (%j)', (options, message) => {
    const create = () => filterRecords(options as never);
    expect(create).toThrow(InvalidOptionError);
    expect(create).toThrow(message);
  });
});
