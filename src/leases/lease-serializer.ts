import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Lease } from './lease.ts';
import { MalformedLeaseError } from './lease-errors.ts';

/** DynamoDB items of the lease table. @internal */
export type LeaseItem = Record<string, AttributeValue>;

/**
 * The KCL 2.x attribute names (and the KCL 3.x ones this framework reads), in one place; an
 * operator's tooling and a KCL fleet read the same table. @internal
 */
export const LeaseAttribute = Object.freeze({
  leaseKey: 'leaseKey',
  leaseOwner: 'leaseOwner',
  checkpointOwner: 'checkpointOwner',
  leaseCounter: 'leaseCounter',
  checkpoint: 'checkpoint',
  checkpointSubSequenceNumber: 'checkpointSubSequenceNumber',
  pendingCheckpoint: 'pendingCheckpoint',
  pendingCheckpointSubSequenceNumber: 'pendingCheckpointSubSequenceNumber',
  ownerSwitchesSinceCheckpoint: 'ownerSwitchesSinceCheckpoint',
  parentShardIds: 'parentShardId',
  childShardIds: 'childShardIds',
  startingHashKey: 'startingHashKey',
  endingHashKey: 'endingHashKey',
  checkpointState: 'checkpointState',
  entityType: 'entityType',
  throughputKBps: 'throughputKBps',
});

/** KCL 3.5's `entityType` of a lease; its other items in the table have other values. */
const LEASE_ENTITY_TYPE = 'LEASE';

const A = LeaseAttribute;

/** A DynamoDB number. @internal */
export function n(value: number): AttributeValue {
  return { N: String(value) };
}

/** The whole item for a new lease; empty string sets are left out because DynamoDB rejects them. @internal */
export function toItem(lease: Lease): LeaseItem {
  const item: LeaseItem = {
    [A.leaseKey]: { S: lease.leaseKey },
    [A.leaseCounter]: n(lease.leaseCounter),
    [A.checkpoint]: { S: lease.checkpoint },
    [A.checkpointSubSequenceNumber]: n(lease.checkpointSubSequenceNumber),
    [A.ownerSwitchesSinceCheckpoint]: n(lease.ownerSwitchesSinceCheckpoint),
  };
  if (lease.leaseOwner !== undefined) item[A.leaseOwner] = { S: lease.leaseOwner };
  if (lease.checkpointOwner !== undefined) item[A.checkpointOwner] = { S: lease.checkpointOwner };
  if (lease.pendingCheckpoint !== undefined) {
    item[A.pendingCheckpoint] = { S: lease.pendingCheckpoint };
    item[A.pendingCheckpointSubSequenceNumber] = n(lease.pendingCheckpointSubSequenceNumber ?? 0);
  }
  if (lease.parentShardIds.length > 0) item[A.parentShardIds] = { SS: [...lease.parentShardIds] };
  if (lease.childShardIds && lease.childShardIds.length > 0) item[A.childShardIds] = { SS: [...lease.childShardIds] };
  if (lease.checkpointState !== undefined) item[A.checkpointState] = { S: lease.checkpointState };
  if (lease.startingHashKey !== undefined) item[A.startingHashKey] = { S: lease.startingHashKey };
  if (lease.endingHashKey !== undefined) item[A.endingHashKey] = { S: lease.endingHashKey };
  if (lease.throughputKBps !== undefined) item[A.throughputKBps] = n(lease.throughputKBps);
  return item;
}

function malformed(item: LeaseItem, why: string): MalformedLeaseError {
  return new MalformedLeaseError(item[A.leaseKey]?.S ?? '?', why);
}

/**
 * True when the item is a lease. KCL 3.5 keeps its worker metrics and coordinator state (keyed
 * by a worker id, `Leader`, `Migration3.0`, `TableMigration3.5`) in the lease table, marked by
 * an `entityType` other than LEASE, and its serializer skips them: so does this one. Items
 * without `entityType` (every lease written by the KCL up to 3.4, and by this framework) are
 * leases when they have a `leaseCounter`, which every lease writer sets; an item with neither
 * belongs to some other tool and is skipped too. An item that claims to be a lease by either
 * mark is read by {@link fromItem}, which reports it if it is broken. @internal
 */
export function isLeaseItem(item: LeaseItem): boolean {
  const entityType = item[A.entityType]?.S;
  if (entityType !== undefined) return entityType === LEASE_ENTITY_TYPE;
  return item[A.leaseCounter] !== undefined;
}

function number(item: LeaseItem, name: string): number | undefined {
  const value = item[name];
  if (value === undefined) return undefined;
  if (value.N === undefined || !Number.isFinite(Number(value.N))) throw malformed(item, `${name} must be a number (N)`);
  return Number(value.N);
}

function string(item: LeaseItem, name: string): string | undefined {
  const value = item[name];
  if (value === undefined) return undefined;
  if (value.S === undefined) throw malformed(item, `${name} must be a string (S)`);
  return value.S;
}

function stringSet(item: LeaseItem, name: string): string[] | undefined {
  const value = item[name];
  if (value === undefined) return undefined;
  if (value.SS === undefined) throw malformed(item, `${name} must be a string set (SS)`);
  return value.SS;
}

/**
 * The lease in an item that {@link isLeaseItem} accepted (or that a fenced write returned). A
 * missing counter or checkpoint is refused with a {@link MalformedLeaseError} rather than
 * guessed: a guessed counter would make the lease impossible to take, silently. Other
 * attributes (newer KCL versions add some) are ignored, and no write here touches them. @internal
 */
export function fromItem(item: LeaseItem): Lease {
  const leaseKey = string(item, A.leaseKey);
  if (leaseKey === undefined) throw malformed(item, 'leaseKey is missing');
  const leaseCounter = number(item, A.leaseCounter);
  if (leaseCounter === undefined) throw malformed(item, 'leaseCounter is missing');
  const checkpoint = string(item, A.checkpoint);
  if (checkpoint === undefined) throw malformed(item, 'checkpoint is missing');
  const lease: { -readonly [K in keyof Lease]: Lease[K] } = {
    leaseKey,
    leaseCounter,
    checkpoint,
    checkpointSubSequenceNumber: number(item, A.checkpointSubSequenceNumber) ?? 0,
    ownerSwitchesSinceCheckpoint: number(item, A.ownerSwitchesSinceCheckpoint) ?? 0,
    parentShardIds: stringSet(item, A.parentShardIds) ?? [],
  };
  const owner = string(item, A.leaseOwner);
  if (owner !== undefined) lease.leaseOwner = owner;
  const checkpointOwner = string(item, A.checkpointOwner);
  if (checkpointOwner !== undefined) lease.checkpointOwner = checkpointOwner;
  const pending = string(item, A.pendingCheckpoint);
  if (pending !== undefined) {
    lease.pendingCheckpoint = pending;
    lease.pendingCheckpointSubSequenceNumber = number(item, A.pendingCheckpointSubSequenceNumber) ?? 0;
  }
  const children = stringSet(item, A.childShardIds);
  if (children !== undefined) lease.childShardIds = children;
  const start = string(item, A.startingHashKey);
  if (start !== undefined) lease.startingHashKey = start;
  const state = string(item, A.checkpointState);
  if (state !== undefined) lease.checkpointState = state;
  const end = string(item, A.endingHashKey);
  if (end !== undefined) lease.endingHashKey = end;
  const throughput = number(item, A.throughputKBps);
  if (throughput !== undefined) lease.throughputKBps = throughput;
  return lease;
}
