/**
 * npm run simulate:check: checks the simulator's DynamoDB bill against a real fleet on dynalite.
 * The same scenario (check-scenario.ts) runs twice: with one process per worker, the real
 * coordinator, `DynamoDbLeaseStore` and SDK client against dynalite, every request sent with
 * `ReturnConsumedCapacity: 'TOTAL'` and counted by an SDK middleware; then in the simulator.
 * Prints and writes bench/results/lease-simulation-check.{json,md}.
 *
 *   npm run simulate:check -- --shards 500 --workers 10 --steady 120 --drained 60 --killed 60 --seed 1
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compare, comparisonTable, storeTable } from './check-comparison.ts';
import { runRealFleet } from './check-real-fleet.ts';
import { runSimulatedFleet } from './check-simulated-fleet.ts';
import type { CheckScenario } from './check-scenario.ts';
import { REQUEST_LATENCY_MS } from './run-simulation.ts';

const { values } = parseArgs({
  options: {
    shards: { type: 'string', default: '500' },
    workers: { type: 'string', default: '10' },
    steady: { type: 'string', default: '120' },
    drained: { type: 'string', default: '60' },
    killed: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'lease-simulation-check' },
  },
});

const scenario: CheckScenario = {
  shards: Number(values.shards),
  workers: Number(values.workers),
  seed: Number(values.seed),
  steadyMs: Number(values.steady) * 1000,
  drainedMs: Number(values.drained) * 1000,
  killedMs: Number(values.killed) * 1000,
};
const log = (line: string) => console.error(line);

log(`real fleet on dynalite: ${scenario.shards} shards, ${scenario.workers} worker processes`);
const real = await runRealFleet(scenario, log);
log(`simulator, ${REQUEST_LATENCY_MS} ms per request`);
const simulated = await runSimulatedFleet(scenario, REQUEST_LATENCY_MS);
const rows = compare(real.phases, simulated);
// Real requests take longer than the simulator's 5 ms: the same scenario at the measured median shows what that moves.
const medianMs = Math.max(1, Math.round(real.latencyMs.p50));
log(`simulator, ${medianMs} ms per request (the real median)`);
const atMedian = await runSimulatedFleet(scenario, medianMs);
const rowsAtMedian = compare(real.phases, atMedian);

const errors = Object.entries(real.errorNames).map(([name, n]) => `${n} ${name}`).join(', ') || 'none';
const latency = `Errors other than failed conditions: ${errors}. Real request round trips: mean ${real.latencyMs.mean.toFixed(1)} ms, p50 ${real.latencyMs.p50.toFixed(1)} ms, p99 ${real.latencyMs.p99.toFixed(1)} ms over ${real.latencyMs.requests.toLocaleString('en-US')} requests; the simulator's: ${REQUEST_LATENCY_MS} ms.`;
const markdown = [
  `${scenario.shards} shards × ${scenario.workers} workers, seed ${scenario.seed}: start + ${scenario.steadyMs / 1000} s, worker drained + ${scenario.drainedMs / 1000} s, worker killed + ${scenario.killedMs / 1000} s.`,
  '',
  comparisonTable(rows),
  '',
  latency,
  '',
  storeTable(real.phases, simulated),
  '',
  `The simulator at the real median latency, ${medianMs} ms per request:`,
  '',
  comparisonTable(rowsAtMedian),
  '',
  storeTable(real.phases, atMedian),
].join('\n');
const dir = new URL('../results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL(`${values.out}.json`, dir), JSON.stringify({ scenario, latencyMs: real.latencyMs, errorNames: real.errorNames, rows, rowsAtMedian, real: real.phases, simulated, atMedian }, null, 2) + '\n');
writeFileSync(new URL(`${values.out}.md`, dir), markdown + '\n');
console.log(markdown);
