import { describe, expect, it } from 'vitest';
import { GetItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { LeaseCoordinator } from '../../src/leases/lease-coordinator.ts';
import type { LeaseCoordinatorEvents } from '../../src/leases/lease-coordinator-events.ts';
import { LeaseLostError } from '../../src/leases/lease-errors.ts';
import { randomName } from '../../src/testing/local-stack.ts';
import { leaseTestStack } from './lease-test-stack.ts';
import { SimulatedClock } from '../../src/testing/simulated-clock.ts';
import { kcl3CoordinatorItems, kcl3LeaseItem, putItems, type Item } from '../fixtures/kcl3-items.ts';

// The coordinators below never start their timers: each taker and renewal round is called by
// the test, and expiry and hand-off time pass on a simulated clock.
const FAILOVER = 1000;
const HANDOFF_TIMEOUT = 30_000; // the KCL 3.x default, and this framework's

describe('a KCL 3.x graceful lease hand-off in the table (checkpointOwner)', () => {
  const { dynamodb, stopAfterTest } = leaseTestStack();

  async function table(leases: Item[]): Promise<DynamoDbLeaseStore> {
    const store = new DynamoDbLeaseStore(dynamodb(), randomName('handoff'));
    await store.ensureTable();
    await putItems(dynamodb(), store.tableName, [...kcl3CoordinatorItems(['kcl-old', 'kcl-new']), ...leases]);
    return store;
  }

  function worker(store: DynamoDbLeaseStore, clock: SimulatedClock, options: { gracefulLeaseHandoffTimeoutMillis?: number } = {}): LeaseCoordinator {
    const c = new LeaseCoordinator(store, { workerIdentifier: 'ka-1', failoverTimeMillis: FAILOVER, clock, ...options });
    stopAfterTest(c);
    return c;
  }

  async function item(store: DynamoDbLeaseStore, leaseKey: string): Promise<Item> {
    const { Item } = await dynamodb().send(new GetItemCommand({ TableName: store.tableName, Key: { leaseKey: { S: leaseKey } }, ConsistentRead: true }));
    return Item!;
  }

  /** A raw UpdateItem, as another writer of the table (a KCL worker or leader) sends it. */
  async function update(store: DynamoDbLeaseStore, leaseKey: string, expression: string, values?: Record<string, AttributeValue>): Promise<void> {
    await dynamodb().send(
      new UpdateItemCommand({ TableName: store.tableName, Key: { leaseKey: { S: leaseKey } }, UpdateExpression: expression, ExpressionAttributeValues: values }),
    );
  }

  const held = (c: LeaseCoordinator) => c.heldLeases().map((l) => l.leaseKey).sort();

  it('takes no lease whose checkpointOwner names another worker until the attribute clears, or the hand-off timeout passes', async () => {
    const store = await table([
      kcl3LeaseItem('shardId-000000000000', { leaseOwner: 'kcl-new', checkpointOwner: 'kcl-old', leaseCounter: 5 }),
      kcl3LeaseItem('shardId-000000000001', { leaseOwner: 'kcl-new', checkpointOwner: 'kcl-old', leaseCounter: 9 }),
    ]);
    const clock = new SimulatedClock();
    const w = worker(store, clock);
    await w.takeLeases();
    clock.advance(FAILOVER + 1); // both leases are now expired in this worker's view (nobody renews them)
    await w.takeLeases();
    expect(held(w)).toEqual([]);
    expect(await item(store, 'shardId-000000000000')).toMatchObject({ leaseOwner: { S: 'kcl-new' }, checkpointOwner: { S: 'kcl-old' }, leaseCounter: { N: '5' } });

    // The old owner finishes its hand-off as the KCL does: checkpointOwner removed, counter bumped.
    await update(store, 'shardId-000000000000', 'REMOVE checkpointOwner ADD leaseCounter :one', { ':one': { N: '1' } });
    await w.takeLeases();
    clock.advance(FAILOVER + 1); // kcl-new never renews it
    await w.takeLeases();
    expect(held(w)).toEqual(['shardId-000000000000']);

    clock.advance(HANDOFF_TIMEOUT - 2 * (FAILOVER + 1) - 1);
    await w.takeLeases();
    expect(held(w)).toEqual(['shardId-000000000000']);
    clock.advance(2);
    await w.takeLeases();
    expect(held(w)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    // Taken after the timeout, as the KCL's own assignment does: the hand-off is over.
    const taken = await item(store, 'shardId-000000000001');
    expect(taken).toMatchObject({ leaseOwner: { S: 'ka-1' }, leaseCounter: { N: '10' } });
    expect(taken.checkpointOwner).toBeUndefined();
  });

  it('waits for a shorter hand-off timeout when told to', async () => {
    const store = await table([kcl3LeaseItem('shardId-000000000000', { leaseOwner: 'kcl-new', checkpointOwner: 'kcl-old' })]);
    const clock = new SimulatedClock();
    const w = worker(store, clock, { gracefulLeaseHandoffTimeoutMillis: 2 * FAILOVER });
    await w.takeLeases();
    clock.advance(FAILOVER + 1);
    await w.takeLeases();
    expect(held(w)).toEqual([]);
    clock.advance(FAILOVER);
    await w.takeLeases();
    expect(held(w)).toEqual(['shardId-000000000000']);
  });

  it('does not checkpoint (nor renew) a held lease once checkpointOwner names another worker', async () => {
    const store = await table([kcl3LeaseItem('shardId-000000000000')]);
    const clock = new SimulatedClock();
    const w = worker(store, clock);
    const lost: LeaseCoordinatorEvents['lease.lost'][] = [];
    w.on('lease.lost', (e) => lost.push(e));
    await w.takeLeases();
    expect(held(w)).toEqual(['shardId-000000000000']);
    // Another writer marks kcl-old as the checkpoint owner without moving the counter.
    await update(store, 'shardId-000000000000', 'SET checkpointOwner = :old', { ':old': { S: 'kcl-old' } });
    await expect(w.leaseHandle('shardId-000000000000').checkpoint('100', 0)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await item(store, 'shardId-000000000000')).toMatchObject({ checkpoint: { S: 'TRIM_HORIZON' }, checkpointOwner: { S: 'kcl-old' }, leaseCounter: { N: '2' } });
    expect(lost).toEqual([{ shardId: 'shardId-000000000000', reason: 'fenced' }]);
    expect(held(w)).toEqual([]);
  });

  it('a renewal finding checkpointOwner set to another worker drops the lease and does not move its counter', async () => {
    const store = await table([kcl3LeaseItem('shardId-000000000000')]);
    const w = worker(store, new SimulatedClock());
    await w.takeLeases();
    await update(store, 'shardId-000000000000', 'SET checkpointOwner = :old', { ':old': { S: 'kcl-old' } });
    await w.renewLeases();
    expect(held(w)).toEqual([]);
    expect(await item(store, 'shardId-000000000000')).toMatchObject({ leaseCounter: { N: '2' }, checkpointOwner: { S: 'kcl-old' } });
  });

  it('as the old owner of a hand-off it still checkpoints, and its release completes the hand-off to the new owner', async () => {
    const store = await table([kcl3LeaseItem('shardId-000000000000')]);
    const w = worker(store, new SimulatedClock());
    await w.takeLeases();
    // A KCL leader starts a graceful hand-off of this worker's lease to kcl-new (no counter bump).
    await update(store, 'shardId-000000000000', 'SET leaseOwner = :new, checkpointOwner = :me', { ':new': { S: 'kcl-new' }, ':me': { S: 'ka-1' } });
    await w.renewLeases();
    expect(held(w)).toEqual(['shardId-000000000000']);
    await w.leaseHandle('shardId-000000000000').checkpoint('12345', 2);
    const summary = await w.close();
    expect(summary.released).toEqual(['shardId-000000000000']);
    const after = await item(store, 'shardId-000000000000');
    expect(after).toMatchObject({ leaseOwner: { S: 'kcl-new' }, checkpoint: { S: '12345' }, checkpointSubSequenceNumber: { N: '2' }, leaseCounter: { N: '5' } });
    expect(after.checkpointOwner).toBeUndefined();
  });

  it('keeps every attribute it does not write through take, renew, checkpoint and release', async () => {
    const unknown = { throughputKBps: { N: '3.75' }, entityType: { S: 'LEASE' }, 'x-operator-note': { S: 'moved from us-west-2' } };
    const store = await table([{ ...kcl3LeaseItem('shardId-000000000000'), ...unknown }]);
    const w = worker(store, new SimulatedClock());
    await w.takeLeases();
    await w.renewLeases();
    await w.leaseHandle('shardId-000000000000').checkpoint('777', 0, '{"window":1}');
    await w.renewLeases();
    expect(await item(store, 'shardId-000000000000')).toMatchObject({ ...unknown, leaseOwner: { S: 'ka-1' }, checkpoint: { S: '777' }, leaseCounter: { N: '5' } });
    await w.close();
    const released = await item(store, 'shardId-000000000000');
    expect(released).toMatchObject({ ...unknown, checkpoint: { S: '777' }, checkpointState: { S: '{"window":1}' }, leaseCounter: { N: '6' } });
    expect(released.leaseOwner).toBeUndefined();
  });
});
