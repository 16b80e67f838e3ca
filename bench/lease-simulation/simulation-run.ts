import type { Lease } from '../../src/leases/lease.ts';
import { sleep } from '../../src/internal/clock.ts';
import { AccountingLeaseStore, leaseItemSize } from './accounting-lease-store.ts';
import { AccountingTable } from './accounting-table.ts';
import type { CapacityLimits } from './capacity-budget.ts';
import { CapacityMeter } from './capacity-meter.ts';
import type { Design, Fleet } from './fleet.ts';
import { LeaseObserver } from './lease-observer.ts';
import { seededRandom } from './seeded-random.ts';
import { ShardLoad } from './shard-load.ts';
import { SEQUENCE_NUMBER, shardId, simulatedLease, workerId } from './names.ts';
import { VirtualClock } from './virtual-clock.ts';

export interface RunOptions {
  shards: number;
  workers: number;
  seed: number;
  limits: CapacityLimits;
  latencyMs: number;
}

/**
 * One simulated fleet: a virtual clock, a billed lease table, a design's workers, and the
 * observer of its balance. Scenarios act on it; everything is seeded, so a run repeats exactly.
 */
export class SimulationRun {
  readonly clock = new VirtualClock();
  readonly meter = new CapacityMeter();
  readonly load = new ShardLoad();
  readonly random: () => number;
  readonly leases: AccountingTable<Lease>;
  readonly store: AccountingLeaseStore;
  readonly observer: LeaseObserver;
  readonly fleet: Fleet;
  readonly live = new Set<string>();
  workerCount = 0;

  constructor(design: Design, readonly options: RunOptions) {
    this.random = seededRandom(options.seed);
    const { clock, meter, load } = this;
    let observer: LeaseObserver | undefined;
    this.leases = new AccountingTable<Lease>({
      name: 'lease-table',
      keyAttribute: 'leaseKey',
      clock,
      meter,
      limits: options.limits,
      latencyMs: options.latencyMs,
      sizeOf: leaseItemSize,
      index: design.ownerIndex ? { name: 'LeaseOwnerToLeaseKeyIndex', attribute: 'leaseOwner', keyOf: (l) => l.leaseOwner } : undefined,
      onChange: (key, before, after) => observer?.changed(key, before, after),
    });
    this.observer = observer = new LeaseObserver(this.leases, load);
    this.store = new AccountingLeaseStore(this.leases);
    this.fleet = design.create({
      clock,
      leases: this.leases,
      store: this.store,
      meter,
      limits: options.limits,
      latencyMs: options.latencyMs,
      random: seededRandom(options.seed + 1),
      load,
      workers: options.workers,
      shards: options.shards,
    });
  }

  shardIds(): string[] {
    return [...this.leases.values()].map((l) => l.leaseKey);
  }

  /** Free leases for `shards` shards, put without billing (a table that existed before t0). */
  seedLeases(): void {
    for (let i = 0; i < this.options.shards; i++) this.leases.seed(shardId(i), simulatedLease(i, this.options.shards, SEQUENCE_NUMBER));
  }

  /** Starts worker `id` at a random moment within the next `withinMs`. */
  startWithin(id: string, withinMs: number): void {
    this.workerCount++;
    this.clock.setTimeout(() => {
      this.live.add(id);
      this.fleet.startWorker(id);
    }, Math.floor(this.random() * withinMs));
  }

  startFleet(): void {
    for (let i = 0; i < this.options.workers; i++) this.startWithin(workerId(i), 3000);
  }

  kill(id: string): void {
    this.live.delete(id);
    this.fleet.killWorker(id);
  }

  drain(id: string): void {
    this.live.delete(id);
    this.fleet.drainWorker(id);
  }

  /** Runs `fn` `afterMs` from now, on the virtual clock. */
  at(afterMs: number, fn: () => Promise<void>): void {
    this.clock.setTimeout(() => void fn(), afterMs);
  }

  /**
   * Runs a request until it is not throttled, a second apart, as shard sync retries: creating
   * 10,000 leases at once is past a new table's 4,000 write units per second.
   */
  async retried<T>(request: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await request();
      } catch (error) {
        if ((error as { code?: string }).code !== 'THROTTLED') throw error;
        await sleep(this.clock, 1000);
      }
    }
  }

  /** Waits for work that takes virtual time, moving the clock until it is done. */
  async during<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const tracked = work.finally(() => (done = true));
    while (!done) await this.clock.runUntil(this.clock.now() + 10);
    return tracked;
  }
}
