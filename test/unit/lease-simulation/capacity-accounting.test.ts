import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { newLease, type Lease } from '../../../src/leases/lease.ts';
import { KinesisActorsError } from '../../../src/errors.ts';
import { AccountingTable } from '../../../bench/lease-simulation/accounting-table.ts';
import { AccountingLeaseStore, leaseItemSize } from '../../../bench/lease-simulation/accounting-lease-store.ts';
import { CapacityMeter } from '../../../bench/lease-simulation/capacity-meter.ts';
import { unlimited, type CapacityLimits } from '../../../bench/lease-simulation/capacity-budget.ts';
import { numberSize } from '../../../bench/lease-simulation/item-size.ts';
import { readUnits, writeUnits } from '../../../bench/lease-simulation/capacity-units.ts';
import { VirtualClock } from '../../../bench/lease-simulation/virtual-clock.ts';
import { SEQUENCE_NUMBER, shardId, simulatedLease } from '../../../bench/lease-simulation/names.ts';

function setup(limits: CapacityLimits = unlimited, ownerIndex = false) {
  const clock = new VirtualClock();
  const meter = new CapacityMeter();
  const table = new AccountingTable<Lease>({
    name: 'leases',
    keyAttribute: 'leaseKey',
    clock,
    meter,
    limits,
    sizeOf: leaseItemSize,
    index: ownerIndex ? { name: 'byOwner', attribute: 'leaseOwner', keyOf: (l) => l.leaseOwner } : undefined,
  });
  return { clock, meter, table, store: new AccountingLeaseStore(table) };
}

/** A lease of 142 bytes: see the first test. */
const owned = (i: number, owner = 'worker-0001'): Lease => ({ ...newLease(shardId(i), { checkpoint: 'TRIM_HORIZON' }), leaseOwner: owner, leaseCounter: 5 });

describe('DynamoDB item sizes', () => {
  it('counts numbers by significant digits in pairs aligned on the decimal point, plus one', () => {
    expect(numberSize('12345')).toBe(4); // 01 23 45
    expect(numberSize('1000')).toBe(2); // trailing zeros are not stored
    expect(numberSize('15')).toBe(2);
    expect(numberSize('1.5')).toBe(3); // 01 50
    expect(numberSize('-1.50')).toBe(4); // 01 50, and a byte for the sign
    expect(numberSize('0.015')).toBe(3); // .01 50
    expect(numberSize('0')).toBe(1);
  });

  it('sizes numbers as dynalite does, for every digit count and decimal point position', () => {
    const dynalite = createRequire(import.meta.url)('dynalite/db/index.js') as { itemSize(item: object): number };
    for (const digits of ['5', '15', '125', '1255', '12345', '123456', '99.97000899730081'.replace('.', '')]) {
      for (let point = -3; point <= digits.length + 3; point++) {
        const text = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
        for (const n of [text, `-${text}`]) expect(numberSize(n), n).toBe(dynalite.itemSize({ n: { N: n } }) - 1);
      }
    }
  });

  it('sizes a lease item as the DynamoDB store writes it: names plus values', () => {
    // leaseKey 8 + 20, leaseCounter 12 + 2, checkpoint 10 + 12, checkpointSubSequenceNumber 27 + 1,
    // ownerSwitchesSinceCheckpoint 28 + 1, leaseOwner 10 + 11
    expect(leaseItemSize(owned(0))).toBe(28 + 14 + 22 + 28 + 29 + 21);
    // parentShardId 13 + its one member 20
    expect(leaseItemSize({ ...owned(0), parentShardIds: [shardId(1)] })).toBe(142 + 33);
  });

  it('sizes the simulated leases like real ones: hash key range and a sequence-number checkpoint', () => {
    const lease = { ...simulatedLease(1, 1000, SEQUENCE_NUMBER), leaseOwner: 'worker-0001' };
    expect(lease.startingHashKey).toBe('340282366920938463463374607431768211');
    // leaseKey 28, leaseCounter 12 + 1 (0), checkpoint 10 + 56, checkpointSubSequenceNumber 28,
    // ownerSwitchesSinceCheckpoint 29, startingHashKey 15 + 36, endingHashKey 13 + 36, leaseOwner 21
    expect(leaseItemSize(lease)).toBe(28 + 13 + 66 + 28 + 29 + 51 + 49 + 21);
  });
});

describe('capacity units', () => {
  it('rounds reads up to 4 KB blocks, halved when eventually consistent, at least one block', () => {
    expect(readUnits(4096, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false)).toBe(1);
    expect(readUnits(0, false)).toBe(0.5);
  });

  it('rounds writes up to 1 KB, at least one', () => {
    expect(writeUnits(1)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });
});

describe('AccountingLeaseStore', () => {
  it('bills a Scan per 1 MB page by the sum of its items, rounded up per page', async () => {
    const { table, store, meter } = setup();
    for (let i = 0; i < 10_000; i++) table.seed(shardId(i), owned(i));
    const leases = await store.listLeases();
    expect(leases).toHaveLength(10_000);
    // Page 1 stops at the item that reaches 1 MB (1,048,576 bytes): 7,385 × 142 = 1,048,670
    // bytes = 257 blocks of 4 KB; page 2: 2,615 × 142 = 371,330 bytes = 91 blocks; eventually
    // consistent halves both.
    expect(meter.reading()).toMatchObject({ requests: 2, readUnits: (257 + 91) / 2, byOperation: { Scan: 2 } });
  });

  it('bills a small Scan one page, and a consistent GetItem one unit per 4 KB (a missing item too)', async () => {
    const { table, store, meter } = setup();
    for (let i = 0; i < 30; i++) table.seed(shardId(i), owned(i));
    await store.listLeases(); // 30 × 142 = 4,260 bytes: 2 blocks, halved
    expect(meter.reading().readUnits).toBe(1);
    await store.getLease(shardId(0));
    await store.getLease('missing');
    expect(meter.reading()).toMatchObject({ readUnits: 3, byOperation: { Scan: 1, GetItem: 2 } });
  });

  it('bills conditional writes by item size, failed conditions too, and applies the DynamoDB store conditions', async () => {
    const { table, store, meter } = setup();
    table.seed(shardId(0), owned(0));
    const renewed = await store.renewLease(owned(0));
    expect(renewed).toMatchObject({ outcome: 'ok', lease: { leaseCounter: 6, leaseOwner: 'worker-0001' } });
    expect(await store.renewLease(owned(0))).toEqual({ outcome: 'leaseLost', leaseKey: shardId(0) }); // counter 5 is stale
    expect(await store.takeLease({ ...owned(0), leaseCounter: 6 }, 'worker-0002')).toMatchObject({ outcome: 'ok', lease: { leaseOwner: 'worker-0002', ownerSwitchesSinceCheckpoint: 1 } });
    const big = { ...owned(1), checkpointState: 'x'.repeat(1500) };
    table.seed(shardId(1), big);
    await store.checkpoint(big, '49590338271490256608559692538361571095921575989136588898', 0, 'x'.repeat(1500));
    expect(meter.reading()).toMatchObject({ requests: 4, writeUnits: 1 + 1 + 1 + 2, byOperation: { UpdateItem: 4 } });
  });

  it('keeps the keys-only owner index: bills a Query by its entries and an owner change as index writes', async () => {
    const { table, store, meter } = setup(unlimited, true);
    for (let i = 0; i < 100; i++) table.seed(shardId(i), owned(i));
    // leaseOwner 10 + 11, leaseKey 8 + 20 = 49 bytes an entry; 4,900 bytes: 2 blocks, halved
    expect(await table.query('worker-0001')).toHaveLength(100);
    expect(meter.reading().readUnits).toBe(1);
    await store.takeLease(owned(0), 'worker-0002'); // 1 unit, plus the old entry removed and the new one added
    await store.renewLease({ ...owned(1) }); // the owner stays: no index write
    expect(meter.reading()).toMatchObject({ writeUnits: 1 + 2 + 1, byOperation: { 'byOwner write': 2 } });
    expect(await table.query('worker-0002')).toEqual([shardId(0)]);
  });

  it('throttles past the per-second budget with the error the DynamoDB store surfaces, and recovers the next second', async () => {
    const { clock, table, store, meter } = setup({ readUnitsPerSecond: 1, writeUnitsPerSecond: 2 });
    for (let i = 0; i < 3; i++) table.seed(shardId(i), owned(i));
    await store.renewLease(owned(0));
    await store.renewLease(owned(1));
    const error = await store.renewLease(owned(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KinesisActorsError);
    expect(error).toMatchObject({ code: 'THROTTLED', retriable: true });
    expect((error as Error).message).toContain('renew (UpdateItem) on lease table leases was throttled');
    expect(table.peek(shardId(2))!.leaseCounter).toBe(5); // a refused write changes nothing
    expect(meter.reading()).toMatchObject({ requests: 2, throttled: 1, writeUnits: 2 });
    await clock.runUntil(1000);
    expect(await store.renewLease(owned(2))).toMatchObject({ outcome: 'ok' });
    await expect(store.listLeases()).resolves.toHaveLength(3);
    await expect(store.getLease(shardId(0))).rejects.toMatchObject({ code: 'THROTTLED' });
  });
});
