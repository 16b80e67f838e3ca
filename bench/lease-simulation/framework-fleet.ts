import { LeaseCoordinator } from '../../src/leases/lease-coordinator.ts';
import { PeriodicTask } from '../../src/internal/periodic-task.ts';
import type { Design, Fleet, FleetContext } from './fleet.ts';
import { seededRandom } from './seeded-random.ts';
import { silentLogger } from './silent-logger.ts';

/** The consumer's settings for its coordinator (src/consumer/options.ts defaults). */
const FAILOVER_MS = 10_000;
const TAKER_INTERVAL_MS = FAILOVER_MS / 10;
const SHARD_SYNC_INTERVAL_MS = 60_000;

interface Worker {
  coordinator: LeaseCoordinator;
  shardSync: PeriodicTask;
}

/**
 * This framework: one real {@link LeaseCoordinator} per worker, with the consumer's defaults
 * (failover 10 s, renew every 3,333 ms, taker every 1,000 ms, steal up to 2), plus the consumer's
 * periodic shard sync, whose lease Scan every 60 s by one worker of the fleet (rendezvous on the
 * period) is part of the lease table's bill (its ListShards calls go to Kinesis and are not counted).
 */
export class FrameworkFleet implements Fleet {
  readonly roundMillis = TAKER_INTERVAL_MS;
  private readonly workers = new Map<string, Worker>();
  private readonly pickedUp: number[] = [];
  /** The shard consumers' reads: each held shard's bytes, recorded every second for the renewals' throughputKBps. */
  private readonly reading: PeriodicTask;

  constructor(private readonly context: FleetContext) {
    this.reading = new PeriodicTask(context.clock, 1000, async () => this.recordBytes());
    this.reading.start();
  }

  private recordBytes(): void {
    for (const { coordinator } of this.workers.values()) {
      for (const lease of coordinator.heldLeases()) coordinator.leaseHandle(lease.leaseKey).recordBytes?.(this.context.load.of(lease.leaseKey) * 1024);
    }
  }

  startWorker(workerId: string): void {
    const { clock, store, random } = this.context;
    const coordinator = new LeaseCoordinator(store, {
      workerIdentifier: workerId,
      failoverTimeMillis: FAILOVER_MS,
      takerIntervalMs: TAKER_INTERVAL_MS,
      // Byte balance is opt-in for consumers; the simulation shows it on, at its documented threshold.
      throughputImbalanceThreshold: 1.2,
      clock,
      logger: silentLogger,
      random: seededRandom(Math.floor(random() * 2 ** 32)),
    });
    // As the consumer's periodic shard sync: one worker of the fleet per interval reads the table.
    const shardSync = new PeriodicTask(clock, SHARD_SYNC_INTERVAL_MS, async () => {
      if (!coordinator.isFleetTurn('shardSync', Math.floor(clock.now() / SHARD_SYNC_INTERVAL_MS))) return;
      await store.listLeases().then(() => undefined, () => undefined);
    });
    coordinator.on('lease.taken', ({ stolen }) => {
      if (!stolen) this.pickedUp.push(clock.now());
    });
    this.workers.set(workerId, { coordinator, shardSync });
    shardSync.start();
    void coordinator.start().catch(() => undefined);
  }

  killWorker(workerId: string): void {
    const worker = this.remove(workerId);
    void worker?.coordinator.stop();
  }

  drainWorker(workerId: string): void {
    const worker = this.remove(workerId);
    void worker?.coordinator.close();
  }

  async endShard(shardId: string): Promise<void> {
    for (const { coordinator } of this.workers.values()) {
      if (coordinator.heldLease(shardId)) {
        await coordinator.leaseHandle(shardId).checkpoint('SHARD_END', 0).catch(() => undefined);
        return;
      }
    }
  }

  pickups(): readonly number[] {
    return this.pickedUp;
  }

  async stopAll(): Promise<void> {
    void this.reading.stop();
    const all = [...this.workers.keys()].map((id) => this.remove(id)!);
    await Promise.all(all.map((w) => w.coordinator.stop()));
  }

  private remove(workerId: string): Worker | undefined {
    const worker = this.workers.get(workerId);
    this.workers.delete(workerId);
    void worker?.shardSync.stop();
    return worker;
  }
}

export const frameworkDesign: Design = {
  name: 'this framework',
  // The table as the framework creates it: with KCL 3.x's owner index, for direct hand-offs.
  ownerIndex: true,
  create: (context) => new FrameworkFleet(context),
};
