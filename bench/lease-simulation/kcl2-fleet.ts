import type { Lease } from '../../src/leases/lease.ts';
import { PeriodicTask } from '../../src/internal/periodic-task.ts';
import type { Design, FleetContext } from './fleet.ts';
import { HeldLeases, ModelFleet } from './model-fleet.ts';

// KCL 2.x defaults (LeaseManagementConfig): failoverTimeMillis 10,000, epsilon 25 ms.
const FAILOVER_MS = 10_000;
const EPSILON_MS = 25;
/** The renewer runs every failoverTimeMillis / 3 − epsilon (3,308 ms). */
const RENEW_MS = Math.floor(FAILOVER_MS / 3) - EPSILON_MS;
/** The taker runs every 2 × (failoverTimeMillis + epsilon) (20,050 ms). */
const TAKE_MS = 2 * (FAILOVER_MS + EPSILON_MS);
/** maxLeasesToStealAtOneTime default. */
const MAX_STEAL = 1;
/** Leases unrenewed for this multiple of the failover time are taken first (veryOldLeaseDurationNanosMultiplier). */
const VERY_OLD_MULTIPLIER = 3;

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * One KCL 2.x worker, modelled from the documented DynamoDBLeaseTaker / DynamoDBLeaseRenewer:
 * renews each held lease every 3,308 ms; every 20,050 ms scans the whole table, judges expiry
 * locally (the counter has not moved for the failover time since this worker saw it move; a
 * lease with no owner is always available), and takes available leases up to
 * target = ceil(leases / workers with unexpired leases, itself included); only when none is
 * available it steals from the single most loaded worker (chooseLeasesToSteal). Takes are sent
 * one after another, as the KCL's loop does. Graceful shutdown does not release leases (#474,
 * #845): they expire.
 */
class Kcl2Worker extends HeldLeases {
  private readonly seen = new Map<string, { counter: number; changedAt: number }>();
  private readonly renewTask: PeriodicTask;
  private readonly takeTask: PeriodicTask;

  constructor(
    private readonly id: string,
    context: FleetContext,
    private readonly random: () => number,
  ) {
    super(context);
    this.renewTask = new PeriodicTask(context.clock, RENEW_MS, () => this.renewAll());
    this.takeTask = new PeriodicTask(context.clock, TAKE_MS, () => this.take());
  }

  start(): void {
    this.renewTask.start();
    this.takeTask.start(0);
  }

  stop(): void {
    void this.renewTask.stop();
    void this.takeTask.stop();
  }

  private async renewAll(): Promise<void> {
    const { store, clock } = this.context;
    await Promise.all(
      [...this.held.values()].map(async (h) => {
        const sentAt = clock.now();
        try {
          const result = await store.renewLease(h.lease);
          if (result.outcome === 'ok') Object.assign(h, { lease: result.lease, renewedAt: sentAt });
          else this.held.delete(h.lease.leaseKey);
        } catch {
          if (clock.now() - h.renewedAt > FAILOVER_MS) this.held.delete(h.lease.leaseKey);
        }
      }),
    );
  }

  private async take(): Promise<void> {
    const { store, clock } = this.context;
    let scanned: Lease[];
    try {
      scanned = await store.listLeases();
    } catch {
      return;
    }
    const now = clock.now();
    const present = new Set<string>();
    // updateAllLeases: a counter that moved restarts the lease's clock; an unowned lease is expired.
    for (const lease of scanned) {
      present.add(lease.leaseKey);
      const seen = this.seen.get(lease.leaseKey);
      if (!seen || seen.counter !== lease.leaseCounter) this.seen.set(lease.leaseKey, { counter: lease.leaseCounter, changedAt: now });
    }
    for (const key of this.seen.keys()) if (!present.has(key)) this.seen.delete(key);
    const age = (lease: Lease) => now - this.seen.get(lease.leaseKey)!.changedAt;
    const expired = scanned.filter((l) => !this.held.has(l.leaseKey) && (l.leaseOwner === undefined || age(l) > FAILOVER_MS));
    // computeLeaseCounts: unexpired leases per owner, this worker counted even with none.
    const counts = new Map<string, Lease[]>([[this.id, []]]);
    const isExpired = new Set(expired);
    for (const lease of scanned) {
      if (isExpired.has(lease) || lease.leaseOwner === undefined) continue;
      const owned = counts.get(lease.leaseOwner) ?? [];
      owned.push(lease);
      counts.set(lease.leaseOwner, owned);
    }
    const workers = counts.size;
    // computeLeasesToTake: target is 1 when there are at least as many workers as leases.
    const target = workers >= scanned.length ? 1 : Math.ceil(scanned.length / workers);
    const needed = target - counts.get(this.id)!.length;
    if (needed <= 0) return;
    let toTake: Lease[];
    if (expired.length > 0) {
      // Very old leases (unrenewed for 3 × failover) first, then the rest shuffled.
      const veryOld = expired.filter((l) => l.leaseOwner !== undefined && age(l) > VERY_OLD_MULTIPLIER * FAILOVER_MS);
      const old = new Set(veryOld);
      const rest = shuffle(expired.filter((l) => !old.has(l)), this.random);
      toTake = [...shuffle(veryOld, this.random), ...rest].slice(0, needed);
    } else {
      toTake = this.chooseLeasesToSteal(counts, needed, target);
    }
    for (const lease of toTake) {
      const sentAt = clock.now();
      try {
        const result = await store.takeLease(lease, this.id);
        if (result.outcome === 'ok') this.held.set(lease.leaseKey, { lease: result.lease, renewedAt: sentAt });
      } catch {
        // a throttled take is retried at the next round
      }
    }
  }

  /**
   * chooseLeasesToSteal: from the most loaded worker only, and only if it holds at least the
   * target; as many as it holds over the target, but one when it is exactly at target and this
   * worker needs more than one; at most maxLeasesToStealAtOneTime.
   */
  private chooseLeasesToSteal(counts: Map<string, Lease[]>, needed: number, target: number): Lease[] {
    let most: Lease[] | undefined;
    for (const [owner, owned] of counts) if (owner !== this.id && (!most || owned.length > most.length)) most = owned;
    if (!most || most.length < target) return [];
    const overTarget = most.length - target;
    let steal = Math.min(needed, overTarget);
    if (needed > 1 && overTarget === 0) steal = 1;
    steal = Math.min(steal, MAX_STEAL);
    return shuffle([...most], this.random).slice(0, steal);
  }
}

/** A fleet of {@link Kcl2Worker}s. */
export class Kcl2Fleet extends ModelFleet<Kcl2Worker> {
  readonly roundMillis = TAKE_MS;

  protected newWorker(workerId: string, random: () => number): Kcl2Worker {
    return new Kcl2Worker(workerId, this.context, random);
  }
}

export const kcl2Design: Design = {
  name: 'KCL 2.x model',
  ownerIndex: false,
  create: (context) => new Kcl2Fleet(context),
};
