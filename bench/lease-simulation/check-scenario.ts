import type { Lease } from '../../src/leases/lease.ts';
import { seededRandom } from './seeded-random.ts';
import { simulatedLease, workerId } from './names.ts';

/**
 * The scenario the billing check runs on dynalite and in the simulator alike: at t0 shard sync
 * creates every lease (TRIM_HORIZON) while the workers start within 3 s; the fleet runs
 * `steadyMs`; worker 1 is drained (graceful shutdown); `drainedMs` later worker 0 is killed;
 * `killedMs` later the run ends.
 */
export interface CheckScenario {
  shards: number;
  workers: number;
  seed: number;
  steadyMs: number;
  drainedMs: number;
  killedMs: number;
}

export const PHASES = ['start + steady', 'worker drained', 'worker killed'] as const;
export type Phase = (typeof PHASES)[number];

export const DRAINED = workerId(1);
export const KILLED = workerId(0);

/** When each phase ends, ms after t0. */
export function phaseEnds(s: CheckScenario): number[] {
  return [s.steadyMs, s.steadyMs + s.drainedMs, s.steadyMs + s.drainedMs + s.killedMs];
}

/** Each worker's start, ms after t0, and the seed of its coordinator's random choices. */
export function workerStarts(s: CheckScenario): Array<{ id: string; atMs: number; seed: number }> {
  const random = seededRandom(s.seed);
  return Array.from({ length: s.workers }, (_, i) => ({ id: workerId(i), atMs: Math.floor(random() * 3000), seed: Math.floor(random() * 2 ** 32) }));
}

/** The leases shard sync creates at t0. */
export function checkLeases(s: CheckScenario): Lease[] {
  return Array.from({ length: s.shards }, (_, i) => simulatedLease(i, s.shards, 'TRIM_HORIZON'));
}

/** The phase a moment `msSinceT0` falls in: `before` t0, a phase, or `after` the last. */
export function phaseAt(s: CheckScenario, msSinceT0: number): string {
  if (msSinceT0 < 0) return 'before';
  const i = phaseEnds(s).findIndex((end) => msSinceT0 < end);
  return i === -1 ? 'after' : PHASES[i];
}
