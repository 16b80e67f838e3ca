import { newLease, type Lease } from '../../src/leases/lease.ts';

/** A Kinesis shard id, as ListShards spells them. */
export const shardId = (i: number) => `shardId-${String(i).padStart(12, '0')}`;
export const workerId = (i: number) => `worker-${String(i).padStart(4, '0')}`;

const HASH_SPACE = 2n ** 128n;

/**
 * The lease shard sync creates for shard `i` of `shards`, with its hash key range, at the
 * checkpoint given: a lease item the size of a real one (about 290 bytes once it carries a
 * sequence-number checkpoint and an owner).
 */
export function simulatedLease(i: number, shards: number, checkpoint: string, parentShardIds: readonly string[] = []): Lease {
  const start = (HASH_SPACE * BigInt(i)) / BigInt(shards);
  const end = (HASH_SPACE * BigInt(i + 1)) / BigInt(shards) - 1n;
  return Object.freeze(newLease(shardId(i), { checkpoint, parentShardIds, startingHashKey: String(start), endingHashKey: String(end) }));
}

/** A Kinesis sequence number's length (56 digits), for a lease whose owner has checkpointed. */
export const SEQUENCE_NUMBER = '49590338271490256608559692538361571095921575989136588898';
