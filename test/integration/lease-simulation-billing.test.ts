import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../src/leases/lease.ts';
import type { LeaseStore, LeaseWriteResult } from '../../src/leases/lease-store.ts';
import { createDynamoDbClient } from '../../src/aws/clients.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { startLocalStack, randomName, type LocalStack } from '../../src/testing/local-stack.ts';
import { AccountingLeaseStore, leaseItemSize } from '../../bench/lease-simulation/accounting-lease-store.ts';
import { AccountingTable } from '../../bench/lease-simulation/accounting-table.ts';
import { unlimited } from '../../bench/lease-simulation/capacity-budget.ts';
import { ConsumedCapacityMeter, type ClientFigures } from '../../bench/lease-simulation/consumed-capacity-meter.ts';
import { CountingLeaseStore } from '../../bench/lease-simulation/counting-lease-store.ts';
import { OperationMeter } from '../../bench/lease-simulation/operation-meter.ts';
import { SEQUENCE_NUMBER, simulatedLease } from '../../bench/lease-simulation/names.ts';
import { VirtualClock } from '../../bench/lease-simulation/virtual-clock.ts';

const ok = (result: LeaseWriteResult): Lease => {
  if (result.outcome !== 'ok') throw new Error(`expected ok, got ${result.outcome} for ${result.leaseKey}`);
  return result.lease;
};

/**
 * Every kind of request the lease store makes, in the same order on either store: creations
 * (one refused), full and segmented scans, takes, a renewal with throughput, checkpoints, a
 * stale take refused by its condition, reads of a lease and of a missing one, an item of
 * exactly 1 KB by DynamoDB's rules (one byte more takes two write units) that then grows past
 * it, a release, a lineage update, a delete (and a refused one); then the leases of each of 4
 * parallel-scan segments.
 */
async function everyRequest(store: LeaseStore): Promise<string[][]> {
  const shards = 12;
  for (let i = 0; i < shards; i++) expect(await store.createLeaseIfNotExists(simulatedLease(i, shards, 'TRIM_HORIZON'))).toBe(true);
  expect(await store.createLeaseIfNotExists(simulatedLease(0, shards, 'TRIM_HORIZON'))).toBe(false);
  const listed = (await store.listLeases()).sort((a, b) => a.leaseKey.localeCompare(b.leaseKey));
  const taken: Lease[] = [];
  for (const lease of listed) taken.push(ok(await store.takeLease(lease, 'worker-0000')));
  expect((await store.takeLease(listed[0], 'worker-0001')).outcome).toBe('leaseLost');
  const renewed = ok(await store.renewLease(taken[0], 1.5));
  ok(await store.checkpoint(taken[1], SEQUENCE_NUMBER, 7));
  // Padded so that the checkpointed item is 1,024 bytes by DynamoDB's rules (1.5 takes 3: the
  // digits pair up from the decimal point, 01 50, plus a byte), one write unit; then one more.
  const after = { ...renewed, leaseCounter: renewed.leaseCounter + 1, ownerSwitchesSinceCheckpoint: 0, checkpoint: 'TRIM_HORIZON', checkpointState: '' };
  const big = ok(await store.checkpoint(renewed, 'TRIM_HORIZON', 0, 'x'.repeat(1024 - leaseItemSize(after))));
  expect(leaseItemSize(big)).toBe(1024);
  // 1.255 takes 4 bytes (01 25 50): the item grows to 1,025, two write units.
  ok(await store.renewLease(big, 1.255));
  expect(await store.getLease(taken[2].leaseKey)).toBeDefined();
  expect(await store.getLease('shardId-999999999999')).toBeUndefined();
  expect((await store.listLeases()).length).toBe(shards);
  let segmented = 0;
  for (let segment = 0; segment < 2; segment++) segmented += (await store.listLeaseSegment(segment, 2)).length;
  expect(segmented).toBe(shards);
  const released = ok(await store.releaseLease(taken[3]));
  ok(await store.updateChildShardIds(taken[4].leaseKey, ['shardId-000000000100', 'shardId-000000000101']));
  ok(await store.deleteLease(released));
  expect((await store.deleteLease(taken[3])).outcome).toBe('leaseLost');
  const segments: string[][] = [];
  for (let segment = 0; segment < 4; segment++) segments.push((await store.listLeaseSegment(segment, 4)).map((l) => l.leaseKey).sort());
  return segments;
}

describe('the lease simulator bills what DynamoDB (dynalite) reports', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it('bills every lease store request as the real store consumes it: same calls, same units per operation', async () => {
    const meter = new ConsumedCapacityMeter();
    meter.attach(stack.dynamodb!);
    const real = new DynamoDbLeaseStore(stack.dynamodb!, randomName('billing'));
    await real.ensureTable();
    const realSegments = await everyRequest(real);

    const clock = new VirtualClock();
    const predicted = new OperationMeter();
    const table = new AccountingTable<Lease>({ name: 'billing', keyAttribute: 'leaseKey', clock, meter: predicted, limits: unlimited, sizeOf: leaseItemSize });
    const simulatedSegments = await everyRequest(new AccountingLeaseStore(table));
    // A parallel Scan's segments hold the same leases: the simulator hashes keys as dynalite does.
    expect(simulatedSegments).toEqual(realSegments);
    expect(realSegments.flat()).toHaveLength(11);

    const measured = meter.figures;
    // Failed conditions are errors, and errors carry no ConsumedCapacity: the store met an
    // item under 1 KB each time, which DynamoDB bills 1 unit.
    expect({ PutItem: measured.PutItem.conditionFailed, UpdateItem: measured.UpdateItem.conditionFailed, DeleteItem: measured.DeleteItem.conditionFailed }).toEqual({
      PutItem: 1,
      UpdateItem: 1,
      DeleteItem: 1,
    });
    const billed = (figures: ClientFigures, units: (f: ClientFigures[string]) => number) =>
      Object.fromEntries(Object.entries(figures).map(([operation, f]) => [operation, { calls: f.calls, units: units(f) }]));
    expect(billed(measured, (f) => f.reportedUnits + f.conditionFailed)).toEqual(billed(predicted.figures, (f) => f.reportedUnits));
    // And dynalite's own figures agree with the units its items cost by DynamoDB's rules.
    expect(billed(measured, (f) => f.reportedUnits + f.conditionFailed)).toEqual(billed(measured, (f) => f.computedUnits));
    expect(measured.UpdateItem.maxItemBytes).toBe(1025);
    expect(Object.keys(measured).sort()).toEqual(['DeleteItem', 'GetItem', 'PutItem', 'Scan', 'UpdateItem']);
  });

  it('counts a request that fails for another reason than its condition as an error, with no units', async () => {
    const meter = new ConsumedCapacityMeter();
    const client = createDynamoDbClient(stack.dynamoDbConnection!);
    meter.attach(client);
    const store = new CountingLeaseStore(new DynamoDbLeaseStore(client, randomName('missing')));
    try {
      await expect(store.listLeases()).rejects.toMatchObject({ code: 'LEASE_STORE_ERROR' });
      await expect(store.getLease('shardId-000000000000')).rejects.toMatchObject({ code: 'LEASE_STORE_ERROR' });
    } finally {
      client.destroy();
    }
    expect(meter.figures.Scan).toMatchObject({ calls: 1, errors: 1, conditionFailed: 0, reportedUnits: 0, computedUnits: 0 });
    expect(meter.figures.GetItem).toMatchObject({ calls: 1, errors: 1, reportedUnits: 0, computedUnits: 0 });
    expect(store.counts).toEqual({ 'listLeases error': 1, 'getLease error': 1 });
  });
});
