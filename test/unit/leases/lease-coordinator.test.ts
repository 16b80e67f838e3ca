import { afterEach, describe, expect, it } from 'vitest';
import { LeaseCoordinator } from '../../../src/leases/lease-coordinator.ts';
import type { LeaseCoordinatorEvents } from '../../../src/leases/lease-coordinator-events.ts';
import { newLease } from '../../../src/leases/lease.ts';
import { KinesisActorsError } from '../../../src/errors.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { InMemoryLeaseStore } from './in-memory-lease-store.ts';
import {countByOwner, flush, tick } from './helpers.ts';
import { createSeededRandom } from '../../../src/testing/seeded-random.ts';

const FAILOVER = 1000; // renew every 333 ms, taker every 200 ms

function setup(count: number) {
  const clock = new SimulatedClock();
  const store = new InMemoryLeaseStore();
  for (let i = 0; i < count; i++) store.rows.set(`shard-${i}`, newLease(`shard-${i}`, { checkpoint: 'TRIM_HORIZON' }));
  const coordinators: LeaseCoordinator[] = [];
  const worker = (workerId: string, seed = 1) => {
    const c = new LeaseCoordinator(store, { workerIdentifier: workerId, failoverTimeMillis: FAILOVER, clock, random: createSeededRandom(seed) });
    coordinators.push(c);
    return c;
  };
  return { clock, store, worker, coordinators };
}

function record<K extends keyof LeaseCoordinatorEvents>(c: LeaseCoordinator, event: K): LeaseCoordinatorEvents[K][] {
  const seen: LeaseCoordinatorEvents[K][] = [];
  c.on(event, (payload) => seen.push(payload));
  return seen;
}

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((f) => f()));
  cleanup = [];
});

describe('LeaseCoordinator', () => {
  it('takes free leases on start, reports them, and renews them every renew interval', async () => {
    const { clock, store, worker } = setup(3);
    const a = worker('a');
    cleanup.push(() => a.stop());
    const acquired = record(a, 'lease.taken');
    await a.start();
    expect(acquired.map((e) => e.shardId).sort()).toEqual(['shard-0', 'shard-1', 'shard-2']);
    expect(acquired.every((e) => !e.stolen && e.from === undefined)).toBe(true);
    expect(store.rows.get('shard-0')).toMatchObject({ leaseOwner: 'a', leaseCounter: 1 });
    await tick(clock, 1000);
    expect(store.rows.get('shard-0')!.leaseCounter).toBe(4);
    expect(a.heldLease('shard-0')!.leaseCounter).toBe(4);
  });

  it('unsubscribes listeners with the function on() returns', async () => {
    const { worker } = setup(1);
    const a = worker('a');
    cleanup.push(() => a.stop());
    let calls = 0;
    const off = a.on('lease.taken', () => calls++);
    off();
    await a.start();
    expect(calls).toBe(0);
  });

  it('reports a lease lost when a renewal finds the counter moved', async () => {
    const { clock, store, worker } = setup(1);
    const a = worker('a');
    cleanup.push(() => a.stop());
    const lost = record(a, 'lease.lost');
    await a.start();
    await a.stopTaking();
    await store.takeLease(store.rows.get('shard-0')!, 'b');
    await tick(clock, FAILOVER / 3);
    expect(lost).toEqual([{ shardId: 'shard-0', reason: 'fenced' }]);
    expect(a.heldLeases()).toEqual([]);
  });

  it('drops a lease as soon as a scan shows another owner, before its next renewal', async () => {
    const { clock, store, worker } = setup(2);
    const a = worker('a');
    cleanup.push(() => a.stop());
    const lost = record(a, 'lease.lost');
    await a.start();
    await store.takeLease(store.rows.get('shard-1')!, 'b');
    await tick(clock, 200); // one taker round, before the renewal at 333 ms
    expect(lost).toEqual([{ shardId: 'shard-1', reason: 'fenced' }]);
    expect(a.heldLeases().map((l) => l.leaseKey)).toEqual(['shard-0']);
  });

  it('scans again at once when a take lost a race, instead of waiting a whole interval', async () => {
    const { store, worker } = setup(2);
    const [a, b] = [worker('a', 5), worker('b', 5)];
    cleanup.push(() => Promise.all([a.stop(), b.stop()]));
    await Promise.all([a.start(), b.start()]);
    expect(countByOwner([...store.rows.values()])).toEqual({ a: 1, b: 1 });
  });

  it('keeps a lease through failing renewals until it would expire, then gives it up', async () => {
    const { clock, store, worker } = setup(1);
    const a = worker('a');
    cleanup.push(() => a.stop());
    const failed = record(a, 'lease.renewFailed');
    const lost = record(a, 'lease.lost');
    await a.start();
    store.failWith = new KinesisActorsError('THROTTLED', 'slow down', { retriable: true });
    await tick(clock, 700);
    expect(failed.length).toBe(2);
    expect(lost).toEqual([]);
    await tick(clock, 400);
    expect(lost).toEqual([{ shardId: 'shard-0', reason: 'expired' }]);
    expect(failed.at(-1)!.millisSinceRenewal).toBeGreaterThanOrEqual(FAILOVER);
  });

  it('rejects start when the first scan fails for good, and carries on when it may succeed later', async () => {
    const { store, worker } = setup(1);
    store.failWith = new KinesisActorsError('LEASE_STORE_ERROR', 'no table');
    await expect(worker('a').start()).rejects.toThrow('no table');
    store.failWith = new KinesisActorsError('THROTTLED', 'slow down', { retriable: true });
    const b = worker('b');
    cleanup.push(() => b.stop());
    await b.start();
    store.failWith = undefined;
  });

  it('balances three workers 2/2/2, and takes over a crashed worker’s leases after the failover time', async () => {
    const { clock, store, worker } = setup(6);
    const [a, b, c] = [worker('a', 1), worker('b', 2), worker('c', 3)];
    cleanup.push(() => Promise.all([a.stop(), b.stop(), c.stop()]));
    const stolen = record(b, 'lease.stolen');
    await a.start();
    await Promise.all([b.start(), c.start()]);
    await tick(clock, 1000);
    expect(countByOwner([...store.rows.values()])).toEqual({ a: 2, b: 2, c: 2 });
    expect(stolen.every((e) => e.from === 'a')).toBe(true);

    await a.stop();
    await tick(clock, FAILOVER);
    expect(countByOwner([...store.rows.values()])).toEqual({ a: 2, b: 2, c: 2 });
    await tick(clock, 600);
    expect(countByOwner([...store.rows.values()])).toEqual({ b: 3, c: 3 });
    expect([...store.rows.values()].filter((l) => l.ownerSwitchesSinceCheckpoint > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('releases on close so another worker takes the leases at its next round', async () => {
    const { clock, store, worker } = setup(4);
    const [a, b] = [worker('a'), worker('b')];
    cleanup.push(() => Promise.all([a.stop(), b.stop()]));
    await a.start();
    await b.start();
    await tick(clock, 600);
    expect(countByOwner([...store.rows.values()])).toEqual({ a: 2, b: 2 });
    const released = record(a, 'lease.released');
    const closing = a.close();
    expect(a.close()).toBe(closing);
    expect(await closing).toEqual({ released: expect.any(Array), lost: [], failed: [] });
    expect(released).toHaveLength(2);
    expect(a.heldLeases()).toEqual([]);
    await tick(clock, 200);
    expect(countByOwner([...store.rows.values()])).toEqual({ b: 4 });
  });

  it('reports a failed release and keeps renewing the lease until stopped', async () => {
    const { store, worker } = setup(1);
    const a = worker('a');
    await a.start();
    store.failWith = new KinesisActorsError('LEASE_STORE_ERROR', 'boom', { retriable: true });
    const summary = await a.releaseAll();
    expect(summary.released).toEqual([]);
    expect(summary.failed.map((f) => f.shardId)).toEqual(['shard-0']);
    expect(a.heldLeases()).toHaveLength(1);
    await a.stop();
    await flush();
  });
});
