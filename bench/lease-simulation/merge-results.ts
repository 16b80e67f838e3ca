/**
 * Merges result files of separate runs into one, as a single run would have written it: a large
 * scale is run a scenario or a design at a time (minutes of CPU each), then merged.
 *
 *   npx tsx bench/lease-simulation/merge-results.ts --out lease-simulation-large lease-simulation-large /tmp/killed.json
 *
 * Inputs are result JSON files (a name alone is one in bench/results/); a row of a later input
 * replaces the row of the same scale, scenario and design. Rows come out in run order: by scale,
 * then scenario, then design. All inputs must have the same seed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { designs } from './run-simulation.ts';
import type { ScenarioResult } from './run-scenario.ts';
import { writeResults } from './report.ts';
import { scenarios } from './scenarios.ts';

const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
if (!values.out || positionals.length === 0) throw new Error('usage: merge-results.ts --out <name> <input.json|name>...');

const rows = new Map<string, ScenarioResult>();
let seed: number | undefined;
for (const input of positionals) {
  const path = input.endsWith('.json') ? input : new URL(`../results/${input}.json`, import.meta.url);
  const file = JSON.parse(readFileSync(path, 'utf8')) as { seed: number; results: ScenarioResult[] };
  if (seed !== undefined && file.seed !== seed) throw new Error(`${input} has seed ${file.seed}, the others ${seed}`);
  seed = file.seed;
  for (const r of file.results) rows.set(`${r.shards}×${r.workers}|${r.scenario}|${r.design}`, r);
}

const scenarioOrder = scenarios.map((s) => s.name);
const designOrder = Object.values(designs).map((d) => d.name);
const merged = [...rows.values()].sort(
  (a, b) =>
    a.shards - b.shards ||
    a.workers - b.workers ||
    scenarioOrder.indexOf(a.scenario) - scenarioOrder.indexOf(b.scenario) ||
    designOrder.indexOf(a.design) - designOrder.indexOf(b.design),
);
console.log(writeResults(values.out, seed!, merged));
