// `kinesis-actors/leases`: the lease subsystem the consumer is built on, for tools and workers of
// their own. Leases in DynamoDB with the KCL's table layout, the coordinator that takes, renews,
// steals and releases them, and the operator's view of a lease table. Everything not listed here
// is internal and may change.

export type { Lease, Checkpoint, NewLeaseFields } from './lease.ts';
export { newLease } from './lease.ts';
export type { LeaseStore, LeaseWriteResult } from './lease-store.ts';
export { DynamoDbLeaseStore } from './dynamodb-lease-store.ts';
export type { DynamoDbLeaseStoreOptions } from './dynamodb-lease-store.ts';
export { LeaseCoordinator } from './lease-coordinator.ts';
export type { LeaseHandle } from './lease-handle.ts';
export type { LeaseCoordinatorEvents, LeaseLostReason, ReleaseSummary } from './lease-coordinator-events.ts';
export type { LeaseCoordinatorOptions } from './lease-coordinator-options.ts';
export { describeLeaseTable } from './describe-lease-table.ts';
export type { LeaseRow } from './describe-lease-table.ts';
export { LeaseLostError, LeaseOwnerIndexMissingError, LeaseTableSchemaError, MalformedLeaseError } from './lease-errors.ts';
