/** A checkpoint that is a position rather than a sequence number, in the KCL's spelling. */
export type SentinelCheckpoint = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP' | 'SHARD_END';

/**
 * What a lease's `checkpoint` holds: a Kinesis sequence number (decimal digits) or a sentinel.
 * The `string & {}` keeps the sentinels visible to editors without rejecting sequence numbers.
 */
export type Checkpoint = SentinelCheckpoint | (string & {});

/**
 * One row of the lease table: the right to read one shard, in the KCL 2.x shape so operators
 * can read the table with the tools they know. Values are what this worker last saw; the table
 * may have moved on, which is what the `leaseCounter` fencing detects.
 */
export interface Lease {
  /** The shard id; the table's hash key. */
  readonly leaseKey: string;
  /** Worker holding the lease; absent when the lease is free. */
  readonly leaseOwner?: string;
  /**
   * Set by KCL 3.x during a graceful hand-off: the old owner, still allowed to checkpoint, while
   * `leaseOwner` already names the new one. This framework never sets it; it clears it only
   * when it completes a hand-off away from itself (release) or takes a lease whose hand-off
   * timed out (`gracefulLeaseHandoffTimeoutMillis`), as the KCL's own take does.
   */
  readonly checkpointOwner?: string;
  /** Fencing counter, bumped by every renew, take, checkpoint and release. */
  readonly leaseCounter: number;
  readonly checkpoint: Checkpoint;
  /** Index of the last processed user record inside the checkpointed (aggregated) Kinesis record. */
  readonly checkpointSubSequenceNumber: number;
  /** First half of a two-phase checkpoint; cleared by every checkpoint. */
  readonly pendingCheckpoint?: Checkpoint;
  readonly pendingCheckpointSubSequenceNumber?: number;
  /** State a processor checkpointed with its position (a pipeline's window state); JSON text. */
  readonly checkpointState?: string;
  /** Owner changes since the last checkpoint: a lease that keeps moving without progress is stuck. */
  readonly ownerSwitchesSinceCheckpoint: number;
  /** One parent (a split) or two (a merge); empty for the stream's original shards. */
  readonly parentShardIds: readonly string[];
  readonly childShardIds?: readonly string[];
  /**
   * KB per second the owner processed from this shard, as it last recorded at a renewal (the
   * KCL 3.x attribute, same name and unit); absent until an owner records one. The taker
   * balances on it as well as on lease counts.
   */
  readonly throughputKBps?: number;
  readonly startingHashKey?: string;
  readonly endingHashKey?: string;
}

/** What {@link newLease} needs besides the shard id. */
export interface NewLeaseFields {
  checkpoint: Checkpoint;
  parentShardIds?: readonly string[];
  startingHashKey?: string;
  endingHashKey?: string;
}

/**
 * A free lease for a shard that has none yet: counter 0, no owner, as the KCL creates them.
 *
 * @example
 * await store.createLeaseIfNotExists(newLease('shardId-000000000000', { checkpoint: 'TRIM_HORIZON' }));
 */
export function newLease(shardId: string, fields: NewLeaseFields): Lease {
  return {
    leaseKey: shardId,
    leaseCounter: 0,
    checkpoint: fields.checkpoint,
    checkpointSubSequenceNumber: 0,
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: fields.parentShardIds ?? [],
    ...(fields.startingHashKey === undefined ? {} : { startingHashKey: fields.startingHashKey }),
    ...(fields.endingHashKey === undefined ? {} : { endingHashKey: fields.endingHashKey }),
  };
}
