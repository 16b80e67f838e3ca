import { newOnDemandTable } from './capacity-budget.ts';
import type { Design } from './fleet.ts';
import { frameworkDesign } from './framework-fleet.ts';
import { kcl2Design } from './kcl2-fleet.ts';
import { kcl3Design } from './kcl3-fleet.ts';
import { runScenario, type ScenarioResult } from './run-scenario.ts';
import { scales } from './scales.ts';
import { scenarios } from './scenarios.ts';

/** Virtual time per DynamoDB request (and per Scan or Query page): a typical in-region latency. */
export const REQUEST_LATENCY_MS = 5;

export const designs: Record<string, Design> = { framework: frameworkDesign, kcl2: kcl2Design, kcl3: kcl3Design };

export interface SimulationSelection {
  /** Scale names (small, medium, large); a part of the name matches. */
  scales: readonly string[];
  /** Design keys (framework, kcl2, kcl3). */
  designs: readonly string[];
  /** Parts of scenario names; empty for all. */
  scenarios: readonly string[];
  seed: number;
  log?: (line: string) => void;
  /** Called with the results so far after each scenario, so a long run can be written as it goes. */
  progress?: (results: readonly ScenarioResult[]) => void;
}

const picks = (name: string, wanted: readonly string[]) => wanted.length === 0 || wanted.some((w) => name.includes(w.trim()));

/**
 * Runs the selected scenarios: for each scale, each scenario, each design, on a new on-demand
 * table (12,000 read and 4,000 write units per second before it throttles).
 */
export async function runLeaseSimulation(selection: SimulationSelection): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scale of scales.filter((s) => picks(s.name, selection.scales))) {
    for (const scenario of scenarios.filter((s) => picks(s.name, selection.scenarios))) {
      for (const [key, design] of Object.entries(designs).filter(([k]) => picks(k, selection.designs))) {
        const started = performance.now();
        const result = await runScenario(design, scenario, {
          shards: scale.shards,
          workers: scale.workers,
          seed: selection.seed,
          limits: newOnDemandTable,
          latencyMs: REQUEST_LATENCY_MS,
          observeMs: scale.observeMs,
          settleMaxMs: scale.settleMaxMs,
        });
        results.push(result);
        selection.progress?.(results);
        selection.log?.(`  lease simulation ${scale.name} ${scenario.name} ${key}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
    }
  }
  return results;
}
