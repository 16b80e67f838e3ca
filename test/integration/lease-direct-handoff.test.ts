import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbLeaseStore } from '../../src/leases/dynamodb-lease-store.ts';
import { LeaseCoordinator } from '../../src/leases/lease-coordinator.ts';
import type { LeaseCoordinatorEvents, ReleaseSummary } from '../../src/leases/lease-coordinator-events.ts';
import { LeaseOwnerIndexMissingError } from '../../src/leases/lease-errors.ts';
import type { LeaseStore } from '../../src/leases/lease-store.ts';
import { newLease } from '../../src/leases/lease.ts';
import { randomName } from '../../src/testing/local-stack.ts';
import { leaseTestStack } from './lease-test-stack.ts';
import { SimulatedClock } from '../../src/testing/simulated-clock.ts';

// The coordinators never start their timers: the test calls each round, and expiry time passes
// on a simulated clock, so nothing here depends on how fast the machine is.
const FAILOVER = 1000;

describe('direct hand-off of a drained worker’s leases through the owner index', () => {
  const { dynamodb, stopAfterTest } = leaseTestStack();

  async function table(leases: number): Promise<DynamoDbLeaseStore> {
    const store = new DynamoDbLeaseStore(dynamodb(), randomName('direct'));
    await store.ensureTable();
    for (let i = 0; i < leases; i++) await store.createLeaseIfNotExists(newLease(`shardId-${i}`, { checkpoint: 'TRIM_HORIZON' }));
    return store;
  }

  function worker(store: LeaseStore, workerIdentifier: string, clock: SimulatedClock, logger?: pino.Logger): LeaseCoordinator {
    const c = new LeaseCoordinator(store, { workerIdentifier, failoverTimeMillis: FAILOVER, clock, logger, maxLeasesToStealAtOneTime: 2 });
    stopAfterTest(c);
    return c;
  }

  /** One taker round as the timer runs it on a scan round: the owner Query and claims, then the scan. */
  async function round(...workers: LeaseCoordinator[]): Promise<void> {
    for (const w of workers) {
      await w.claimAssignedLeases();
      await w.takeLeases();
    }
  }

  /**
   * Starts a worker's close and resolves once it has released (handed over) every lease it held:
   * the close then waits two taker rounds on the clock for the successors' claims.
   */
  async function releasing(c: LeaseCoordinator): Promise<{ closing: Promise<ReleaseSummary> }> {
    const count = c.heldLeases().length;
    let released = 0;
    const off = c.on('lease.released', () => void released++);
    const closing = c.close();
    while (released < count) await new Promise((resolve) => setTimeout(resolve, 5));
    off();
    return { closing };
  }

  /** Lets the clock run until `closing` resolves. */
  async function closed(clock: SimulatedClock, closing: Promise<ReleaseSummary>): Promise<ReleaseSummary> {
    let done = false;
    void closing.finally(() => (done = true));
    while (!done) {
      clock.advance(FAILOVER / 20);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return closing;
  }

  const owners = async (store: LeaseStore) => Object.fromEntries((await store.listLeases()).map((l) => [l.leaseKey, l.leaseOwner]));
  const held = (c: LeaseCoordinator) => c.heldLeases().map((l) => l.leaseKey).sort();
  function taken(c: LeaseCoordinator): LeaseCoordinatorEvents['lease.taken'][] {
    const seen: LeaseCoordinatorEvents['lease.taken'][] = [];
    c.on('lease.taken', (e) => seen.push(e));
    return seen;
  }

  /** a holds 3 of 7 leases, b and c 2 each, and a has seen that spread. */
  async function settled(clock: SimulatedClock) {
    const store = await table(7);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => worker(store, id, clock));
    await round(a, b, c, a);
    expect([held(a).length, held(b).length, held(c).length]).toEqual([3, 2, 2]);
    return { store, a, b, c };
  }

  it('writes each released lease’s owner as the least loaded worker, which claims it at its next round with its checkpoint', async () => {
    const clock = new SimulatedClock();
    const { store, a, b, c } = await settled(clock);
    const mine = held(a);
    await a.leaseHandle(mine[0]).checkpoint('4242', 3);
    const [byB, byC] = [taken(b), taken(c)];
    const { closing } = await releasing(a);
    // Straight after the close, before anyone's round: the leases already name their new owners,
    // spread one by one to whoever holds fewest (b and c tie at 2: b first, then c, then b).
    const after = await owners(store);
    expect(mine.map((key) => after[key]).sort()).toEqual(['b', 'b', 'c']);
    await b.claimAssignedLeases();
    await c.claimAssignedLeases();
    expect(held(b)).toHaveLength(4);
    expect(held(c)).toHaveLength(3);
    expect([...byB, ...byC].map((e) => [e.shardId, e.from, e.stolen]).sort()).toEqual(mine.map((key) => [key, undefined, false]));
    const claimed = [...byB, ...byC].find((e) => e.shardId === mine[0])!.lease;
    expect(claimed).toMatchObject({ checkpoint: '4242', checkpointSubSequenceNumber: 3 });
    // The claim bumped the counter, so a write on the lease as it stood before is refused.
    await expect(store.renewLease({ ...claimed, leaseOwner: 'a', leaseCounter: claimed.leaseCounter - 1 })).resolves.toMatchObject({ outcome: 'leaseLost' });
    // a's close waits two taker rounds for the claims; all came, so it leaves every lease as it is.
    const summary = await closed(clock, closing);
    expect(summary.released.sort()).toEqual(mine);
    const final = await owners(store);
    expect(mine.map((key) => final[key]).sort()).toEqual(['b', 'b', 'c']);
  });

  it('leaves free a lease handed to a worker that died before claiming it, two taker rounds on, and another worker takes it at its next round', async () => {
    const clock = new SimulatedClock();
    const { store, a, b, c } = await settled(clock);
    await b.stop(); // a crash: b never claims what a hands it
    const mine = held(a);
    const { closing } = await releasing(a);
    const handedToB = Object.entries(await owners(store)).filter(([key, owner]) => mine.includes(key) && owner === 'b').map(([key]) => key);
    expect(handedToB.length).toBeGreaterThan(0);
    const byC = taken(c);
    await round(c);
    expect(byC.filter((e) => handedToB.includes(e.shardId))).toEqual([]);
    await closed(clock, closing);
    const freed = await owners(store);
    for (const key of handedToB) expect(freed[key]).toBeUndefined();
    // Free, they are taken as any free lease is (c takes up to its share at once), never as
    // expired from b; b's own leases are taken once they expire.
    await round(c);
    clock.advance(FAILOVER);
    await round(c);
    const table = await owners(store);
    expect(Object.values(table).every((owner) => owner === 'c')).toBe(true);
    expect(byC.filter((e) => handedToB.includes(e.shardId)).map((e) => [e.from, e.stolen])).toEqual(handedToB.map(() => [undefined, false]));
  });

  it('two workers draining at once hand leases to each other; each leaves them free when unclaimed, and the last worker takes them long before they would expire', async () => {
    const clock = new SimulatedClock();
    const { store, a, b, c } = await settled(clock);
    // b has begun its graceful shutdown (it takes and claims nothing more) when a hands it leases.
    await b.stopTaking();
    const [mineA, mineB] = [held(a), held(b)];
    const closingA = (await releasing(a)).closing;
    const closingB = (await releasing(b)).closing;
    // Each handed some leases to the other (b still counted a, with its three, as live).
    const handed = await owners(store);
    const stranded = [...mineA.filter((key) => handed[key] === 'b'), ...mineB.filter((key) => handed[key] === 'a')];
    expect(mineA.some((key) => handed[key] === 'b')).toBe(true);
    expect(mineB.some((key) => handed[key] === 'a')).toBe(true);
    await Promise.all([closed(clock, closingA), closed(clock, closingB)]);
    const after = await owners(store);
    for (const key of stranded) expect(after[key]).toBeUndefined();
    const byC = taken(c);
    // Far within the failover time c holds all 7: what was handed to it, and the rest as free leases.
    for (let i = 0; i < 3 && held(c).length < 7; i++) await round(c);
    expect(held(c)).toEqual(Object.keys(after).sort());
    expect(byC.filter((e) => stranded.includes(e.shardId)).map((e) => [e.from, e.stolen])).toEqual(stranded.map(() => [undefined, false]));
  });

  it('a claim that loses the race to another worker’s take is refused, and the other worker keeps the lease', async () => {
    const clock = new SimulatedClock();
    const store = await table(7);
    // c takes the lease between b's Query and b's claim, as a worker that judged it expired would.
    let race: (() => Promise<void>) | undefined;
    const racing = new Proxy(store, {
      get(target, property) {
        if (property === 'listLeaseKeysOwnedBy')
          return async (owner: string) => {
            const keys = await target.listLeaseKeysOwnedBy(owner);
            await race?.();
            return keys;
          };
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const a = worker(store, 'a', clock);
    const b = worker(racing, 'b', clock);
    const c = worker(store, 'c', clock);
    await round(a, b, c, a);
    const mine = held(a);
    await releasing(a);
    const handedToB = Object.entries(await owners(store)).filter(([key, owner]) => mine.includes(key) && owner === 'b').map(([key]) => key);
    const [contested] = handedToB;
    race = async () => {
      race = undefined;
      const seen = (await store.getLease(contested))!;
      expect(await store.takeLease(seen, 'c')).toMatchObject({ outcome: 'ok' });
    };
    const byB = taken(b);
    await b.claimAssignedLeases();
    expect(held(b)).not.toContain(contested);
    expect(byB.map((e) => e.shardId)).not.toContain(contested);
    expect((await store.getLease(contested))!.leaseOwner).toBe('c');
    // The others handed to b were claimed all the same.
    for (const key of handedToB.slice(1)) expect(held(b)).toContain(key);
  });

  it('a take decided on the lease as it stood before the claim is refused by its counter', async () => {
    const clock = new SimulatedClock();
    const { store, a, b } = await settled(clock);
    const mine = held(a);
    await releasing(a);
    const [key] = Object.entries(await owners(store)).filter(([k, owner]) => mine.includes(k) && owner === 'b').map(([k]) => k);
    const beforeClaim = (await store.getLease(key))!;
    await b.claimAssignedLeases();
    expect(held(b)).toContain(key);
    expect(await store.takeLease(beforeClaim, 'c')).toMatchObject({ outcome: 'leaseLost' });
    expect((await store.getLease(key))!.leaseOwner).toBe('b');
  });

  it('on a table without the owner index: logs it once, leaves released leases free, and the others take them at their next scan', async () => {
    const clock = new SimulatedClock();
    const name = randomName('noindex');
    await dynamodb().send(
      new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    const store = new DynamoDbLeaseStore(dynamodb(), name);
    await store.ensureTable();
    await expect(store.listLeaseKeysOwnedBy('a')).rejects.toBeInstanceOf(LeaseOwnerIndexMissingError);
    for (let i = 0; i < 7; i++) await store.createLeaseIfNotExists(newLease(`shardId-${i}`, { checkpoint: 'TRIM_HORIZON' }));
    const lines: Array<{ level: number; msg: string; workerId?: string }> = [];
    const logger = pino({}, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => worker(store, id, clock, logger));
    await round(a, b, c, a, b, c);
    const mine = held(a);
    await a.close();
    const after = await owners(store);
    expect(mine.map((key) => after[key])).toEqual(mine.map(() => undefined));
    await round(b, c);
    expect(held(b).length + held(c).length).toBe(7);
    const missing = lines.filter((l) => l.level === 40 && /no lease owner index/.test(l.msg));
    expect(missing.map((l) => l.workerId).sort()).toEqual(['a', 'b', 'c']);
  });
});
