import type { Lease } from '../../src/leases/lease.ts';
import type { AccountingTable } from './accounting-table.ts';
import type { ShardLoad } from './shard-load.ts';

/** One look at the table. */
export interface Sample {
  /** Every lease has a live owner and every live worker holds within 1 of leases / workers. */
  balanced: boolean;
  /** Leases without a live owner. */
  unheld: number;
  /** The most loaded live worker's lease count over leases / workers. */
  countImbalance: number;
  /** The busiest live worker's throughput over total throughput / workers. */
  throughputImbalance: number;
}

/**
 * Watches the lease table without billing it: counts lease moves (a lease getting an owner other
 * than the last one it had; a first owner is no move) from every write, and judges balance.
 */
export class LeaseObserver {
  moves = 0;
  private readonly lastOwner = new Map<string, string>();

  constructor(
    private readonly leases: AccountingTable<Lease>,
    private readonly load: ShardLoad,
  ) {}

  /** Wire as the table's onChange. */
  changed(key: string, _before: Lease | undefined, after: Lease | null): void {
    const owner = after?.leaseOwner;
    if (owner === undefined) return;
    const last = this.lastOwner.get(key);
    if (last !== undefined && last !== owner) this.moves++;
    this.lastOwner.set(key, owner);
  }

  sample(live: ReadonlySet<string>): Sample {
    const counts = new Map<string, number>([...live].map((w) => [w, 0]));
    const kbps = new Map<string, number>([...live].map((w) => [w, 0]));
    let total = 0;
    let totalKBps = 0;
    let unheld = 0;
    for (const lease of this.leases.values()) {
      total++;
      const load = this.load.of(lease.leaseKey);
      totalKBps += load;
      const owner = lease.leaseOwner;
      if (owner === undefined || !live.has(owner)) {
        unheld++;
        continue;
      }
      counts.set(owner, counts.get(owner)! + 1);
      kbps.set(owner, kbps.get(owner)! + load);
    }
    const workers = Math.max(1, live.size);
    const ideal = total / workers;
    const maxCount = Math.max(0, ...counts.values());
    const minCount = Math.min(...counts.values());
    const balanced = unheld === 0 && minCount >= ideal - 1 && maxCount <= ideal + 1;
    return {
      balanced,
      unheld,
      countImbalance: ideal === 0 ? 1 : maxCount / ideal,
      throughputImbalance: totalKBps === 0 ? 1 : Math.max(0, ...kbps.values()) / (totalKBps / workers),
    };
  }
}
