import { describe, expect, it } from 'vitest';
import { resolvePartitioner } from '../../../../src/stages/sink/partitioning/partitioner.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';

const T = Date.UTC(2026, 2, 5, 7, 9);
const item = (value: unknown, eventTime: number | null = T): StreamItem => ({ value, partitionKey: 'pk', ...(eventTime === null ? {} : { eventTime }) });

describe('partitionBy', () => {
  it('renders fields, nested fields and the UTC event time into a prefix', () => {
    const partition = resolvePartitioner('page={page}/country={user.country}/dt={yyyy}-{MM}-{dd}/hour={HH}/min={mm}/')!;
    expect(partition(item({ page: 'home', user: { country: 'PT' } }))).toEqual({ prefix: 'page=home/country=PT/dt=2026-03-05/hour=07/min=09/' });
    expect(partition(item({ page: 42, user: { country: true } }))).toEqual({ prefix: 'page=42/country=true/dt=2026-03-05/hour=07/min=09/' });
  });

  it('gives the reason a record cannot be placed instead of a prefix', () => {
    const partition = resolvePartitioner('page={page}/dt={yyyy}/')!;
    const reason = (value: unknown, time: number | null = T) => {
      const placed = partition(item(value, time));
      return 'error' in placed ? `${placed.error.code}: ${placed.error.message}` : placed.prefix;
    };
    expect(reason({})).toBe('DynamicPartitioning.MetadataExtractionFailed: the record has no field page');
    expect(reason({ page: null })).toMatch(/no field page/);
    expect(reason({ page: { a: 1 } })).toMatch(/field page is object/);
    expect(reason({ page: ['a'] })).toMatch(/field page is an array/);
    expect(reason({ page: 'a/b' })).toMatch(/cannot be part of a key/);
    expect(reason({ page: '..' })).toMatch(/cannot be part of a key/);
    expect(reason({ page: '' })).toMatch(/cannot be part of a key/);
    expect(reason('not an object')).toMatch(/no field page/);
    expect(reason({ page: 'home' }, null)).toMatch(/no event time/);
  });

  it('refuses a malformed template when the sink is created, naming the problem', () => {
    expect(() => resolvePartitioner('page={page/')).toThrow(/partitionBy has an unmatched '\{'/);
    expect(() => resolvePartitioner('page=page}/')).toThrow(/unmatched '\}'/);
    expect(() => resolvePartitioner('page={}/')).toThrow(/neither a field path/);
    expect(() => resolvePartitioner('page={a b}/')).toThrow(/neither a field path/);
    expect(() => resolvePartitioner('static/')).toThrow(/at least one \{field\}/);
    expect(() => resolvePartitioner('page={page}')).toThrow(/must end with '\/'/);
    expect(() => resolvePartitioner('/page={page}/')).toThrow(/must not start with '\/'/);
    expect(() => resolvePartitioner(42 as never)).toThrow(/template string or a function/);
  });

  it('takes a function, and sends a throw or an unusable prefix to the error output', () => {
    const partition = resolvePartitioner((i) => {
      const { kind } = i.value as { kind: string };
      if (kind === 'boom') throw new Error('no kind');
      return kind;
    })!;
    expect(partition(item({ kind: 'a/' }))).toEqual({ prefix: 'a/' });
    const thrown = partition(item({ kind: 'boom' }));
    expect('error' in thrown && thrown.error.message).toBe('partitionBy threw: no kind');
    for (const kind of ['a', '/a/', '../a/']) {
      const placed = partition(item({ kind }));
      expect('error' in placed && placed.error.message).toMatch(/not a relative key prefix/);
    }
  });
});
