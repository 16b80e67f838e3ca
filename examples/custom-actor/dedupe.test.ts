import { describe, expect, it } from 'vitest';
import { stageHarness } from '../../src/testing/index.ts';
import { dedupe } from './dedupe.ts';

const item = (id: string) => ({ value: { id }, partitionKey: id });

describe('dedupe, the custom-actor example', () => {
  it('drops repeats within a batch and across batches', async () => {
    const h = stageHarness(dedupe<{ id: string }>({ id: (v) => v.id }));
    expect((await h.process([item('a'), item('b'), item('a')])).output.map((i) => i.value.id)).toEqual(['a', 'b']);
    expect((await h.process([item('b'), item('c')])).output.map((i) => i.value.id)).toEqual(['c']);
  });

  it('forgets the oldest ids beyond `remember`', async () => {
    const h = stageHarness(dedupe<{ id: string }>({ id: (v) => v.id, remember: 2 }));
    await h.process([item('a'), item('b'), item('c')]);
    expect((await h.process([item('a'), item('c')])).output.map((i) => i.value.id)).toEqual(['a']);
  });

  it('keeps dropping after a restart from its checkpointed state', async () => {
    const stage = dedupe<{ id: string }>({ id: (v) => v.id });
    const before = stageHarness(stage);
    await before.process([item('a'), item('b')]);
    const after = stageHarness(stage, { state: before.snapshot() });
    expect((await after.process([item('b'), item('z')])).output.map((i) => i.value.id)).toEqual(['z']);
  });

  it('refuses bad options by name', () => {
    expect(() => dedupe({ id: (v: { id: string }) => v.id, remember: 0 })).toThrow(/options.remember must be a positive integer/);
    expect(() => dedupe({ id: 'id' as never })).toThrow(/options.id must be a function/);
  });
});
