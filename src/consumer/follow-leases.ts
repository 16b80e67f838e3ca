import type { ConsumerInstrumentation } from './consumer-instrumentation.ts';
import type { LeaseCoordinator } from '../leases/lease-coordinator.ts';
import type { ShardConsumers } from './shard-consumers.ts';

/**
 * Lets the leases drive the shard consumers: a lease taken starts its shard's consumer, a
 * lease lost stops it; both are counted and reported as the consumer's `lease.*` events.
 * @internal
 */
export function followLeases(coordinator: LeaseCoordinator, shardConsumers: ShardConsumers, instrumentation: ConsumerInstrumentation): void {
  coordinator.on('lease.taken', ({ shardId, stolen, from }) => {
    instrumentation.leaseTaken(shardId, stolen, from);
    shardConsumers.start(shardId);
  });
  coordinator.on('lease.lost', ({ shardId }) => {
    instrumentation.leaseLost(shardId);
    shardConsumers.leaseLost(shardId);
  });
}
