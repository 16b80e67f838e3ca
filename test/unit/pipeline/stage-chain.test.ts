import { describe, expect, it } from 'vitest';
import { KinesisActorsError } from '../../../src/errors.ts';
import { resolvePipelineOptions } from '../../../src/pipeline/options.ts';
import { Pipeline } from '../../../src/pipeline/pipeline.ts';
import { StageChain } from '../../../src/pipeline/stage-chain.ts';
import type { ChainEntry } from '../../../src/pipeline/chain-entry.ts';
import type { Hold, Stage } from '../../../src/pipeline/stage.ts';
import { defineStage } from '../../../src/pipeline/stage.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { flaky, holding, repeat, settle, summing } from './fixtures.ts';

function chainOf(stages: Stage<any, any, any>[], options: Parameters<typeof resolvePipelineOptions>[0] = {}, initialStates?: Record<string, unknown>) {
  const clock = new SimulatedClock(1_000);
  const delivered: unknown[][] = [];
  const completed: ChainEntry<number>[] = [];
  const failures: KinesisActorsError[] = [];
  const chain = new StageChain<number>({
    stages: stages as never,
    options: resolvePipelineOptions({ clock, ...options }),
    initialStates,
    deliver: (items) => {
      delivered.push(items);
      return undefined;
    },
    completed: (entry) => completed.push(entry),
    failed: (error) => failures.push(error),
    tickMeta: () => -1,
  });
  chain.open();
  return { chain, clock, delivered, completed, failures };
}

describe('StageChain', () => {
  it('passes each batch through every stage; a stage may emit none, one or many', async () => {
    const { chain, delivered, completed } = chainOf([repeat(), summing()]);
    const a = await chain.push([2, 0, 1], 1);
    const b = await chain.push([0], 2);
    await Promise.all([a.done, b.done]);
    expect(delivered).toEqual([[5], []]);
    expect(completed.map((e) => [e.meta, e.states])).toEqual([
      [1, { sum: { total: 5 } }],
      [2, { sum: { total: 5 } }],
    ]);
    await chain.close();
  });

  it('completes entries in order, each only once its holds are released', async () => {
    const holds: Hold[] = [];
    const { chain, completed } = chainOf([holding(holds)]);
    const first = await chain.push([1], 1);
    const second = await chain.push([2], 2);
    await settle();
    expect(holds).toHaveLength(2);
    holds[1].release();
    await settle();
    expect(completed).toHaveLength(0);
    holds[0].release();
    await Promise.all([first.done, second.done]);
    expect(completed.map((e) => e.meta)).toEqual([1, 2]);
    await chain.close();
  });

  it('holds push back while maxInFlightBatches are in the stages', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = defineStage<number, number>({ name: 'slow', create: () => ({ process: async (items) => (await gate, items) }) });
    const { chain } = chainOf([slow], { maxInFlightBatches: 2 });
    await chain.push([1], 1);
    await chain.push([2], 2);
    let third = false;
    const pushing = chain.push([3], 3).then(() => (third = true));
    await settle();
    expect(third).toBe(false);
    release();
    await pushing;
    expect(third).toBe(true);
    await chain.close();
  });

  it('restarts a failing stage with backoff, restores its state and retries the same batch', async () => {
    const log: number[][] = [];
    const failures = { left: 2 };
    const { chain, clock, delivered } = chainOf([summing('sum', log), flaky(failures)]);
    const first = await chain.push([1, 2], 1);
    const second = await chain.push([3], 2);
    await settle();
    expect(delivered).toEqual([]);
    for (let i = 0; i < 4; i++) {
      clock.advance(50);
      await settle();
    }
    await Promise.all([first.done, second.done]);
    // The summing stage ran each batch once; the flaky one was retried with the same batch.
    expect(log).toEqual([[1, 2], [3]]);
    expect(delivered).toEqual([[3], [6]]);
    await chain.close();
  });

  it('fails the chain past the restart cap; pushes then reject with PIPELINE_FAILED', async () => {
    const { chain, clock, failures } = chainOf([flaky({ left: 100 })]);
    const { done } = await chain.push([1], 1);
    for (let i = 0; i < 10; i++) {
      clock.advance(50);
      await settle();
    }
    await expect(done).rejects.toMatchObject({ code: 'PIPELINE_FAILED' });
    expect(failures[0].message).toContain('stage:flaky kept failing');
    await expect(chain.push([2], 2)).rejects.toMatchObject({ code: 'PIPELINE_FAILED' });
    await chain.close();
  });

  it('fails when a stage fails a hold, or crashes while holding earlier batches', async () => {
    const holds: Hold[] = [];
    const one = chainOf([holding(holds)]);
    const { done } = await one.chain.push([1], 1);
    await settle();
    holds[0].fail(new Error('disk full'));
    await expect(done).rejects.toMatchObject({ code: 'PIPELINE_FAILED', cause: new Error('disk full') });
    await one.chain.close();

    let calls = 0;
    const held: Hold[] = [];
    const crashing = defineStage<number, never>({
      name: 'crashing',
      create: () => ({
        process: (items, ctx) => {
          if (++calls === 2) throw new Error('crash');
          held.push(ctx.hold());
          return [];
        },
      }),
    });
    const two = chainOf([crashing]);
    const a = await two.chain.push([1], 1);
    await two.chain.push([2], 2);
    await expect(a.done).rejects.toThrow(/failed while it held 1 unfinished batch/);
    await two.chain.close();
  });

  it('ticks stages that have a tick, and flushes every stage in order on drain', async () => {
    const calls: string[] = [];
    const ticking = defineStage<number, number>({
      name: 'ticking',
      create: () => ({
        process: (items) => items,
        tick: (now) => (calls.push(`tick@${now}`), [now]),
        flush: () => (calls.push('flush:a'), [7]),
      }),
    });
    const last = defineStage<number, number>({ name: 'last', create: () => ({ process: (items) => items, flush: () => (calls.push('flush:b'), []) }) });
    const { chain, clock, delivered, completed } = chainOf([ticking, last], { tickIntervalMs: 100 });
    clock.advance(100);
    await settle();
    expect(calls).toEqual(['tick@1100']);
    expect(delivered).toEqual([[1100]]);
    await chain.drain(9, 'drain');
    expect(calls).toEqual(['tick@1100', 'flush:a', 'flush:b']);
    expect(delivered.at(-1)).toEqual([7]);
    expect(completed.map((e) => [e.kind, e.meta])).toEqual([
      ['tick', -1],
      ['flush', 9],
    ]);
    await chain.close();
  });

  it('restores each stage from the given initial states', async () => {
    const { chain, delivered } = chainOf([summing()], {}, { sum: { total: 40 } });
    const { done } = await chain.push([2], 1);
    await done;
    expect(delivered).toEqual([[42]]);
    await chain.close();
  });

  it('rejects pushes after close, and abandons what is not complete', async () => {
    const holds: Hold[] = [];
    const { chain } = chainOf([holding(holds)]);
    const { done } = await chain.push([1], 1);
    await chain.close();
    await chain.close();
    await expect(done).rejects.toMatchObject({ code: 'PIPELINE_CLOSED' });
    await expect(chain.push([2], 2)).rejects.toMatchObject({ code: 'PIPELINE_CLOSED' });
  });
});

describe('Pipeline and defineStage', () => {
  it('refuse bad stages with errors that name the field', () => {
    expect(() => defineStage({ name: 'has space', create: () => ({ process: () => [] }) })).toThrow(/options.stage.name must be/);
    expect(() => defineStage({ name: 'x' } as never)).toThrow(/options.stage.create must be a function/);
    expect(() => Pipeline.from<number>().pipe(repeat('a')).pipe(repeat('a'))).toThrow(/must be unique in a pipeline; "a"/);
    expect(() => Pipeline.from<number>().pipe({} as never)).toThrow(/options.stage must be a stage/);
  });

  it('refuses bad pipeline options', () => {
    expect(() => resolvePipelineOptions({ maxInFlightBatches: 0 })).toThrow(/options.maxInFlightBatches must be an integer from 1/);
    expect(() => resolvePipelineOptions({ tickIntervalMs: -1 })).toThrow(/options.tickIntervalMs/);
  });
});
