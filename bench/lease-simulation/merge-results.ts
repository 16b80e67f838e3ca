/**
 * Merges results files of separate runs into one, as a single run would have written it: the
 * large scale is run a scenario or a design at a time (minutes of CPU each), then merged.
 *
 *   npx tsx bench/lease-simulation/merge-results.ts --out lease-simulation-large lease-simulation-large /tmp/killed.json
 *
 * Inputs are result JSON files (a bare name is one in bench/results/); see {@link mergeResults}.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeResults } from './report.ts';
import { mergeResults, type ResultsFile } from './results-merge.ts';

const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
if (!values.out || positionals.length === 0) throw new Error('usage: merge-results.ts --out <name> <input.json|name>...');
const files = positionals.map((input) => {
  const path = input.endsWith('.json') ? input : new URL(`../results/${input}.json`, import.meta.url);
  return JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
});
const merged = mergeResults(files);
console.log(writeResults(values.out, merged.seed, merged.results));
