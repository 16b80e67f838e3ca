import { describe, expect, it } from 'vitest';
import { newLease, type Lease } from '../../../src/leases/lease.ts';
import { runScenario, type ScenarioOptions } from '../../../bench/lease-simulation/run-scenario.ts';
import { scenarios } from '../../../bench/lease-simulation/scenarios.ts';
import { designs } from '../../../bench/lease-simulation/run-simulation.ts';
import { newOnDemandTable } from '../../../bench/lease-simulation/capacity-budget.ts';
import { VirtualClock } from '../../../bench/lease-simulation/virtual-clock.ts';
import { rebalance, type WorkerLoad } from '../../../bench/lease-simulation/kcl3-assignment.ts';
import { SimulationRun } from '../../../bench/lease-simulation/simulation-run.ts';
import { simulatedLease } from '../../../bench/lease-simulation/names.ts';

const small: ScenarioOptions = { shards: 6, workers: 2, seed: 7, limits: newOnDemandTable, latencyMs: 5, observeMs: 120_000, settleMaxMs: 300_000 };
const scenario = (name: string) => scenarios.find((s) => s.name.includes(name))!;

describe('VirtualClock', () => {
  it('fires timers in time order, ties in the order set, and lets the work they start settle first', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => {
      fired.push('a@10');
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => clock.setTimeout(() => fired.push('c@15'), 5));
    }, 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 12);
    clock.setTimeout(() => fired.push('d@20'), 20);
    clock.clearTimeout(cancelled);
    await clock.runUntil(30);
    expect(fired).toEqual(['a@10', 'c@15', 'b@20', 'd@20']);
    expect(clock.now()).toBe(30);
  });
});

describe('lease simulation', () => {
  it('repeats exactly with the same seed', async () => {
    const first = await runScenario(designs.framework, scenario('killed'), small);
    const second = await runScenario(designs.framework, scenario('killed'), small);
    expect(second).toEqual(first);
  });

  it.each(Object.keys(designs))('%s: takes over a killed worker’s leases and converges', async (key) => {
    const result = await runScenario(designs[key], scenario('killed'), small);
    expect(result.settled).toBe(true);
    expect(result.convergedMs).not.toBeNull();
    // The survivor holds all 6: the 3 it had and the 3 it took over.
    expect(result.moves).toBe(3);
    expect(result.countImbalance).toBe(1);
    expect(result.spent.byOperation.UpdateItem).toBeGreaterThan(0);
  });

  it('this framework: a drained worker releases its leases, which move faster than a killed one’s expire', async () => {
    const drained = await runScenario(designs.framework, scenario('drained'), small);
    const killed = await runScenario(designs.framework, scenario('killed'), small);
    expect(drained.convergedMs!).toBeLessThan(killed.convergedMs!);
    // The KCL 2.x model leaves them to expire, as the KCL does.
    const kcl2 = await runScenario(designs.kcl2, scenario('drained'), small);
    expect(kcl2.convergedMs!).toBeGreaterThanOrEqual(10_000);
  });

  it('starts on an empty table: creates the leases (billed) and balances them', async () => {
    const result = await runScenario(designs.framework, scenario('start'), small);
    expect(result.spent.byOperation.PutItem).toBe(6);
    expect(result.convergedMs).not.toBeNull();
    expect(result.countImbalance).toBe(1);
  });

  it('KCL 3.x model: its workers read through the owner index and the leader lock, not by scanning', async () => {
    const result = await runScenario(designs.kcl3, scenario('killed'), small);
    expect(result.spent.byOperation.Query).toBeGreaterThan(0);
    expect(result.spent.byOperation['LeaseOwnerToLeaseKeyIndex write']).toBeGreaterThan(0);
    // At most one leader scans the lease and worker metrics tables every 20 s: 2 × 6 in 120 s
    // (fewer when the killed worker led: the lock is free only after its 2-minute lease).
    expect(result.spent.byOperation.Scan).toBeGreaterThan(0);
    expect(result.spent.byOperation.Scan).toBeLessThanOrEqual(12);
  });
});

describe('SimulationRun.retried', () => {
  it('retries a throttled request a virtual second later, and passes other errors on', async () => {
    const run = new SimulationRun(designs.kcl2, { ...small, limits: { readUnitsPerSecond: 1, writeUnitsPerSecond: 1 } });
    const leases = [0, 1].map((i) => simulatedLease(i, 2, 'TRIM_HORIZON'));
    const created = await run.during(Promise.all(leases.map((lease) => run.retried(() => run.store.createLeaseIfNotExists(lease)))));
    expect(created).toEqual([true, true]);
    expect(run.meter.reading()).toMatchObject({ throttled: 1, byOperation: { PutItem: 2 } });
    expect(run.clock.now()).toBeGreaterThanOrEqual(1000);
    await expect(run.retried(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});

describe('KCL 3.x rebalance', () => {
  const lease = (i: number, owner: string): Lease => ({ ...newLease(`s${i}`, { checkpoint: 'LATEST' }), leaseOwner: owner });
  const worker = (workerId: string, leases: Lease[], utilization: number): WorkerLoad => ({ workerId, utilization, throughputKBps: leases.length * 100, leases });

  it('moves dampened load from the busiest worker to the idlest, and nothing when all are within the threshold', () => {
    const busy = worker('busy', Array.from({ length: 10 }, (_, i) => lease(i, 'busy')), 50);
    const idle = worker('idle', [], 0);
    const moves = rebalance([busy, idle], () => 100, 0.05);
    // average 25; busy gives 80 % of its 25 over: 20 points = 400 KB/s = 4 leases
    expect(moves).toHaveLength(4);
    expect(moves.every((m) => m.to === 'idle')).toBe(true);
    const even = [worker('a', [lease(1, 'a')], 50), worker('b', [lease(2, 'b')], 52)];
    expect(rebalance(even, () => 100, 0.5)).toEqual([]);
  });
});
