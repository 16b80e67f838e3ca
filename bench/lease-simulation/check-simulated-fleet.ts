import type { Lease } from '../../src/leases/lease.ts';
import { AccountingLeaseStore, leaseItemSize } from './accounting-lease-store.ts';
import { AccountingTable } from './accounting-table.ts';
import { unlimited } from './capacity-budget.ts';
import { checkWorker, type CheckWorker } from './check-worker.ts';
import { checkLeases, DRAINED, KILLED, phaseEnds, PHASES, workerStarts, type CheckScenario } from './check-scenario.ts';
import { sumFigures, type ClientFigures } from './consumed-capacity-meter.ts';
import { CountingLeaseStore } from './counting-lease-store.ts';
import { OperationMeter } from './operation-meter.ts';
import { sumCounts, type PhaseFigures } from './check-real-fleet.ts';
import { VirtualClock } from './virtual-clock.ts';

/**
 * Runs the check's scenario in the simulator: the same workers (check-worker.ts) on the
 * virtual clock over the billed in-memory table, `latencyMs` per request or page, unthrottled
 * as dynalite is.
 */
export async function runSimulatedFleet(scenario: CheckScenario, latencyMs: number): Promise<PhaseFigures[]> {
  const clock = new VirtualClock();
  const meter = new OperationMeter();
  const table = new AccountingTable<Lease>({ name: 'lease-check', keyAttribute: 'leaseKey', clock, meter, limits: unlimited, latencyMs, sizeOf: leaseItemSize });
  const store = new CountingLeaseStore(new AccountingLeaseStore(table));
  const workers = new Map<string, CheckWorker>();
  for (const { id, atMs, seed } of workerStarts(scenario)) {
    clock.setTimeout(() => {
      const worker = checkWorker(store, clock, id, seed);
      workers.set(id, worker);
      worker.start();
    }, atMs);
  }
  void Promise.all(checkLeases(scenario).map((lease) => store.createLeaseIfNotExists(lease)));

  const phases: PhaseFigures[] = [];
  let previous = { requests: {} as ClientFigures, store: {} as Record<string, number> };
  const ends = phaseEnds(scenario);
  for (const [i, phase] of PHASES.entries()) {
    await clock.runUntil(ends[i]);
    const reading = { requests: sumFigures([meter.figures]), store: { ...store.counts } };
    phases.push({ phase, requests: sumFigures([reading.requests], previous.requests), store: sumCounts([reading.store], previous.store) });
    previous = reading;
    if (i === 0) void workers.get(DRAINED)!.drain();
    if (i === 1) {
      void workers.get(KILLED)!.kill();
      workers.delete(KILLED);
    }
  }
  let stopped = false;
  void Promise.all([...workers.values()].map((w) => w.kill())).then(() => (stopped = true));
  while (!stopped) await clock.runUntil(clock.now() + 10);
  return phases;
}
