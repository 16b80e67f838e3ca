import { mkdirSync, writeFileSync } from 'node:fs';
import type { ScenarioResult } from './run-scenario.ts';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const units = (n: number) => (n >= 100 ? int(n) : n.toFixed(1));
const ratio = (n: number) => n.toFixed(2);

/** Convergence as time and rounds; "not within Ns" when the window ended unbalanced. */
function converged(r: ScenarioResult): string {
  if (r.convergedMs === null) return `not within ${r.observedSeconds} s`;
  return `${(r.convergedMs / 1000).toFixed(1)} s (${r.rounds})`;
}

/** One markdown table of results: a row per scale, scenario and design; † marks a fleet that had not settled before its event. */
export function markdownTable(results: readonly ScenarioResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${int(r.shards)} × ${r.workers} | ${r.scenario} | ${r.design}${r.settled ? '' : ' †'} | ${converged(r)} | ${int(r.moves)} | ${ratio(r.countImbalance)} | ${ratio(r.throughputImbalance)} | ` +
      `${units(r.readUnitsPerSecond)} / ${int(r.readUnitsPerSecond * 3600)} | ${units(r.writeUnitsPerSecond)} / ${int(r.writeUnitsPerSecond * 3600)} | ${int(r.throttled)} |`,
  );
  return [
    '| shards × workers | scenario | design | converged in (rounds) | lease moves | count imbalance | throughput imbalance | read units /s / /h | write units /s / /h | throttled |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** Writes bench/results/<name>.json (every figure, and what each operation cost) and <name>.md (the table). */
export function writeResults(name: string, seed: number, results: readonly ScenarioResult[]): string {
  const table = markdownTable(results);
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify({ seed, results }, null, 2) + '\n');
  writeFileSync(new URL(`${name}.md`, dir), table + '\n');
  return table;
}
