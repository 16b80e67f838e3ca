import type { Lease } from './lease.ts';

/**
 * Why this worker lost a lease: `fenced` — a conditional write found another counter (another
 * worker took it, or it was deleted); `expired` — renewals failed for the failover time, so
 * other workers may take it any moment.
 */
export type LeaseLostReason = 'fenced' | 'expired';

/** Events of the {@link LeaseCoordinator}; subscribe with `on()`, which returns the unsubscribe. */
export interface LeaseCoordinatorEvents extends Record<string, unknown> {
  /**
   * This worker took the lease and now holds it: start reading the shard from
   * `lease.checkpoint`. `from` is the owner it had, `stolen` whether that owner was live.
   */
  'lease.taken': { shardId: string; lease: Lease; from: string | undefined; stolen: boolean };
  /** This worker took the lease from a live worker (also reported as `lease.taken`). */
  'lease.stolen': { shardId: string; from: string };
  /** This worker no longer holds the lease: stop reading the shard, do not checkpoint it. */
  'lease.lost': { shardId: string; reason: LeaseLostReason };
  /** A renewal failed with an error (not a lost condition); the lease is kept until it would expire. */
  'lease.renewFailed': { shardId: string; error: unknown; millisSinceRenewal: number };
  /**
   * The lease was released for another worker to take at once; `to` names the worker it was
   * handed to directly (its `leaseOwner` now), absent when it was left free.
   */
  'lease.released': { shardId: string; to?: string | undefined };
}

/** What {@link LeaseCoordinator.releaseAll} did, lease by lease. */
export interface ReleaseSummary {
  released: string[];
  /** Leases another worker had already taken. */
  lost: string[];
  /** Leases whose release failed; they stay held until `stop()`, then expire. */
  failed: Array<{ shardId: string; error: unknown }>;
}
