import type { Checkpoint, Lease } from './lease.ts';

/**
 * What a fenced write returns. `leaseLost` means the condition failed: the counter (or owner)
 * is no longer what the caller saw, so another worker took the lease, or it was deleted. It is
 * an outcome, not an exception, because losing a lease is part of normal operation; errors of
 * DynamoDB itself reject with a `KinesisActorsError` instead.
 */
export type LeaseWriteResult =
  | { readonly outcome: 'ok'; readonly lease: Lease }
  | { readonly outcome: 'leaseLost'; readonly leaseKey: string };

/**
 * The lease table as the coordinator needs it: narrow so tests can fake it, and so another
 * store than DynamoDB could stand in. Every ownership write is conditional on what the caller
 * saw: `lease.leaseCounter`, and the worker that may write the lease, `actualOwner(lease)`
 * (`checkpointOwner` during a KCL 3.x graceful hand-off, else `leaseOwner`). No write removes
 * or rewrites attributes it does not name.
 */
export interface LeaseStore {
  /** Creates the table if it is missing and waits until it can be used; checks its key schema. */
  ensureTable(): Promise<void>;
  /**
   * Every lease in the table (paged; may be slightly stale, fencing makes that safe). Items that
   * are not leases (a KCL 3.5 fleet's worker metrics and coordinator state) are left out; an
   * item that claims to be a lease but is broken rejects with a `MalformedLeaseError`.
   */
  listLeases(): Promise<Lease[]>;
  /**
   * One segment of a parallel Scan (DynamoDB `Segment`/`TotalSegments`): every item whose hash
   * key falls in segment `segment` of `totalSegments` (0 ≤ segment < totalSegments), about
   * 1/totalSegments of the table, read eventually consistently and paged like
   * {@link listLeases}; the items read are the same whatever the caller keeps. Items that are
   * not leases are read and left out, a broken lease rejects with a `MalformedLeaseError`.
   * The segments of one `totalSegments` are disjoint and together are the whole table; the same
   * key always falls in the same segment for a given `totalSegments`.
   */
  listLeaseSegment(segment: number, totalSegments: number): Promise<Lease[]>;
  /** One lease, read consistently; `undefined` when there is none, or the item is not a lease. */
  getLease(leaseKey: string): Promise<Lease | undefined>;
  /** Writes a new lease unless one exists for the shard; true when this call created it. */
  createLeaseIfNotExists(lease: Lease): Promise<boolean>;
  /**
   * Bumps the counter if it is still `lease.leaseCounter` and the lease's actual owner is still
   * the same worker (one conditional write of that item; nothing is read besides it). With
   * `throughputKBps`, stores it as the lease's `throughputKBps` in the same write (the KCL 3.x
   * attribute: KB/s the owner processed since its previous renewal).
   */
  renewLease(lease: Lease, throughputKBps?: number): Promise<LeaseWriteResult>;
  /**
   * Makes `owner` the owner if the counter is still `lease.leaseCounter` and `checkpointOwner`
   * is still what the caller saw (taking a free or expired lease and stealing a live one are
   * the same write); counts an owner switch when the lease had another owner. A `checkpointOwner`
   * the caller saw (a hand-off past its timeout) is removed: the take ends that hand-off.
   */
  takeLease(lease: Lease, owner: string): Promise<LeaseWriteResult>;
  /**
   * Records progress if the counter is still `lease.leaseCounter` and the lease's actual owner
   * is still the same worker: a stale owner's checkpoint is refused, and so is one while another
   * worker's `checkpointOwner` is set. Resets owner switches, clears a pending checkpoint.
   * `state`, when given, is stored with the position in the same write.
   */
  checkpoint(lease: Lease, checkpoint: Checkpoint, subSequenceNumber: number, state?: string): Promise<LeaseWriteResult>;
  /**
   * Lets go of the lease if it is still at `lease.leaseCounter` with the same actual owner, so
   * another worker can take it at once: removes `leaseOwner`, or, when the caller is the old
   * owner of a KCL 3.x hand-off, removes `checkpointOwner`, which gives it to the new owner.
   */
  releaseLease(lease: Lease): Promise<LeaseWriteResult>;
  /** Deletes the lease if its owner is still `lease.leaseOwner` (or it is still free), as the KCL does. */
  deleteLease(lease: Lease): Promise<LeaseWriteResult>;
  /**
   * Records the children of a shard that ended. Lineage, not ownership: conditional only on
   * the lease existing, and the counter does not move, so the owner's fencing is not disturbed.
   */
  updateChildShardIds(leaseKey: string, childShardIds: readonly string[]): Promise<LeaseWriteResult>;
  /**
   * Direct hand-off, optional (a store without these three methods makes the fleet find
   * released leases by scanning). The keys of the leases whose `leaseOwner` is `owner`, read
   * from the keys-only index `LeaseOwnerToLeaseKeyIndex` (eventually consistent, so a lease just
   * handed over may be missing for a moment, and one just taken away still listed). Rejects
   * with a `LeaseOwnerIndexMissingError` when the table has no such index.
   */
  listLeaseKeysOwnedBy?(owner: string): Promise<string[]>;
  /**
   * Gives the lease to `successor` if it is still at `lease.leaseCounter` with the same owner
   * and no hand-off in progress: sets `leaseOwner`, bumps the counter and the owner switches.
   * The releasing worker's alternative to {@link releaseLease}.
   */
  handOffLease?(lease: Lease, successor: string): Promise<LeaseWriteResult>;
  /**
   * Starts holding a lease handed to `owner`: bumps the counter if `leaseOwner` is still `owner`
   * and no `checkpointOwner` is set, and returns the lease as written (its checkpoint included).
   * `leaseLost` when another worker took it meanwhile, or a KCL 3.x hand-off is still running.
   */
  claimLease?(leaseKey: string, owner: string): Promise<LeaseWriteResult>;
}
