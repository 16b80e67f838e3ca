import type { Lease } from '../../src/leases/lease.ts';
import type { LeaseStore } from '../../src/leases/lease-store.ts';
import type { AccountingTable } from './accounting-table.ts';
import type { CapacityLimits } from './capacity-budget.ts';
import type { CapacityMeter } from './capacity-meter.ts';
import type { ShardLoad } from './shard-load.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** What a fleet runs on: one virtual clock, the billed lease table and its store, the shards' load. */
export interface FleetContext {
  clock: VirtualClock;
  leases: AccountingTable<Lease>;
  store: LeaseStore;
  meter: CapacityMeter;
  limits: CapacityLimits;
  latencyMs: number;
  /** Seeded; each worker draws its own generator from it in start order. */
  random: () => number;
  load: ShardLoad;
  /** Workers the scenario starts with (KCL 3.x sizes its simulated hosts by it). */
  workers: number;
  /** Shards the scenario starts with. */
  shards: number;
}

/**
 * The workers of one lease-management design: the real coordinator, or a model of a KCL
 * version. The simulator starts and stops workers and ends shards through it; it reads the
 * outcome from the lease table.
 */
export interface Fleet {
  /** Time between balancing rounds (taker or leader), to express convergence in rounds. */
  readonly roundMillis: number;
  /** Starts a worker; its first round runs at once (not awaited: it takes virtual time). */
  startWorker(workerId: string): void;
  /** Stops a worker as a crash would: nothing more is written, its leases expire. */
  killWorker(workerId: string): void;
  /** Stops a worker as its graceful shutdown does. */
  drainWorker(workerId: string): void;
  /** The worker holding the shard's lease checkpoints SHARD_END (the shard was split). */
  endShard(shardId: string): Promise<void>;
  /** Stops every worker; the scenario is over. */
  stopAll(): Promise<void>;
  /** Virtual times at which a worker started holding a lease that no live worker was processing (free, expired or handed to it), if the design reports them. */
  pickups?(): readonly number[];
}

/** A design the simulator can run. */
export interface Design {
  readonly name: string;
  /** Whether the lease table has a keys-only index on `leaseOwner` (billed on every owner change). */
  readonly ownerIndex: boolean;
  create(context: FleetContext): Fleet;
}
