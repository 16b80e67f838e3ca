import type { Checkpoint, Lease } from './lease.ts';
import type { LeaseRenewer } from './lease-renewer.ts';
import type { LeaseStore } from './lease-store.ts';

/**
 * One lease, as the shard consumer of its shard needs it: handed over once when the shard
 * consumer starts, it reads the lease, says whether the parent shards are done, and writes
 * checkpoints through the counter this worker holds.
 */
export interface LeaseHandle {
  readonly shardId: string;
  /** The lease as this worker holds it, or as stored once it no longer does; rejects when there is none. */
  read(): Promise<Lease>;
  /** True when every parent lease is at SHARD_END (or gone): the shard may be read. */
  parentsDone(): Promise<boolean>;
  /**
   * Writes a checkpoint fenced by the held counter. Rejects with a `LeaseLostError` (code
   * `LEASE_LOST`, and `lease.lost` is emitted) when this worker no longer holds the lease.
   */
  checkpoint(checkpoint: Checkpoint, subSequenceNumber: number, state?: string): Promise<Lease>;
  /**
   * Counts bytes read from the shard; the next renewal stores them as the lease's
   * `throughputKBps`, which the taker balances on. Absent on handles that do not track it.
   */
  recordBytes?(bytes: number): void;
}

/** The handle on the lease of `shardId`, written through `renewer`, read from `store` when not held. @internal */
export function leaseHandle(shardId: string, renewer: LeaseRenewer, store: LeaseStore): LeaseHandle {
  const read = async (): Promise<Lease> => {
    const lease = renewer.get(shardId) ?? (await store.getLease(shardId));
    if (!lease) throw new Error(`no lease for ${shardId}`);
    return lease;
  };
  return {
    shardId,
    read,
    async parentsDone() {
      for (const parent of (await read()).parentShardIds) {
        const lease = await store.getLease(parent);
        if (lease && lease.checkpoint !== 'SHARD_END') return false;
      }
      return true;
    },
    checkpoint: (checkpoint, subSequenceNumber, state) => renewer.checkpoint(shardId, checkpoint, subSequenceNumber, state),
    recordBytes: (bytes) => renewer.recordBytes(shardId, bytes),
  };
}
