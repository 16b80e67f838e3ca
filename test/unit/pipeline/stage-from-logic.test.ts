import { assign, fromPromise, setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { resolvePipelineOptions } from '../../../src/pipeline/options.ts';
import { StageChain } from '../../../src/pipeline/stage-chain.ts';
import { stageFromLogic, type StageLogicInput } from '../../../src/pipeline/stage-from-logic.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { stageHarness } from '../../../src/testing/stage-harness.ts';
import { settle } from './fixtures.ts';

/** A machine that keeps a running maximum and emits every new high. */
const highs = setup({
  types: { input: {} as StageLogicInput<number, number>, context: {} as { max: number; out: number[]; items: readonly number[] } },
}).createMachine({
  context: ({ input }) => ({ max: input.state ?? Number.NEGATIVE_INFINITY, out: [], items: input.items }),
  initial: 'scanning',
  states: {
    scanning: {
      always: {
        target: 'done',
        actions: assign(({ context }) => {
          let max = context.max;
          const out: number[] = [];
          for (const n of context.items) if (n > max) out.push((max = n));
          return { max, out };
        }),
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ items: context.out, state: context.max }),
});

describe('stageFromLogic', () => {
  it('runs a machine per batch, carrying its state across batches and restarts', async () => {
    const stage = stageFromLogic<number, number, number>('highs', highs);
    const h = stageHarness(stage);
    expect((await h.process([3, 1, 5])).output).toEqual([3, 5]);
    expect((await h.process([4, 9])).output).toEqual([9]);
    const restarted = stageHarness(stage, { state: h.snapshot() });
    expect((await restarted.process([8, 10])).output).toEqual([10]);
  });

  it('runs a promise logic; its failure crashes the stage actor and the supervisor retries the batch', async () => {
    let failures = 1;
    const stage = stageFromLogic<number, number>(
      'double',
      fromPromise<{ items: number[] }, StageLogicInput<number, never>>(async ({ input }) => {
        if (failures-- > 0) throw new Error('lookup down');
        return { items: input.items.map((n) => n * 2) };
      }),
    );
    const clock = new SimulatedClock(0);
    const delivered: unknown[][] = [];
    const chain = new StageChain<number>({
      stages: [stage] as never,
      options: resolvePipelineOptions({ clock, supervision: { minBackoffMs: 5, maxBackoffMs: 5 } }),
      deliver: (items) => void delivered.push(items),
      completed: () => {},
      failed: () => {},
      tickMeta: () => 0,
    });
    chain.open();
    const { done } = await chain.push([1, 2], 1);
    await settle();
    clock.advance(10);
    await done;
    expect(delivered).toEqual([[2, 4]]);
    await chain.close();
  });
});
