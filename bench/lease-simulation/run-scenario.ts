import { spentBetween, type CapacityTotals } from './capacity-meter.ts';
import type { Design } from './fleet.ts';
import type { Sample } from './lease-observer.ts';
import type { Scenario } from './scenarios.ts';
import { SimulationRun, type RunOptions } from './simulation-run.ts';

export interface ScenarioOptions extends RunOptions {
  /** How long after t0 the fleet is watched and billed. */
  observeMs: number;
  /** Longest the fleet may take to settle before t0 (scenarios other than start). */
  settleMaxMs: number;
}

export interface ScenarioResult {
  design: string;
  scenario: string;
  shards: number;
  workers: number;
  /**
   * From t0 to the first of the samples (one a second) that stay balanced to the end of the window;
   * null when the window ends unbalanced.
   */
  convergedMs: number | null;
  /** convergedMs in the design's balancing rounds (taker or leader interval), rounded up. */
  rounds: number | null;
  /** Owner changes after t0. */
  moves: number;
  /** At the end of the window: the most loaded worker over the fair share, by count and by throughput. */
  countImbalance: number;
  throughputImbalance: number;
  readUnitsPerSecond: number;
  writeUnitsPerSecond: number;
  throttled: number;
  spent: CapacityTotals;
  observedSeconds: number;
  /**
   * From t0 to the last take of a lease no live worker was processing (free, expired, or handed
   * over) within the window: a killed worker's failover, a drained worker's hand-off. Null when
   * the design does not report takes, or none happened.
   */
  pickedUpMs?: number | null;
  /** Whether the fleet had settled (balanced for 30 s) before t0. */
  settled: boolean;
}

const SAMPLE_MS = 1000;
const SETTLED_FOR_MS = 30_000;

/** Runs one scenario for one design at one scale; deterministic for a seed. */
export async function runScenario(design: Design, scenario: Scenario, options: ScenarioOptions): Promise<ScenarioResult> {
  const run = new SimulationRun(design, options);
  const { clock } = run;
  let settled = true;
  if (!scenario.fromStart) {
    run.seedLeases();
    run.startFleet();
    let balancedSince: number | undefined;
    settled = false;
    while (clock.now() < options.settleMaxMs) {
      await clock.runUntil(clock.now() + SAMPLE_MS);
      if (!run.observer.sample(run.live).balanced) balancedSince = undefined;
      else if ((balancedSince ??= clock.now()) <= clock.now() - SETTLED_FOR_MS) {
        settled = true;
        break;
      }
    }
  }
  const t0 = clock.now();
  const before = run.meter.reading();
  run.observer.moves = 0;
  if (scenario.fromStart) run.startFleet();
  await scenario.apply(run);
  const samples: Array<{ at: number; sample: Sample }> = [];
  while (clock.now() < t0 + options.observeMs) {
    await clock.runUntil(Math.min(t0 + options.observeMs, clock.now() + SAMPLE_MS));
    samples.push({ at: clock.now() - t0, sample: run.observer.sample(run.live) });
  }
  const spent = spentBetween(before, run.meter.reading());
  const pickups = run.fleet.pickups?.().filter((at) => at >= t0 && at <= t0 + options.observeMs) ?? [];
  await run.during(run.fleet.stopAll());
  const last = samples.at(-1)!.sample;
  const unbalanced = samples.findLastIndex((s) => !s.sample.balanced);
  const convergedMs = last.balanced ? samples[unbalanced + 1].at : null;
  const seconds = options.observeMs / 1000;
  return {
    design: design.name,
    scenario: scenario.name,
    shards: options.shards,
    workers: options.workers,
    convergedMs,
    rounds: convergedMs === null ? null : Math.ceil(convergedMs / run.fleet.roundMillis),
    moves: run.observer.moves,
    pickedUpMs: pickups.length === 0 ? null : Math.max(...pickups) - t0,
    countImbalance: last.countImbalance,
    throughputImbalance: last.throughputImbalance,
    readUnitsPerSecond: spent.readUnits / seconds,
    writeUnitsPerSecond: spent.writeUnits / seconds,
    throttled: spent.throttled,
    spent,
    observedSeconds: seconds,
    settled,
  };
}
