import type { Clock } from '../internal/clock.ts';
import type { Lease } from './lease.ts';

interface Seen {
  counter: number;
  changedAt: number;
  /** The last observation: a lease not scanned every round is judged as of then, not now. */
  seenAt: number;
}

/**
 * Judges lease expiry locally, as the KCL does: a lease is expired when its `leaseCounter` has
 * not changed for `failoverTimeMillis` since this worker last saw it change. The table holds no
 * clock time, so workers never compare clocks; each measures on its own (injected) clock.
 *
 * A lease seen for the first time counts as changed at that moment: a worker that just started
 * waits a full failover time before taking a lease that still has an owner, because it cannot
 * know how long ago that owner last renewed.
 *
 * @example
 * const tracker = new LeaseTracker(clock, 10_000);
 * tracker.observe(await store.listLeases());
 * const expired = leases.filter((lease) => tracker.isExpired(lease));
 */
export class LeaseTracker {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly clock: Clock,
    private readonly failoverTimeMillis: number,
  ) {}

  /**
   * Records a full scan: a counter that differs from the last one seen restarts that lease's
   * clock; leases missing from the scan are forgotten (deleted, or ended and cleaned up).
   */
  observe(leases: Iterable<Lease>): void {
    const present = new Set<string>();
    for (const lease of leases) {
      present.add(lease.leaseKey);
      this.record(lease);
    }
    for (const key of this.seen.keys()) if (!present.has(key)) this.seen.delete(key);
  }

  /** Records one lease, e.g. after this worker's own write moved its counter, or one scanned in a segment. */
  record(lease: Lease): void {
    const now = this.clock.now();
    const seen = this.seen.get(lease.leaseKey);
    if (!seen || seen.counter !== lease.leaseCounter) this.seen.set(lease.leaseKey, { counter: lease.leaseCounter, changedAt: now, seenAt: now });
    else seen.seenAt = now;
  }

  /** Forgets a lease (gone from the table, or not seen for long). */
  forget(leaseKey: string): void {
    this.seen.delete(leaseKey);
  }

  /**
   * True when two observations of the same counter lie more than the failover time apart: the
   * judgment of a lease this worker does not scan every round, which must not count the time
   * since it last looked as time the counter stood still.
   */
  expiredWhenLastSeen(lease: Lease): boolean {
    const seen = this.seen.get(lease.leaseKey);
    return seen !== undefined && seen.counter === lease.leaseCounter && seen.seenAt - seen.changedAt > this.failoverTimeMillis;
  }

  /**
   * True when this lease's counter has stood still for longer than the failover time. A lease
   * never observed, or observed with another counter, is not expired: its clock starts now.
   */
  isExpired(lease: Lease): boolean {
    const seen = this.seen.get(lease.leaseKey);
    if (!seen || seen.counter !== lease.leaseCounter) return false;
    return this.clock.now() - seen.changedAt > this.failoverTimeMillis;
  }

  /** Milliseconds since the lease's counter last changed in this worker's view, if it was seen. */
  millisSinceChange(leaseKey: string): number | undefined {
    const seen = this.seen.get(leaseKey);
    return seen === undefined ? undefined : this.clock.now() - seen.changedAt;
  }
}
