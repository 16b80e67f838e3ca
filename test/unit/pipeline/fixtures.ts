import { defineStage, type Hold, type Stage } from '../../../src/pipeline/stage.ts';

/** Lets promise chains and actor transitions settle. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Emits each number n times (0 drops it). */
export function repeat(name = 'repeat'): Stage<number, number> {
  return defineStage({ name, create: () => ({ process: (items) => items.flatMap((n) => Array.from({ length: n }, () => n)) }) });
}

/** Sums everything it has seen; state survives restarts. */
export function summing(name = 'sum', log: number[][] = []): Stage<number, number, { total: number }> {
  return defineStage({
    name,
    create: () => {
      let total = 0;
      return {
        process: (items) => {
          log.push([...items]);
          for (const n of items) total += n;
          return [total];
        },
        snapshot: () => ({ total }),
        restore: (state) => {
          total = state.total;
        },
      };
    },
  });
}

/** Holds every batch until the test releases it. */
export function holding(holds: Hold[], name = 'hold'): Stage<number, never> {
  return defineStage({
    name,
    create: () => ({
      process: (items, ctx) => {
        if (items.length > 0) holds.push(ctx.hold());
        return [];
      },
    }),
  });
}

/** Throws on the first `failures` calls, then passes items on. */
export function flaky(failures: { left: number }, name = 'flaky'): Stage<number, number> {
  return defineStage({
    name,
    supervision: { minBackoffMs: 10, maxBackoffMs: 10, maxRestarts: 3, withinMs: 60_000 },
    create: () => ({
      process: (items) => {
        if (failures.left > 0) {
          failures.left--;
          throw new Error('boom');
        }
        return items;
      },
    }),
  });
}
