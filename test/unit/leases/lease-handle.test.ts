import { afterEach, describe, expect, it } from 'vitest';
import { LeaseCoordinator } from '../../../src/leases/lease-coordinator.ts';
import type { LeaseCoordinatorEvents } from '../../../src/leases/lease-coordinator-events.ts';
import { LeaseLostError } from '../../../src/leases/lease-errors.ts';
import { newLease } from '../../../src/leases/lease.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { InMemoryLeaseStore } from './in-memory-lease-store.ts';
import { createSeededRandom } from '../../../src/testing/seeded-random.ts';


let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((f) => f()));
  cleanup = [];
});

const FAILOVER = 1000; // renew every 333 ms

async function holding(...rows: ReturnType<typeof newLease>[]) {
  const clock = new SimulatedClock();
  const store = new InMemoryLeaseStore();
  for (const row of rows) store.rows.set(row.leaseKey, row);
  const coordinator = new LeaseCoordinator(store, { workerIdentifier: 'a', failoverTimeMillis: FAILOVER, clock, random: createSeededRandom(1) });
  cleanup.push(() => coordinator.stop());
  await coordinator.start();
  return { clock, store, coordinator };
}

function record<K extends keyof LeaseCoordinatorEvents>(c: LeaseCoordinator, event: K): LeaseCoordinatorEvents[K][] {
  const seen: LeaseCoordinatorEvents[K][] = [];
  c.on(event, (payload) => seen.push(payload));
  return seen;
}

describe('lease handle', () => {
  it('reads the held lease and checkpoints through its counter', async () => {
    const { store, coordinator } = await holding(newLease('shard-0', { checkpoint: 'TRIM_HORIZON' }));
    const lease = coordinator.leaseHandle('shard-0');
    expect(await lease.read()).toBe(coordinator.heldLease('shard-0'));
    const written = await lease.checkpoint('4960', 3, '{"window":1}');
    expect(written).toMatchObject({ checkpoint: '4960', checkpointSubSequenceNumber: 3, checkpointState: '{"window":1}' });
    expect(await lease.read()).toBe(written);
    expect(store.rows.get('shard-0')).toMatchObject({ checkpoint: '4960', checkpointSubSequenceNumber: 3 });
  });

  it('reads the stored lease once it is lost, and refuses its checkpoints', async () => {
    const { store, coordinator } = await holding(newLease('shard-0', { checkpoint: 'TRIM_HORIZON' }));
    const lease = coordinator.leaseHandle('shard-0');
    await store.takeLease(store.rows.get('shard-0')!, 'b');
    await expect(lease.checkpoint('4960', 0)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await lease.read()).toMatchObject({ leaseOwner: 'b', checkpoint: 'TRIM_HORIZON' });
    await expect(coordinator.leaseHandle('shard-9').read()).rejects.toThrow('no lease for shard-9');
  });

  it('checkpoints through the held counter, serialized with renewals', async () => {
    const { clock, store, coordinator } = await holding(newLease('shard-0', { checkpoint: 'TRIM_HORIZON' }));
    const lost = record(coordinator, 'lease.lost');
    clock.advance(FAILOVER / 3);
    // The renewal is in flight now; the checkpoint must wait for its counter instead of racing it.
    const lease = await coordinator.leaseHandle('shard-0').checkpoint('4960', 3);
    expect(lease).toMatchObject({ checkpoint: '4960', checkpointSubSequenceNumber: 3, leaseCounter: 3 });
    expect(store.rows.get('shard-0')).toMatchObject({ checkpoint: '4960', ownerSwitchesSinceCheckpoint: 0 });
    expect(lost).toEqual([]);
  });

  it('refuses a checkpoint of a lease another worker took, and reports it lost', async () => {
    const { store, coordinator } = await holding(newLease('shard-0', { checkpoint: 'TRIM_HORIZON' }));
    const lost = record(coordinator, 'lease.lost');
    const lease = coordinator.leaseHandle('shard-0');
    await store.takeLease(store.rows.get('shard-0')!, 'b');
    const error = await lease.checkpoint('4960', 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error).toMatchObject({ code: 'LEASE_LOST', retriable: false, shardId: 'shard-0' });
    expect(lost).toEqual([{ shardId: 'shard-0', reason: 'fenced' }]);
    expect(store.rows.get('shard-0')!.checkpoint).toBe('TRIM_HORIZON');
    await expect(lease.checkpoint('4961', 0)).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('says the parents are done once each is at SHARD_END or gone', async () => {
    const child = newLease('shard-2', { checkpoint: 'TRIM_HORIZON', parentShardIds: ['shard-0', 'shard-1'] });
    const { store, coordinator } = await holding(child, { ...newLease('shard-0', { checkpoint: '4960' }), leaseOwner: 'b', leaseCounter: 1 });
    const lease = coordinator.leaseHandle('shard-2');
    expect(await lease.parentsDone()).toBe(false);
    store.rows.set('shard-0', { ...store.rows.get('shard-0')!, checkpoint: 'SHARD_END' });
    expect(await lease.parentsDone()).toBe(true);
  });

  it('records the bytes fed through the handle as throughputKBps at the next renewal, and nothing when never fed', async () => {
    const { clock, store, coordinator } = await holding(newLease('s1', { checkpoint: 'TRIM_HORIZON' }), newLease('s2', { checkpoint: 'TRIM_HORIZON' }));
    const handle = coordinator.leaseHandle('s1');
    await coordinator.stop(); // renewals by hand from here: no timer takes the bytes first
    await coordinator.renewLeases();
    expect(store.rows.get('s1')!.throughputKBps).toBeUndefined();
    handle.recordBytes!(512 * 1024);
    clock.advance(2000);
    await coordinator.renewLeases();
    expect(store.rows.get('s1')!.throughputKBps).toBe(256);
    // Once the coordinator is fed, an idle shard records 0 rather than keeping an old figure.
    expect(store.rows.get('s2')!.throughputKBps).toBe(0);
    clock.advance(1000);
    await coordinator.renewLeases();
    expect(store.rows.get('s1')!.throughputKBps).toBe(0);
    coordinator.leaseHandle('s3').recordBytes!(100); // not held: ignored
  });
});
