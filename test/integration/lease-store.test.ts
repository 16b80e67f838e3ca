import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DescribeTableCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { LeaseTableSchemaError } from '../../src/leases/lease-errors.ts';
import { newLease, type Lease } from '../../src/leases/lease.ts';
import { KinesisActorsError } from '../../src/errors.ts';

describe('DynamoDbLeaseStore against dynalite', () => {
  let stack: LocalStack;
  let dynamodb: DynamoDBClient;
  beforeAll(async () => {
    stack = await startLocalStack();
    dynamodb = stack.dynamodb!;
  });
  afterAll(() => stack.close());

  async function freshStore(leases = 0): Promise<DynamoDbLeaseStore> {
    const store = new DynamoDbLeaseStore(dynamodb, randomName('leases'));
    await store.ensureTable();
    for (let i = 0; i < leases; i++) await store.createLeaseIfNotExists(newLease(`shardId-${i}`, { checkpoint: 'TRIM_HORIZON' }));
    return store;
  }

  async function ok(result: Promise<{ outcome: string; lease?: Lease }>): Promise<Lease> {
    const r = await result;
    expect(r.outcome).toBe('ok');
    return r.lease!;
  }

  it('creates the table with the KCL key schema, on demand, and waits until it is ACTIVE', async () => {
    const store = await freshStore();
    await store.ensureTable(); // idempotent
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: store.tableName }));
    expect(Table!.TableStatus).toBe('ACTIVE');
    expect(Table!.KeySchema).toEqual([{ AttributeName: 'leaseKey', KeyType: 'HASH' }]);
    expect(Table!.AttributeDefinitions).toEqual([
      { AttributeName: 'leaseKey', AttributeType: 'S' },
      { AttributeName: 'leaseOwner', AttributeType: 'S' },
    ]);
    expect(Table!.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    // KCL 3.x's index, the same name, key and projection, so both fleets can share the table.
    expect(Table!.GlobalSecondaryIndexes?.map((i) => ({ name: i.IndexName, key: i.KeySchema, projection: i.Projection?.ProjectionType }))).toEqual([
      { name: 'LeaseOwnerToLeaseKeyIndex', key: [{ AttributeName: 'leaseOwner', KeyType: 'HASH' }], projection: 'KEYS_ONLY' },
    ]);
  });

  it('stores the KCL 2.x attribute names and types', async () => {
    const store = await freshStore();
    const created = newLease('shardId-000000000002', {
      checkpoint: 'TRIM_HORIZON',
      parentShardIds: ['shardId-000000000000', 'shardId-000000000001'],
      startingHashKey: '0',
      endingHashKey: '340282366920938463463374607431768211455',
    });
    expect(await store.createLeaseIfNotExists(created)).toBe(true);
    expect(await store.createLeaseIfNotExists(created)).toBe(false);
    const taken = await ok(store.takeLease(created, 'worker-a'));
    await ok(store.checkpoint(taken, '49590338271490256608559692538361571095921575989136588898', 7));
    await ok(store.updateChildShardIds(created.leaseKey, ['shardId-000000000003']));
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: store.tableName, Key: { leaseKey: { S: created.leaseKey } } }));
    expect(Item).toEqual({
      leaseKey: { S: 'shardId-000000000002' },
      leaseOwner: { S: 'worker-a' },
      leaseCounter: { N: '2' },
      checkpoint: { S: '49590338271490256608559692538361571095921575989136588898' },
      checkpointSubSequenceNumber: { N: '7' },
      ownerSwitchesSinceCheckpoint: { N: '0' },
      parentShardId: { SS: ['shardId-000000000000', 'shardId-000000000001'] },
      childShardIds: { SS: ['shardId-000000000003'] },
      startingHashKey: { S: '0' },
      endingHashKey: { S: '340282366920938463463374607431768211455' },
    });
    expect(await store.getLease(created.leaseKey)).toMatchObject({ leaseOwner: 'worker-a', leaseCounter: 2, checkpointSubSequenceNumber: 7 });
    expect(await store.getLease('shardId-nope')).toBeUndefined();
  });

  it.each([
    ['another hash key and a range key', [['id', 'S', 'HASH'], ['sort', 'N', 'RANGE']], 'id (S) HASH, sort (N) RANGE'],
    ['leaseKey as a number', [['leaseKey', 'N', 'HASH']], 'leaseKey (N) HASH'],
    ['leaseKey with a range key', [['leaseKey', 'S', 'HASH'], ['owner', 'S', 'RANGE']], 'leaseKey (S) HASH, owner (S) RANGE'],
  ])('refuses a table with %s, saying what it found and what it needs', async (_, keys, found) => {
    const tableName = randomName('wrong');
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: keys.map(([AttributeName, , KeyType]) => ({ AttributeName, KeyType: KeyType as 'HASH' | 'RANGE' })),
        AttributeDefinitions: keys.map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType: AttributeType as 'S' | 'N' })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const error = await new DynamoDbLeaseStore(dynamodb, tableName).ensureTable().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseTableSchemaError);
    expect(error).toMatchObject({ code: 'LEASE_TABLE_SCHEMA', retriable: false, found, required: 'leaseKey (S) HASH' });
    expect((error as Error).message).toContain(`has key schema ${found}, but a lease table needs leaseKey (S) HASH`);
  });

  it('pages through a scan', async () => {
    const base = await freshStore(7);
    let scans = 0;
    const counting = { send: (command: never) => (scans++, dynamodb.send(command)) } as unknown as DynamoDBClient;
    const store = new DynamoDbLeaseStore(counting, base.tableName, { scanPageSize: 2 });
    const leases = await store.listLeases();
    expect(leases.map((l) => l.leaseKey).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `shardId-${i}`).sort());
    expect(scans).toBeGreaterThanOrEqual(4);
  });

  it('splits a scan into segments that are disjoint and together the whole table, and pages through each', async () => {
    const store = await freshStore(40);
    const paged = new DynamoDbLeaseStore(dynamodb, store.tableName, { scanPageSize: 3 });
    const keys = async (s: DynamoDbLeaseStore, total: number) =>
      Promise.all(Array.from({ length: total }, (_, segment) => s.listLeaseSegment(segment, total).then((ls) => ls.map((l) => l.leaseKey))));
    const four = await keys(paged, 4);
    const all = (await store.listLeases()).map((l) => l.leaseKey).sort();
    expect(four.flat().sort()).toEqual(all);
    expect(new Set(four.flat()).size).toBe(40);
    expect(four.filter((segment) => segment.length > 0).length).toBeGreaterThan(1);
    expect(await keys(store, 4)).toEqual(four);
    expect((await store.listLeaseSegment(0, 1)).map((l) => l.leaseKey).sort()).toEqual(all);
    expect(() => store.listLeaseSegment(4, 4)).toThrow(RangeError);
  });

  it('records throughputKBps with a renewal, in the KCL 3.x attribute, and keeps it through other writes', async () => {
    const store = await freshStore(1);
    const [free] = await store.listLeases();
    const held = await ok(store.takeLease(free, 'a'));
    const renewed = await ok(store.renewLease(held, 12.5));
    expect(renewed).toMatchObject({ throughputKBps: 12.5, leaseCounter: held.leaseCounter + 1 });
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: store.tableName, Key: { leaseKey: { S: free.leaseKey } }, ConsistentRead: true }));
    expect(Item!.throughputKBps).toEqual({ N: '12.5' });
    const checkpointed = await ok(store.checkpoint(renewed, '100', 0));
    expect((await ok(store.renewLease(checkpointed))).throughputKBps).toBe(12.5);
    expect(() => store.renewLease(checkpointed, Number.NaN)).toThrow(RangeError);
  });

  it('lets exactly one of several workers win a race for the same lease', async () => {
    const store = await freshStore(20);
    const seen = await store.listLeases();
    for (const lease of seen) {
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((worker) => store.takeLease(lease, worker)));
      expect(results.filter((r) => r.outcome === 'ok')).toHaveLength(1);
      const winner = results.find((r) => r.outcome === 'ok')!;
      expect(await store.getLease(lease.leaseKey)).toEqual(winner.outcome === 'ok' ? winner.lease : undefined);
    }
    const stolen = await store.listLeases();
    const renewals = await Promise.all(stolen.flatMap((lease) => [store.renewLease(lease), store.takeLease(lease, 'thief')]));
    expect(renewals.filter((r) => r.outcome === 'ok')).toHaveLength(stolen.length);
  });

  it('refuses a stale owner’s checkpoint and renewal after another worker took the lease', async () => {
    const store = await freshStore(1);
    const [free] = await store.listLeases();
    const heldByA = await ok(store.takeLease(free, 'a'));
    const seenByB = (await store.listLeases())[0];
    const heldByB = await ok(store.takeLease(seenByB, 'b'));
    expect(heldByB).toMatchObject({ leaseOwner: 'b', leaseCounter: 2, ownerSwitchesSinceCheckpoint: 1 });
    expect(await store.checkpoint(heldByA, '100', 0)).toEqual({ outcome: 'leaseLost', leaseKey: free.leaseKey });
    expect(await store.renewLease(heldByA)).toEqual({ outcome: 'leaseLost', leaseKey: free.leaseKey });
    expect(await store.releaseLease(heldByA)).toEqual({ outcome: 'leaseLost', leaseKey: free.leaseKey });
    const checkpointed = await ok(store.checkpoint(heldByB, '100', 2));
    expect(checkpointed).toMatchObject({ checkpoint: '100', checkpointSubSequenceNumber: 2, ownerSwitchesSinceCheckpoint: 0, leaseCounter: 3 });
    expect(await ok(store.renewLease(checkpointed))).toMatchObject({ leaseCounter: 4, leaseOwner: 'b' });
  });

  it('releases: clears the owner, bumps the counter, and another worker takes it at once', async () => {
    const store = await freshStore(1);
    const [free] = await store.listLeases();
    const held = await ok(store.takeLease(free, 'a'));
    const released = await ok(store.releaseLease(held));
    expect(released.leaseOwner).toBeUndefined();
    expect(released.leaseCounter).toBe(held.leaseCounter + 1);
    const [seen] = await store.listLeases();
    expect(seen).toEqual(released);
    expect(await ok(store.takeLease(seen, 'b'))).toMatchObject({ leaseOwner: 'b', ownerSwitchesSinceCheckpoint: 0 });
  });

  it('deletes a lease only for the owner it saw, and updates lineage without moving the counter', async () => {
    const store = await freshStore(1);
    const [free] = await store.listLeases();
    const held = await ok(store.takeLease(free, 'a'));
    expect((await store.deleteLease(free)).outcome).toBe('leaseLost');
    expect((await ok(store.updateChildShardIds(free.leaseKey, ['c1', 'c2']))).leaseCounter).toBe(held.leaseCounter);
    expect((await store.updateChildShardIds('shardId-nope', ['c1'])).outcome).toBe('leaseLost');
    expect((await ok(store.deleteLease(held))).childShardIds).toEqual(['c1', 'c2']);
    expect(await store.listLeases()).toEqual([]);
  });

  it('translates a missing table into a non-retriable store error', async () => {
    const store = new DynamoDbLeaseStore(dynamodb, randomName('missing'));
    const error = await store.listLeases().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KinesisActorsError);
    expect(error).toMatchObject({ code: 'LEASE_STORE_ERROR', retriable: false });
    expect((error as Error).message).toContain('ResourceNotFoundException');
  });
});
