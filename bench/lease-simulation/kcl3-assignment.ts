import type { Lease } from '../../src/leases/lease.ts';

/** reBalanceThresholdPercentage default: rebalance when a worker is more than 10 % off the average. */
export const REBALANCE_THRESHOLD_PERCENT = 10;
/** dampeningPercentageValue default: move 80 % of the excess load in one rebalance. */
export const DAMPENING_PERCENT = 80;

/**
 * allowThroughputOvershoot default: when no lease fits under the throughput to move, the
 * smallest one moves anyway, so a few large leases still get rebalanced.
 */
export const ALLOW_THROUGHPUT_OVERSHOOT = true;

/** What the leader knows of one active worker: its reported CPU and the throughput of its leases. */
export interface WorkerLoad {
  readonly workerId: string;
  /** Last reported CPU utilization, percent, adjusted by the moves the leader made this round. */
  utilization: number;
  /** Sum of its leases' throughputKBps, as the leader's scan shows. */
  throughputKBps: number;
  leases: Lease[];
}

export interface Move {
  readonly lease: Lease;
  readonly to: string;
}

/** CPU a lease's throughput costs on a worker: estimated from that worker's own CPU per KB/s, or the fleet's. */
function cpuPerKBps(worker: WorkerLoad, fleet: number): number {
  return worker.throughputKBps > 0 && worker.utilization > 0 ? worker.utilization / worker.throughputKBps : fleet;
}

function leastLoaded(workers: readonly WorkerLoad[]): WorkerLoad {
  return workers.reduce((a, b) => (b.utilization < a.utilization || (b.utilization === a.utilization && b.leases.length < a.leases.length) ? b : a));
}

function move(from: WorkerLoad | undefined, to: WorkerLoad, lease: Lease, kbps: number, fleetCpuPerKBps: number): void {
  if (from) {
    from.utilization -= kbps * cpuPerKBps(from, fleetCpuPerKBps);
    from.throughputKBps -= kbps;
    from.leases = from.leases.filter((l) => l !== lease);
  }
  to.utilization += kbps * cpuPerKBps(to, fleetCpuPerKBps);
  to.throughputKBps += kbps;
  to.leases.push(lease);
}

/**
 * The LeaseAssignmentManager's priority assignment (kcl_3x_deep-dive.md, "How KCL 3.x performs
 * lease assignments"): unassigned and expired leases, greedily, each to the worker with the
 * lowest utilization projected from the throughput of the leases given to it so far.
 */
export function assignPriorityLeases(available: readonly Lease[], workers: WorkerLoad[], kbpsOf: (l: Lease) => number, fleetCpuPerKBps: number): Move[] {
  if (workers.length === 0) return [];
  const moves: Move[] = [];
  for (const lease of [...available].sort((a, b) => kbpsOf(b) - kbpsOf(a))) {
    const to = leastLoaded(workers);
    move(undefined, to, lease, kbpsOf(lease), fleetCpuPerKBps);
    moves.push({ lease, to: to.workerId });
  }
  return moves;
}

/**
 * The variance-based rebalance (VarianceBasedLeaseAssignmentDecider, same document, steps 1–7):
 * when any worker's utilization is outside average ± reBalanceThresholdPercentage, each worker
 * above the average gives up leases worth dampening × (its utilization − average), converted to
 * throughput by its own CPU per KB/s, each lease to the least utilized worker at that moment.
 * Leases larger than what is left to give are skipped, so a move never overshoots the target.
 */
export function rebalance(workers: WorkerLoad[], kbpsOf: (l: Lease) => number, fleetCpuPerKBps: number): Move[] {
  if (workers.length < 2) return [];
  const average = workers.reduce((sum, w) => sum + w.utilization, 0) / workers.length;
  const upper = average * (1 + REBALANCE_THRESHOLD_PERCENT / 100);
  const lower = average * (1 - REBALANCE_THRESHOLD_PERCENT / 100);
  if (workers.every((w) => w.utilization >= lower && w.utilization <= upper)) return [];
  const moves: Move[] = [];
  for (const from of [...workers].sort((a, b) => b.utilization - a.utilization)) {
    if (from.utilization <= average) break;
    const perKBps = cpuPerKBps(from, fleetCpuPerKBps);
    let toGive = ((from.utilization - average) * DAMPENING_PERCENT) / 100 / perKBps;
    const largestFirst = [...from.leases].sort((a, b) => kbpsOf(b) - kbpsOf(a));
    let moved = false;
    for (const lease of largestFirst) {
      const kbps = kbpsOf(lease);
      if (kbps > toGive) continue;
      const to = leastLoaded(workers);
      if (to === from || to.utilization + kbps * cpuPerKBps(to, fleetCpuPerKBps) > average) break;
      move(from, to, lease, kbps, fleetCpuPerKBps);
      moves.push({ lease, to: to.workerId });
      toGive -= kbps;
      moved = true;
    }
    const smallest = largestFirst.at(-1);
    const to = leastLoaded(workers);
    if (!moved && ALLOW_THROUGHPUT_OVERSHOOT && smallest && to !== from && to.utilization < lower) {
      move(from, to, smallest, kbpsOf(smallest), fleetCpuPerKBps);
      moves.push({ lease: smallest, to: to.workerId });
    }
  }
  return moves;
}
