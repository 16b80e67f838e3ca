import { describe, expect, it } from 'vitest';
import { KinesisActorsError } from '../../../src/errors.ts';
import { Pipeline } from '../../../src/pipeline/pipeline.ts';
import { createProducerPipeline } from '../../../src/pipeline/producer-pipeline.ts';
import { defineStage } from '../../../src/pipeline/stage.ts';
import type { StreamItem } from '../../../src/pipeline/stream-item.ts';
import type { PutOptions } from '../../../src/producer/user-record.ts';

function fakeTarget(fail?: (value: unknown) => Error | undefined) {
  const puts: { value: unknown; options: PutOptions }[] = [];
  return {
    puts,
    async put(value: unknown, options: PutOptions) {
      const error = fail?.(value);
      if (error) throw error;
      puts.push({ value, options });
      return { sequenceNumber: String(puts.length) };
    },
  };
}

type Click = { page: string; ip?: string };

const dropFavicon = defineStage<StreamItem, StreamItem>({
  name: 'dropFavicon',
  create: () => ({ process: (items) => items.filter((i) => (i.value as Click).page !== '/favicon.ico') }),
});
const route = defineStage<StreamItem, StreamItem>({
  name: 'route',
  create: () => ({ process: (items) => items.flatMap((i) => [i, { ...i, stream: 'audit', value: { audited: (i.value as Click).page } }]) }),
});

describe('ProducerPipeline', () => {
  it('transforms, filters and routes before the put, and resolves with every put result', async () => {
    const clicks = fakeTarget();
    const audit = fakeTarget();
    const pipeline = createProducerPipeline({ pipeline: Pipeline.from<StreamItem>().pipe(dropFavicon).pipe(route), targets: { clicks, audit } });
    expect(await pipeline.put({ page: '/favicon.ico' }, { partitionKey: 'u1' })).toEqual([]);
    expect(await pipeline.put({ page: '/home' }, { partitionKey: 'u1' })).toEqual([{ sequenceNumber: '1' }, { sequenceNumber: '1' }]);
    expect(clicks.puts).toEqual([{ value: { page: '/home' }, options: { partitionKey: 'u1' } }]);
    expect(audit.puts).toEqual([{ value: { audited: '/home' }, options: { partitionKey: 'u1' } }]);
    await pipeline.close();
  });

  it('rejects a put with the target error, or UNKNOWN_STREAM, and keeps working', async () => {
    const target = fakeTarget((value) => ((value as Click).page === '/bad' ? new KinesisActorsError('RECORD_TOO_LARGE', 'too big') : undefined));
    const toNowhere = defineStage<StreamItem, StreamItem>({ name: 'toNowhere', create: () => ({ process: (items) => items.map((i) => ({ ...i, stream: (i.value as Click).page === '/lost' ? 'nowhere' : undefined })) }) });
    const pipeline = createProducerPipeline({ pipeline: Pipeline.from<StreamItem>().pipe(toNowhere), targets: target });
    await expect(pipeline.put({ page: '/bad' }, { partitionKey: 'k' })).rejects.toMatchObject({ code: 'RECORD_TOO_LARGE' });
    await expect(pipeline.put({ page: '/lost' }, { partitionKey: 'k' })).rejects.toMatchObject({ code: 'UNKNOWN_STREAM', message: expect.stringContaining('"nowhere"') });
    await expect(pipeline.put({ page: '/ok' }, { partitionKey: 'k' })).resolves.toHaveLength(1);
    await pipeline.close();
    await expect(pipeline.put({ page: '/late' }, { partitionKey: 'k' })).rejects.toMatchObject({ code: 'PIPELINE_CLOSED' });
  });

  it('flushes buffering stages on close', async () => {
    const target = fakeTarget();
    const batching = defineStage<StreamItem, StreamItem>({
      name: 'batching',
      create: () => {
        let buffered: StreamItem[] = [];
        return {
          process: (items) => ((buffered = buffered.concat(items)), []),
          flush: () => [{ value: buffered.map((i) => i.value), partitionKey: 'batch' }],
        };
      },
    });
    const pipeline = createProducerPipeline({ pipeline: Pipeline.from<StreamItem>().pipe(batching), targets: target });
    await pipeline.put(1, { partitionKey: 'a' });
    await pipeline.put(2, { partitionKey: 'b' });
    await Promise.all([pipeline.close(), pipeline.close()]);
    expect(target.puts).toEqual([{ value: [1, 2], options: { partitionKey: 'batch' } }]);
  });

  it('refuses bad options with errors that name them', () => {
    const pipeline = Pipeline.from<StreamItem>();
    expect(() => createProducerPipeline({ pipeline, targets: {} })).toThrow(/options.targets must name at least one producer/);
    expect(() => createProducerPipeline({ pipeline, targets: { a: {} as never } })).toThrow(/options.targets.a must have a put/);
    expect(() => createProducerPipeline({ pipeline: undefined as never, targets: fakeTarget() })).toThrow(/options.pipeline must be a Pipeline/);
  });
});
