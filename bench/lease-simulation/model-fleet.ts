import type { Lease } from '../../src/leases/lease.ts';
import type { Fleet, FleetContext } from './fleet.ts';
import { seededRandom } from './seeded-random.ts';

/** What a modelled KCL worker offers its fleet. */
export interface ModelWorker {
  start(): void;
  stop(): void;
  holds(shardId: string): Lease | undefined;
  checkpoint(shardId: string, checkpoint: string): Promise<void>;
}

/** The leases a modelled worker holds, and the checkpoint both models write the same way. */
export abstract class HeldLeases implements ModelWorker {
  protected readonly held = new Map<string, { lease: Lease; renewedAt: number }>();

  constructor(protected readonly context: FleetContext) {}

  abstract start(): void;
  abstract stop(): void;

  holds(shardId: string): Lease | undefined {
    return this.held.get(shardId)?.lease;
  }

  async checkpoint(shardId: string, checkpoint: string): Promise<void> {
    const h = this.held.get(shardId);
    if (!h) return;
    const result = await this.context.store.checkpoint(h.lease, checkpoint, 0).catch(() => undefined);
    if (result?.outcome === 'ok') h.lease = result.lease;
  }
}

/**
 * The bookkeeping of a fleet of modelled KCL workers. A drained worker stops as a killed one
 * does: the models leave its leases to expire, as the KCL versions they follow do.
 */
export abstract class ModelFleet<W extends ModelWorker> implements Fleet {
  abstract readonly roundMillis: number;
  private readonly workers = new Map<string, W>();

  constructor(protected readonly context: FleetContext) {}

  /** A new worker drawing on `random`, its own generator. */
  protected abstract newWorker(workerId: string, random: () => number): W;

  startWorker(workerId: string): void {
    const worker = this.newWorker(workerId, seededRandom(Math.floor(this.context.random() * 2 ** 32)));
    this.workers.set(workerId, worker);
    worker.start();
  }

  killWorker(workerId: string): void {
    this.workers.get(workerId)?.stop();
    this.workers.delete(workerId);
  }

  drainWorker(workerId: string): void {
    this.killWorker(workerId);
  }

  async endShard(shardId: string): Promise<void> {
    for (const worker of this.workers.values()) if (worker.holds(shardId)) return worker.checkpoint(shardId, 'SHARD_END');
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.workers.keys()]) this.killWorker(id);
  }
}
