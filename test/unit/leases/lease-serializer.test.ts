import { describe, expect, it } from 'vitest';
import { fromItem, isLeaseItem, toItem } from '../../../src/leases/lease-serializer.ts';
import { isConditionFailure, MalformedLeaseError, translateDynamoDbError } from '../../../src/leases/lease-errors.ts';
import { newLease, type Lease } from '../../../src/leases/lease.ts';
import { KinesisActorsError } from '../../../src/errors.ts';
import { kcl3CoordinatorItems, kcl3LeaseItem, leaderLockItem } from '../../fixtures/kcl3-items.ts';

describe('lease items', () => {
  const full: Lease = {
    leaseKey: 'shardId-000000000002',
    leaseOwner: 'w1',
    leaseCounter: 17,
    checkpoint: '49590338271490256608559692538361571095921575989136588898',
    checkpointSubSequenceNumber: 3,
    pendingCheckpoint: '49590338271490256608559692538361571095921575989136589000',
    pendingCheckpointSubSequenceNumber: 1,
    ownerSwitchesSinceCheckpoint: 2,
    parentShardIds: ['shardId-000000000000', 'shardId-000000000001'],
    childShardIds: ['shardId-000000000003'],
    startingHashKey: '0',
    endingHashKey: '340282366920938463463374607431768211455',
  };

  it('uses the KCL 2.x attribute names and types, and reads them back', () => {
    const item = toItem(full);
    expect(item).toEqual({
      leaseKey: { S: full.leaseKey },
      leaseOwner: { S: 'w1' },
      leaseCounter: { N: '17' },
      checkpoint: { S: full.checkpoint },
      checkpointSubSequenceNumber: { N: '3' },
      pendingCheckpoint: { S: full.pendingCheckpoint },
      pendingCheckpointSubSequenceNumber: { N: '1' },
      ownerSwitchesSinceCheckpoint: { N: '2' },
      parentShardId: { SS: full.parentShardIds },
      childShardIds: { SS: full.childShardIds },
      startingHashKey: { S: '0' },
      endingHashKey: { S: full.endingHashKey },
    });
    expect(fromItem(item)).toEqual(full);
  });

  it('leaves out what a free root lease does not have (DynamoDB refuses empty sets)', () => {
    const lease = newLease('shardId-000000000000', { checkpoint: 'LATEST' });
    expect(Object.keys(toItem(lease)).sort()).toEqual([
      'checkpoint',
      'checkpointSubSequenceNumber',
      'leaseCounter',
      'leaseKey',
      'ownerSwitchesSinceCheckpoint',
    ]);
    expect(fromItem(toItem(lease))).toEqual(lease);
  });

  it('refuses an item without a counter or with a wrong type, naming the lease', () => {
    expect(() => fromItem({ leaseKey: { S: 's1' }, checkpoint: { S: 'LATEST' } })).toThrow('lease item "s1" is malformed: leaseCounter is missing');
    expect(() => fromItem({ leaseKey: { S: 's1' }, leaseCounter: { S: '1' }, checkpoint: { S: 'LATEST' } })).toThrow(
      'leaseCounter must be a number (N)',
    );
  });

  it('ignores attributes it does not know (newer KCL versions add some)', () => {
    const item = { ...toItem(full), leaseOwnerHeartbeat: { N: '12' }, isMarkedForLeaseSteal: { BOOL: true } };
    expect(fromItem(item)).toEqual(full);
  });

  it('reads and writes the KCL 3.x throughputKBps, and refuses one that is not a number', () => {
    const item = { ...toItem(full), throughputKBps: { N: '12.5' } };
    expect(fromItem(item)).toEqual({ ...full, throughputKBps: 12.5 });
    expect(toItem({ ...full, throughputKBps: 3 }).throughputKBps).toEqual({ N: '3' });
    expect(() => fromItem({ ...item, throughputKBps: { S: 'fast' } })).toThrow('throughputKBps must be a number (N)');
  });
});

describe('which items of the table are leases', () => {
  it.each(kcl3CoordinatorItems(['kcl-worker-1']).map((item) => [item.leaseKey.S, item.entityType.S, item] as const))(
    'skips KCL 3.5’s %s item (entityType %s), as the KCL’s serializer does',
    (_key, _type, item) => {
      expect(isLeaseItem(item)).toBe(false);
    },
  );

  it('skips an item with neither entityType nor leaseCounter (no lease writer leaves the counter out)', () => {
    const { entityType: _, ...lockWithoutType } = leaderLockItem('kcl-worker-1');
    expect(isLeaseItem(lockWithoutType)).toBe(false);
  });

  it('reads leases with entityType LEASE (KCL 3.5) and without (KCL 2.x, this framework)', () => {
    expect(isLeaseItem(kcl3LeaseItem('shardId-000000000000'))).toBe(true);
    expect(isLeaseItem(toItem(newLease('shardId-000000000000', { checkpoint: 'LATEST' })))).toBe(true);
    expect(fromItem(kcl3LeaseItem('shardId-000000000000', { leaseOwner: 'w', leaseCounter: 4 }))).toMatchObject({ leaseOwner: 'w', leaseCounter: 4 });
    expect(fromItem(kcl3LeaseItem('shardId-000000000000', { leaseOwner: 'w', checkpointOwner: 'old' }))).toMatchObject({ leaseOwner: 'w', checkpointOwner: 'old' });
  });

  it('reports an item that claims to be a lease, by a counter or by entityType LEASE, when it is broken', () => {
    const noCheckpoint = { leaseKey: { S: 's1' }, leaseCounter: { N: '3' } };
    expect(isLeaseItem(noCheckpoint)).toBe(true);
    expect(() => fromItem(noCheckpoint)).toThrow(MalformedLeaseError);
    const { leaseCounter: _, ...noCounter } = kcl3LeaseItem('s2');
    expect(isLeaseItem(noCounter)).toBe(true);
    const error = (() => {
      try {
        fromItem(noCounter);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KinesisActorsError);
    expect(error).toMatchObject({ code: 'LEASE_STORE_ERROR', retriable: false, leaseKey: 's2', reason: 'leaseCounter is missing' });
    expect((error as Error).message).toBe('lease item "s2" is malformed: leaseCounter is missing; repair or delete the item');
  });
});

describe('translateDynamoDbError', () => {
  const sdkError = (name: string, status?: number, code?: string) =>
    Object.assign(new Error(`${name} happened`), { name, code, $metadata: { httpStatusCode: status } });

  it.each([
    [sdkError('ProvisionedThroughputExceededException', 400), 'THROTTLED', true],
    [sdkError('ThrottlingException', 400), 'THROTTLED', true],
    [sdkError('RequestLimitExceeded', 400), 'THROTTLED', true],
    [sdkError('InternalServerError', 500), 'LEASE_STORE_ERROR', true],
    [sdkError('SomethingNew', 503), 'LEASE_STORE_ERROR', true],
    [sdkError('Error', undefined, 'ECONNRESET'), 'LEASE_STORE_ERROR', true],
    [sdkError('ResourceNotFoundException', 400), 'LEASE_STORE_ERROR', false],
    [sdkError('AccessDeniedException', 400), 'LEASE_STORE_ERROR', false],
    [sdkError('ValidationException', 400), 'LEASE_STORE_ERROR', false],
  ])('%s → %s (retriable %s)', (error, code, retriable) => {
    const translated = translateDynamoDbError(error, 'renew (UpdateItem)', 'app') as KinesisActorsError;
    expect(translated).toBeInstanceOf(KinesisActorsError);
    expect(translated).toMatchObject({ code, retriable, cause: error });
    expect(translated.message).toContain('renew (UpdateItem) on lease table app');
  });

  it('lets programming errors through untouched', () => {
    const bug = new TypeError('x is undefined');
    expect(translateDynamoDbError(bug, 'Scan', 'app')).toBe(bug);
  });

  it('recognizes a failed condition', () => {
    expect(isConditionFailure(sdkError('ConditionalCheckFailedException', 400))).toBe(true);
    expect(isConditionFailure(sdkError('ValidationException', 400))).toBe(false);
  });
});
