import type { KinesisApi, Shard } from '../kinesis/kinesis-api.ts';
import type { Logger } from '../internal/logger.ts';
import { newLease, type Checkpoint, type Lease } from '../leases/lease.ts';
import type { LeaseStore } from '../leases/lease-store.ts';
import type { InitialPosition } from './processor.ts';
import { listAllShards } from '../kinesis/list-shards.ts';
import type { StreamIdentity } from '../kinesis/stream-identity.ts';

const STARTING = new Set(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']);

function parentsOf(shard: Shard): string[] {
  return [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => Boolean(id));
}

function isOpen(shard: Shard): boolean {
  return shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
}

/** What one shard sync did. */
export interface ShardSyncResult {
  created: string[];
  deleted: string[];
}

/**
 * Lists the stream's shards and creates leases for shards that have none, with lineage from
 * ParentShardId / AdjacentParentShardId (ChildShards is not relied on: not every Kinesis
 * returns it). A child starts at TRIM_HORIZON, since it must be read whole once its parents
 * end; a shard without a known parent starts at the initial position. With LATEST, closed
 * shards get no lease. A shard whose descendant already has a lease is never given one again,
 * so cleaned-up parents stay gone. Parent leases at SHARD_END are deleted once every child
 * has checkpointed past its start.
 * @internal
 */
export async function syncShards(deps: {
  kinesis: KinesisApi;
  stream: StreamIdentity;
  store: LeaseStore;
  initialPosition: InitialPosition;
  logger: Logger;
}): Promise<ShardSyncResult> {
  const shards = await listAllShards(deps.kinesis, deps.stream);
  const leases = new Map((await deps.store.listLeases()).map((lease) => [lease.leaseKey, lease]));
  const byId = new Map(shards.map((s) => [s.ShardId!, s]));
  const children = new Map<string, string[]>();
  for (const shard of shards) {
    for (const parent of parentsOf(shard)) {
      const list = children.get(parent) ?? [];
      list.push(shard.ShardId!);
      children.set(parent, list);
    }
  }
  const hasLeasedDescendant = (shardId: string, seen = new Set<string>()): boolean => {
    for (const child of children.get(shardId) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      if (leases.has(child) || hasLeasedDescendant(child, seen)) return true;
    }
    return false;
  };
  const initial: Checkpoint = typeof deps.initialPosition === 'object' ? 'AT_TIMESTAMP' : deps.initialPosition;

  const result: ShardSyncResult = { created: [], deleted: [] };
  for (const shard of shards) {
    const shardId = shard.ShardId!;
    if (leases.has(shardId) || hasLeasedDescendant(shardId)) continue;
    const parents = parentsOf(shard);
    const parentInStream = parents.some((p) => byId.has(p) && (leases.has(p) || initial !== 'LATEST'));
    if (initial === 'LATEST' && !isOpen(shard)) continue;
    const lease = newLease(shardId, {
      checkpoint: parentInStream ? 'TRIM_HORIZON' : initial,
      parentShardIds: parents,
      startingHashKey: shard.HashKeyRange?.StartingHashKey,
      endingHashKey: shard.HashKeyRange?.EndingHashKey,
    });
    if (await deps.store.createLeaseIfNotExists(lease)) {
      leases.set(shardId, lease);
      result.created.push(shardId);
    }
  }

  for (const lease of leases.values()) {
    if (lease.checkpoint !== 'SHARD_END') continue;
    const kids = children.get(lease.leaseKey) ?? [];
    if (kids.length > 0 && !sameSet(lease.childShardIds ?? [], kids)) {
      await deps.store.updateChildShardIds(lease.leaseKey, kids);
    }
    if (kids.length > 0 && kids.every((kid) => progressed(leases.get(kid)))) {
      const outcome = await deps.store.deleteLease(lease);
      if (outcome.outcome === 'ok') result.deleted.push(lease.leaseKey);
    }
  }
  if (result.created.length > 0 || result.deleted.length > 0) deps.logger.info(result, 'shardSync.changed');
  return result;
}

function progressed(lease: Lease | undefined): boolean {
  return lease !== undefined && !STARTING.has(lease.checkpoint);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
