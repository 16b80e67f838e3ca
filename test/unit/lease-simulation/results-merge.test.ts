import { describe, expect, it } from 'vitest';
import { mergeResults } from '../../../bench/lease-simulation/results-merge.ts';
import type { ScenarioResult } from '../../../bench/lease-simulation/run-scenario.ts';

const row = (shards: number, scenario: string, design: string, moves = 0) => ({ shards, workers: shards / 50, scenario, design, moves }) as unknown as ScenarioResult;

describe('mergeResults', () => {
  it('orders rows as one run writes them: by scale, then scenario, then design', () => {
    const kcl = { seed: 1, results: [row(10_000, 'worker killed', 'KCL 2.x model'), row(10_000, 'worker killed', 'KCL 3.x model')] };
    const framework = { seed: 1, results: [row(10_000, 'worker drained', 'this framework'), row(10_000, 'start', 'this framework'), row(10_000, 'worker killed', 'this framework'), row(1000, 'start', 'this framework')] };
    const merged = mergeResults([kcl, framework]);
    expect(merged.seed).toBe(1);
    expect(merged.results.map((r) => `${r.shards} ${r.scenario} ${r.design}`)).toEqual([
      '1000 start this framework',
      '10000 start this framework',
      '10000 worker killed this framework',
      '10000 worker killed KCL 2.x model',
      '10000 worker killed KCL 3.x model',
      '10000 worker drained this framework',
    ]);
  });

  it('keeps the row of the later file when two have the same scale, scenario and design', () => {
    const merged = mergeResults([
      { seed: 1, results: [row(1000, 'start', 'this framework', 5), row(1000, 'start', 'KCL 2.x model', 7)] },
      { seed: 1, results: [row(1000, 'start', 'this framework', 9)] },
    ]);
    expect(merged.results.map((r) => [r.design, r.moves])).toEqual([
      ['this framework', 9],
      ['KCL 2.x model', 7],
    ]);
  });

  it('refuses files of different seeds, and nothing to merge', () => {
    expect(() => mergeResults([{ seed: 1, results: [] }, { seed: 2, results: [] }])).toThrow('results of seed 2 do not merge with seed 1');
    expect(() => mergeResults([])).toThrow('no results to merge');
  });
});
