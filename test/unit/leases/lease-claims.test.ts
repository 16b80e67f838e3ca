import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { LeaseCoordinator } from '../../../src/leases/lease-coordinator.ts';
import { LeaseOwnerIndexMissingError } from '../../../src/leases/lease-errors.ts';
import { KinesisActorsError } from '../../../src/errors.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { IndexedInMemoryLeaseStore } from './in-memory-lease-store.ts';
import { closeOn, flush, spread } from './helpers.ts';

function table(counts: Record<string, number>, free = 0): IndexedInMemoryLeaseStore {
  const store = new IndexedInMemoryLeaseStore();
  for (const lease of spread(counts, free)) store.rows.set(lease.leaseKey, lease);
  return store;
}

function logged() {
  const lines: Array<{ level: number; msg: string }> = [];
  return { lines, logger: pino({}, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

describe('LeaseCoordinator.claimAssignedLeases', () => {
  it('claims the leases the index names it owner of, bumping each counter, and tells of each as taken', async () => {
    const store = table({ w: 2, other: 1 });
    const c = new LeaseCoordinator(store, { workerIdentifier: 'w', clock: new SimulatedClock() });
    const taken: string[] = [];
    c.on('lease.taken', (e) => taken.push(`${e.shardId} from ${e.from} stolen ${e.stolen}`));
    await c.claimAssignedLeases();
    expect(c.heldLeases().map((l) => [l.leaseKey, l.leaseCounter])).toEqual([['shard-0', 2], ['shard-1', 2]]);
    expect(taken).toEqual(['shard-0 from undefined stolen false', 'shard-1 from undefined stolen false']);
    // Held leases are not claimed again.
    const writes = store.writes;
    await c.claimAssignedLeases();
    expect(store.writes).toBe(writes);
  });

  it('claims no more than maxLeasesForWorker; the rest is left to expire', async () => {
    const store = table({ w: 3 });
    const c = new LeaseCoordinator(store, { workerIdentifier: 'w', clock: new SimulatedClock(), maxLeasesForWorker: 2 });
    await c.claimAssignedLeases();
    expect(c.heldLeases()).toHaveLength(2);
    expect(store.rows.get('shard-2')!.leaseCounter).toBe(1);
  });

  it('on a table without the index: warns once, stops querying, and releases leases free instead of handing them over', async () => {
    const store = table({ w: 0, other: 2 }, 2);
    store.listLeaseKeysOwnedBy = async () => {
      store.queries++;
      throw new LeaseOwnerIndexMissingError('t', 'The table does not have the specified index');
    };
    const { lines, logger } = logged();
    const c = new LeaseCoordinator(store, { workerIdentifier: 'w', clock: new SimulatedClock(), logger });
    await c.claimAssignedLeases();
    await c.claimAssignedLeases();
    await c.takeLeases();
    expect(store.queries).toBe(1);
    expect(lines.filter((l) => l.level === 40 && /no lease owner index/.test(l.msg))).toHaveLength(1);
    expect(c.heldLeases().length).toBeGreaterThan(0);
    await c.releaseAll();
    expect([...store.rows.values()].filter((l) => l.leaseOwner === undefined)).toHaveLength(2);
  });

  it('a throttled Query makes the next rounds skip and asks again after; no lease is claimed meanwhile', async () => {
    const store = table({ w: 1 });
    store.failWith = new KinesisActorsError('THROTTLED', 'slow down', { retriable: true });
    const { lines, logger } = logged();
    const c = new LeaseCoordinator(store, { workerIdentifier: 'w', clock: new SimulatedClock(), logger });
    await c.claimAssignedLeases();
    expect(c.heldLeases()).toHaveLength(0);
    expect(lines.some((l) => l.msg === 'lease owner query failed')).toBe(true);
    store.failWith = undefined;
    await c.claimAssignedLeases();
    expect(c.heldLeases().map((l) => l.leaseKey)).toEqual(['shard-0']);
  });

  it('hands leases on close to the least loaded workers it knows, and to none when it knows none', async () => {
    const store = table({ a: 3, b: 1 }, 2);
    const clock = new SimulatedClock();
    const c = new LeaseCoordinator(store, { workerIdentifier: 'w', clock });
    await c.claimAssignedLeases();
    await c.takeLeases();
    const mine = c.heldLeases().map((l) => l.leaseKey);
    expect(mine).toHaveLength(2);
    const closing = c.close();
    await flush();
    expect(mine.map((key) => store.rows.get(key)!.leaseOwner)).toEqual(['b', 'b']);
    // b claims one of them in time; the other is left free once two taker rounds have passed.
    expect(await store.claimLease(mine[0], 'b')).toMatchObject({ outcome: 'ok' });
    const summary = await closeOn(clock, closing);
    expect([...summary.released].sort()).toEqual([...mine].sort());
    expect(mine.map((key) => store.rows.get(key)!.leaseOwner)).toEqual(['b', undefined]);

    const alone = table({ w: 2 });
    const d = new LeaseCoordinator(alone, { workerIdentifier: 'w', clock: new SimulatedClock() });
    await d.claimAssignedLeases();
    await d.takeLeases();
    await d.close();
    expect([...alone.rows.values()].map((l) => l.leaseOwner)).toEqual([undefined, undefined]);
  });
});
