import type { Lease } from '../../src/leases/lease.ts';
import { PeriodicTask } from '../../src/internal/periodic-task.ts';
import type { Design, FleetContext } from './fleet.ts';
import { HeldLeases, ModelFleet } from './model-fleet.ts';
import { kcl3Tables, type Kcl3Tables, type LockItem } from './kcl3-tables.ts';
import { assignPriorityLeases, rebalance, type Move, type WorkerLoad } from './kcl3-assignment.ts';

// KCL 3.x defaults (LeaseManagementConfig, WorkerUtilizationAwareAssignmentConfig, DynamoDBLockBasedLeaderDecider).
const FAILOVER_MS = 10_000;
const RENEW_MS = Math.floor(FAILOVER_MS / 3) - 25;
/** leaseAssignmentIntervalMillis = 2 × failoverTimeMillis: the LeaseAssignmentManager's period on every worker. */
const ASSIGNMENT_MS = 2 * FAILOVER_MS;
/** Lease discovery (the GSI query) runs every leaseAssignmentIntervalMillis / 2 − 25 ms. */
const DISCOVERY_MS = ASSIGNMENT_MS / 2 - 25;
/** workerMetricsReporterFreqInMillis; the first report after 2 × inMemoryWorkerMetricsCaptureFrequencyMillis. */
const METRICS_MS = 30_000;
const FIRST_METRICS_MS = 2_000;
/** varianceBalancingFrequency: the rebalance runs every third assignment round. */
const VARIANCE_BALANCING_FREQUENCY = 3;
/** The leader lock's lease duration and heartbeat period (DynamoDBLockBasedLeaderDecider). */
const LOCK_LEASE_MS = 120_000;
const LOCK_HEARTBEAT_MS = 30_000;
/** A worker whose metrics are older than two reports is taken as gone (a modelling choice). */
const METRICS_STALE_MS = 2 * METRICS_MS;
/** The worker-side index on the lease table. */
export const LEASE_OWNER_INDEX = 'LeaseOwnerToLeaseKeyIndex';

/**
 * One KCL 3.x worker, modelled from docs/kcl_3x_deep-dive.md and the defaults above: it renews
 * its own leases, discovers leases the leader gave it by querying the `leaseOwner` index (then
 * a consistent GetItem per new lease), reports its CPU to the worker metrics table, and every
 * assignment period checks the leader lock (a consistent GetItem); the lock's owner heartbeats
 * it and runs the {@link Kcl3Leader}. A lease handed to another worker (leaseOwner = new,
 * checkpointOwner = this one) is seen at the next renewal, checkpointed and let go. Graceful
 * shutdown leaves leases to expire (the REFERENCES' "slow takeover after shutdown", #845).
 */
class Kcl3Worker extends HeldLeases {
  private readonly tasks: PeriodicTask[];
  private readonly leader: Kcl3Leader;
  private lockSeen: { version: string; at: number } | undefined;
  private cpuSamples: number[] = [];

  constructor(
    readonly id: string,
    context: FleetContext,
    private readonly tables: Kcl3Tables,
    private readonly random: () => number,
    private readonly hostCapacityKBps: number,
  ) {
    super(context);
    const clock = context.clock;
    this.leader = new Kcl3Leader(id, context, tables, hostCapacityKBps);
    this.tasks = [
      new PeriodicTask(clock, RENEW_MS, () => this.renewAll()),
      new PeriodicTask(clock, DISCOVERY_MS, () => this.discover()),
      new PeriodicTask(clock, METRICS_MS, () => this.reportMetrics()),
      new PeriodicTask(clock, ASSIGNMENT_MS, () => this.assignmentRound()),
      new PeriodicTask(clock, LOCK_HEARTBEAT_MS, () => this.heartbeat()),
    ];
  }

  start(): void {
    const [renew, discover, metrics, assignment, heartbeat] = this.tasks;
    renew.start();
    discover.start(Math.floor(this.random() * DISCOVERY_MS));
    metrics.start(FIRST_METRICS_MS);
    assignment.start(0);
    heartbeat.start();
  }

  stop(): void {
    for (const task of this.tasks) void task.stop();
  }

  private async renewAll(): Promise<void> {
    const { store, clock } = this.context;
    await Promise.all(
      [...this.held.values()].map(async (h) => {
        const sentAt = clock.now();
        try {
          // Renewal records the lease's throughputKBps (an EMA of what was read; here, its steady value).
          const result = await store.renewLease(h.lease, this.context.load.of(h.lease.leaseKey));
          if (result.outcome !== 'ok') return void this.held.delete(h.lease.leaseKey);
          Object.assign(h, { lease: result.lease, renewedAt: sentAt });
          if (result.lease.checkpointOwner === this.id && result.lease.leaseOwner !== this.id) {
            // Handed off: the shard consumer checkpoints, then the release clears checkpointOwner.
            this.held.delete(h.lease.leaseKey);
            await store.releaseLease(result.lease).catch(() => undefined);
          }
        } catch {
          if (clock.now() - h.renewedAt > FAILOVER_MS) this.held.delete(h.lease.leaseKey);
        }
      }),
    );
  }

  private async discover(): Promise<void> {
    const { leases, store, clock } = this.context;
    let keys: string[];
    try {
      keys = await leases.query(this.id);
    } catch {
      return;
    }
    for (const key of keys) {
      if (this.held.has(key)) continue;
      const lease = await store.getLease(key).catch(() => undefined);
      // A lease still being handed over (checkpointOwner set) waits for the old owner to let go.
      if (lease?.leaseOwner === this.id && lease.checkpointOwner === undefined) this.held.set(key, { lease, renewedAt: clock.now() });
    }
  }

  private async reportMetrics(): Promise<void> {
    let kbps = 0;
    for (const key of this.held.keys()) kbps += this.context.load.of(key);
    this.cpuSamples = [...this.cpuSamples, Math.min(100, (100 * kbps) / this.hostCapacityKBps)].slice(-10);
    const item = { workerId: this.id, lastUpdateTime: this.context.clock.now(), cpu: this.cpuSamples };
    await this.tables.workerMetrics.write(this.id, { api: 'UpdateItem', operation: 'worker metrics (UpdateItem)' }, () => item).catch(() => undefined);
  }

  /** isLeader(): read the lock; take it when it is free or its heartbeat stopped for the lock's lease duration. */
  private async assignmentRound(): Promise<void> {
    const { clock } = this.context;
    const lockTable = this.tables.coordinatorState;
    let lock: LockItem | undefined;
    try {
      lock = await lockTable.get('Leader', true);
    } catch {
      return;
    }
    if (lock && lock.owner !== this.id) {
      if (this.lockSeen?.version !== lock.recordVersionNumber) this.lockSeen = { version: lock.recordVersionNumber, at: clock.now() };
      if (clock.now() - this.lockSeen.at < LOCK_LEASE_MS) return;
    }
    if (!lock || lock.owner !== this.id) {
      const seen = lock?.recordVersionNumber;
      const mine = { owner: this.id, recordVersionNumber: `${this.id}:${clock.now()}` };
      const won = await lockTable.write('Leader', { api: 'PutItem', operation: 'acquire lock (PutItem)' }, (current) => (current?.recordVersionNumber === seen ? mine : undefined)).catch(() => undefined);
      if (!won) return;
    }
    await this.leader.run();
  }

  private async heartbeat(): Promise<void> {
    const { clock } = this.context;
    await this.tables.coordinatorState
      .write('Leader', { api: 'UpdateItem', operation: 'heartbeat (UpdateItem)' }, (current) =>
        current?.owner === this.id ? { owner: this.id, recordVersionNumber: `${this.id}:${clock.now()}` } : undefined,
      )
      .catch(() => undefined);
  }
}

/**
 * The LeaseAssignmentManager on the leader: scans the lease table and the worker metrics table,
 * judges expiry locally like the KCL 2.x taker, assigns unassigned and expired leases (a take:
 * owner and counter move), and every third round rebalances by CPU with graceful hand-offs
 * (leaseOwner = new, checkpointOwner = old, counter unchanged).
 */
class Kcl3Leader {
  private readonly seen = new Map<string, { counter: number; changedAt: number }>();
  private rounds = 0;

  constructor(
    private readonly id: string,
    private readonly context: FleetContext,
    private readonly tables: Kcl3Tables,
    private readonly hostCapacityKBps: number,
  ) {}

  async run(): Promise<void> {
    const { store, clock, load } = this.context;
    let leases: Lease[];
    let metrics;
    try {
      [leases, metrics] = await Promise.all([store.listLeases(), this.tables.workerMetrics.scan()]);
    } catch {
      return;
    }
    const now = clock.now();
    for (const lease of leases) {
      const seen = this.seen.get(lease.leaseKey);
      if (!seen || seen.counter !== lease.leaseCounter) this.seen.set(lease.leaseKey, { counter: lease.leaseCounter, changedAt: now });
    }
    const workers = new Map<string, WorkerLoad>();
    for (const m of metrics) {
      if (now - m.lastUpdateTime > METRICS_STALE_MS) continue;
      workers.set(m.workerId, { workerId: m.workerId, utilization: m.cpu.at(-1) ?? 0, throughputKBps: 0, leases: [] });
    }
    const kbpsOf = (l: Lease) => load.of(l.leaseKey);
    const available: Lease[] = [];
    for (const lease of leases) {
      const owner = lease.leaseOwner === undefined ? undefined : workers.get(lease.leaseOwner);
      const expired = now - this.seen.get(lease.leaseKey)!.changedAt > FAILOVER_MS && lease.checkpointOwner === undefined;
      if (!owner || expired) available.push(lease);
      else {
        owner.leases.push(lease);
        owner.throughputKBps += kbpsOf(lease);
      }
    }
    const loads = [...workers.values()];
    const fleetCpuPerKBps = 100 / this.hostCapacityKBps;
    const assigned = assignPriorityLeases(available, loads, kbpsOf, fleetCpuPerKBps);
    const balanced = ++this.rounds % VARIANCE_BALANCING_FREQUENCY === 0 ? rebalance(loads, kbpsOf, fleetCpuPerKBps) : [];
    await Promise.all([...assigned.map((m) => this.assign(m)), ...balanced.map((m) => this.handOff(m))]);
  }

  private async assign({ lease, to }: Move): Promise<void> {
    await this.context.store.takeLease(lease, to).catch(() => undefined);
  }

  /** The graceful hand-off: one conditional update, the counter does not move. */
  private async handOff({ lease, to }: Move): Promise<void> {
    await this.context.leases
      .write(lease.leaseKey, { api: 'UpdateItem', operation: 'hand-off (UpdateItem)' }, (row) =>
        row && row.leaseCounter === lease.leaseCounter && row.leaseOwner === lease.leaseOwner && row.checkpointOwner === undefined
          ? Object.freeze({ ...row, leaseOwner: to, checkpointOwner: lease.leaseOwner })
          : undefined,
      )
      .catch(() => undefined);
  }
}

/** A fleet of {@link Kcl3Worker}s sharing the coordinator state and worker metrics tables. */
export class Kcl3Fleet extends ModelFleet<Kcl3Worker> {
  readonly roundMillis = ASSIGNMENT_MS;
  private readonly tables: Kcl3Tables;
  private readonly hostCapacityKBps: number;

  constructor(context: FleetContext) {
    super(context);
    this.tables = kcl3Tables(context);
    // Hosts sized so the initial fleet runs at 25 % CPU on average with every shard at the base
    // throughput: room for the hot-shards scenario (1.9 times the load) without saturating.
    const shards = Math.max(context.leases.size, context.shards);
    this.hostCapacityKBps = Math.max(1, (4 * shards * context.load.baseKBps) / Math.max(1, context.workers));
  }

  protected newWorker(workerId: string, random: () => number): Kcl3Worker {
    return new Kcl3Worker(workerId, this.context, this.tables, random, this.hostCapacityKBps);
  }
}

export const kcl3Design: Design = {
  name: 'KCL 3.x model',
  ownerIndex: true,
  create: (context) => new Kcl3Fleet(context),
};
