/**
 * npm run simulate: runs the lease scenarios for this framework's coordinator and the KCL 2.x
 * and 3.x models on a virtual clock over a lease table that bills DynamoDB capacity; prints a
 * markdown table and writes bench/results/lease-simulation.json and .md.
 *
 *   npm run simulate -- --scale small,medium --design framework,kcl2,kcl3 --scenario start,killed --seed 1
 *
 * Names select by any part of them; every scale, design and scenario by default (the large scale takes
 * 2 to 7 minutes of CPU per scenario for this framework's design; merge-results.ts merges runs of
 * separate scenarios).
 */
import { parseArgs } from 'node:util';
import { runLeaseSimulation } from './run-simulation.ts';
import { writeResults } from './report.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'small,medium,large' },
    design: { type: 'string', default: 'framework,kcl2,kcl3' },
    scenario: { type: 'string', default: '' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'lease-simulation' },
  },
});

const results = await runLeaseSimulation({
  scales: values.scale.split(','),
  designs: values.design.split(','),
  scenarios: values.scenario ? values.scenario.split(',') : [],
  seed: Number(values.seed),
  log: (line) => console.error(line),
  progress: (so) => writeResults(values.out, Number(values.seed), so),
});
console.log(writeResults(values.out, Number(values.seed), results));
