import { describe, expect, it } from 'vitest';
import { randomName } from '../../src/testing/local-stack.ts';
import { leaseTestStack } from './lease-test-stack.ts';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { LeaseCoordinator } from '../../src/leases/lease-coordinator.ts';
import type { LeaseCoordinatorEvents } from '../../src/leases/lease-coordinator-events.ts';
import type { LeaseCoordinatorOptions } from '../../src/leases/lease-coordinator-options.ts';
import { LeaseLostError } from '../../src/leases/lease-errors.ts';
import { newLease, type Lease } from '../../src/leases/lease.ts';

// Short failover so the fleet moves fast; every wait below is a bounded poll for a condition,
// never a timing threshold, so a slow machine only makes the tests slower.
const FAILOVER = 1500;
const WAIT = 30_000;
// For the tests where no lease may expire: a failover longer than any wait, with the same quick
// renew and taker rounds. A stalled process then cannot turn a steal or a hand-over into an
// expiry, and a lease that moves within WAIT moved by a steal or a release.
// Scans every other taker round, as the table has the owner index (taker rounds between only
// query it for leases handed over).
const NO_EXPIRY: Partial<LeaseCoordinatorOptions> = { failoverTimeMillis: 2 * WAIT, renewIntervalMs: FAILOVER / 3, takerIntervalMs: FAILOVER / 5, leaseScanIntervalMs: (2 * FAILOVER) / 5 };

async function waitFor(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function counts(leases: readonly Lease[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const lease of leases) if (lease.leaseOwner) result[lease.leaseOwner] = (result[lease.leaseOwner] ?? 0) + 1;
  return result;
}

describe('LeaseCoordinator against dynalite', () => {
  const { dynamodb, stopAfterTest } = leaseTestStack();

  async function fleet(workers: string[], options: Partial<LeaseCoordinatorOptions> = { failoverTimeMillis: FAILOVER }, leases = 6) {
    const store = new DynamoDbLeaseStore(dynamodb(), randomName('fleet'));
    await store.ensureTable();
    for (let i = 0; i < leases; i++) await store.createLeaseIfNotExists(newLease(`shardId-${i}`, { checkpoint: 'TRIM_HORIZON' }));
    /** Taker rounds per worker: each one queries the owner index for leases handed over. */
    const scans: Record<string, number> = {};
    const coordinators = workers.map((workerId) => {
      scans[workerId] = 0;
      const counted = new Proxy(store, {
        get(target, property) {
          if (property === 'listLeaseKeysOwnedBy') return (owner: string) => (scans[workerId]++, target.listLeaseKeysOwnedBy(owner));
          const value = Reflect.get(target, property) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      return new LeaseCoordinator(counted, { ...options, workerIdentifier: workerId });
    });
    coordinators.forEach(stopAfterTest);
    /** True when the table, and the own view of each worker named, show the expected spread. */
    const balanced = async (expected: Record<string, number>) => {
      const table = counts(await store.listLeases());
      const local = coordinators.filter((c) => c.options.workerIdentifier in expected);
      return (
        JSON.stringify(sorted(table)) === JSON.stringify(sorted(expected)) &&
        local.every((c) => c.heldLeases().length === expected[c.options.workerIdentifier])
      );
    };
    /** Waits until every worker has scanned the table `rounds` more times. */
    const roundsLater = async (rounds: number) => {
      const from = { ...scans };
      await waitFor(() => workers.every((w) => scans[w] >= from[w] + rounds), `${rounds} more taker rounds of every worker`);
    };
    return { store, coordinators, balanced, roundsLater };
  }

  const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort());

  function acquisitions(c: LeaseCoordinator): LeaseCoordinatorEvents['lease.taken'][] {
    const seen: LeaseCoordinatorEvents['lease.taken'][] = [];
    c.on('lease.taken', (e) => seen.push(e));
    return seen;
  }

  it('three coordinators over six leases converge to 2/2/2 and stay there', async () => {
    const { coordinators, balanced, store, roundsLater } = await fleet(['a', 'b', 'c'], NO_EXPIRY);
    await Promise.all(coordinators.map((c) => c.start()));
    await waitFor(() => balanced({ a: 2, b: 2, c: 2 }), '2/2/2');
    const settled = await store.listLeases();
    // Several taker rounds of every worker later (and the renewals between them) nobody has moved.
    await roundsLater(5);
    const later = await store.listLeases();
    for (const lease of later) expect(lease.leaseOwner).toBe(settled.find((l) => l.leaseKey === lease.leaseKey)!.leaseOwner);
  });

  it('a worker joining a full fleet steals its share, several per round', async () => {
    const { coordinators, balanced } = await fleet(['a', 'b', 'c'], NO_EXPIRY);
    const [a, b, c] = coordinators;
    await a.start();
    await waitFor(() => balanced({ a: 6 }), 'a holds all');
    const takenByB = acquisitions(b);
    const stolen: string[] = [];
    b.on('lease.stolen', (e) => stolen.push(e.from));
    await b.start();
    await waitFor(() => balanced({ a: 3, b: 3 }), '3/3');
    expect(takenByB.map((e) => e.from)).toEqual(['a', 'a', 'a']);
    // a renews all along and none of its leases can expire: b got every one by stealing it.
    expect(takenByB.every((e) => e.stolen)).toBe(true);
    expect(stolen).toEqual(['a', 'a', 'a']);
    await c.start();
    await waitFor(() => balanced({ a: 2, b: 2, c: 2 }), '2/2/2');
  });

  it('a crashed coordinator loses its leases to the others after the failover time', async () => {
    const { coordinators, balanced } = await fleet(['a', 'b', 'c']);
    const [a, b, c] = coordinators;
    await Promise.all(coordinators.map((x) => x.start()));
    await waitFor(() => balanced({ a: 2, b: 2, c: 2 }), '2/2/2');
    const takenByB = acquisitions(b);
    const takenByC = acquisitions(c);
    await a.stop(); // a crash: timers stop, nothing is released
    await waitFor(async () => (await balanced({ b: 3, c: 3 })), '3/3 after a crashed');
    const fromA = [...takenByB, ...takenByC];
    expect(fromA).toHaveLength(2);
    expect(fromA.every((e) => e.from === 'a' && !e.stolen)).toBe(true);
    const [lost] = a.heldLeases();
    await expect(a.leaseHandle(lost.leaseKey).checkpoint('1', 0)).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('graceful close hands the leases over at once: taken as free, not as expired', async () => {
    // No lease can expire within the waits: b and c get a's leases only because a released them.
    const { coordinators, balanced, store } = await fleet(['a', 'b', 'c'], NO_EXPIRY);
    const [a, b, c] = coordinators;
    await Promise.all(coordinators.map((x) => x.start()));
    await waitFor(() => balanced({ a: 2, b: 2, c: 2 }), '2/2/2');
    const held = a.heldLeases();
    await a.leaseHandle(held[0].leaseKey).checkpoint('12345', 1);
    const [takenByB, takenByC] = [acquisitions(b), acquisitions(c)];
    const summary = await a.close();
    expect(summary.released.sort()).toEqual(held.map((l) => l.leaseKey).sort());
    await waitFor(() => balanced({ b: 3, c: 3 }), '3/3 after a closed');
    const handedOver = [...takenByB, ...takenByC];
    expect(handedOver).toHaveLength(2);
    expect(handedOver.every((e) => e.from === undefined)).toBe(true);
    expect((await store.getLease(held[0].leaseKey))!).toMatchObject({ checkpoint: '12345', checkpointSubSequenceNumber: 1 });
  });
});
