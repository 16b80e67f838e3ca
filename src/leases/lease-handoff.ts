import type { Clock } from '../internal/clock.ts';
import type { Lease } from './lease.ts';

/**
 * The worker that may process and checkpoint the lease now: during a KCL 3.x graceful hand-off
 * the old owner named by `checkpointOwner`, otherwise `leaseOwner` (the KCL's `actualOwner()`).
 */
export function actualOwner(lease: Lease): string | undefined {
  return lease.checkpointOwner ?? lease.leaseOwner;
}

/**
 * Judges KCL 3.x graceful hand-offs for the taker. A KCL leader hands a lease over by setting
 * `leaseOwner` to the new worker and `checkpointOwner` to the old one, which finishes its batch,
 * checkpoints and then clears `checkpointOwner`. Until then no other worker may take the lease,
 * or records would be processed twice; if the old owner never clears it, the KCL's leader
 * reassigns the lease once its hand-off timeout has passed, and so does this worker.
 *
 * The time is judged locally, like expiry: the table holds no clock time, so the timeout runs
 * from when this worker first saw that `checkpointOwner` on that lease. A worker that starts
 * during a hand-off waits a whole timeout, because it cannot know when the hand-off began.
 *
 * @example
 * const handoffs = new HandoffTracker(clock, 30_000, 'worker-1');
 * handoffs.observe(await store.listLeases());
 * const takeable = leases.filter((lease) => !handoffs.isBlocked(lease));
 */
export class HandoffTracker {
  private readonly seen = new Map<string, { checkpointOwner: string; since: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMillis: number,
    private readonly workerId: string,
  ) {}

  /**
   * Records a scan: starts the clock of each hand-off seen for the first time, forgets finished
   * ones. A `partial` scan (one segment) forgets only the hand-offs of the leases it read.
   */
  observe(leases: Iterable<Lease>, partial = false): void {
    const present = new Set<string>();
    for (const lease of leases) {
      if (lease.checkpointOwner === undefined) {
        if (partial) this.seen.delete(lease.leaseKey);
        continue;
      }
      present.add(lease.leaseKey);
      if (this.seen.get(lease.leaseKey)?.checkpointOwner !== lease.checkpointOwner) {
        this.seen.set(lease.leaseKey, { checkpointOwner: lease.checkpointOwner, since: this.clock.now() });
      }
    }
    if (!partial) for (const key of this.seen.keys()) if (!present.has(key)) this.seen.delete(key);
  }

  /**
   * True while another worker's hand-off of this lease is in progress: `checkpointOwner` names a
   * worker other than this one, and the timeout has not passed since this worker first saw it.
   */
  isBlocked(lease: Lease): boolean {
    const owner = lease.checkpointOwner;
    if (owner === undefined || owner === this.workerId) return false;
    const seen = this.seen.get(lease.leaseKey);
    const since = seen?.checkpointOwner === owner ? seen.since : this.clock.now();
    return this.clock.now() - since < this.timeoutMillis;
  }
}
