import { designs } from './run-simulation.ts';
import type { ScenarioResult } from './run-scenario.ts';
import { scenarios } from './scenarios.ts';

/** A results file as `writeResults` writes it. */
export interface ResultsFile {
  seed: number;
  results: ScenarioResult[];
}

/**
 * Merges results files of separate runs into what one run would have written: a row of a later
 * file replaces the row of the same scale, scenario and design; rows come out in run order (by
 * scale, then scenario, then design). Files of different seeds do not merge.
 */
export function mergeResults(files: readonly ResultsFile[]): ResultsFile {
  if (files.length === 0) throw new TypeError('no results to merge');
  const seed = files[0].seed;
  const rows = new Map<string, ScenarioResult>();
  for (const file of files) {
    if (file.seed !== seed) throw new TypeError(`results of seed ${file.seed} do not merge with seed ${seed}`);
    for (const r of file.results) rows.set(`${r.shards}×${r.workers}|${r.scenario}|${r.design}`, r);
  }
  const scenarioOrder = scenarios.map((s) => s.name);
  const designOrder = Object.values(designs).map((d) => d.name);
  const results = [...rows.values()].sort(
    (a, b) =>
      a.shards - b.shards ||
      a.workers - b.workers ||
      scenarioOrder.indexOf(a.scenario) - scenarioOrder.indexOf(b.scenario) ||
      designOrder.indexOf(a.design) - designOrder.indexOf(b.design),
  );
  return { seed, results };
}
