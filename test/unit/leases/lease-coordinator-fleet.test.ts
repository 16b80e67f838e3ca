import { afterEach, describe, expect, it } from 'vitest';
import { LeaseCoordinator } from '../../../src/leases/lease-coordinator.ts';
import { newLease, type Lease } from '../../../src/leases/lease.ts';
import { KinesisActorsError } from '../../../src/errors.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { IndexedInMemoryLeaseStore, InMemoryLeaseStore } from './in-memory-lease-store.ts';
import { closeOn, countByOwner, flush, tick } from './helpers.ts';
import { createSeededRandom } from '../../../src/testing/seeded-random.ts';

const FAILOVER = 1000; // renew every 333 ms, taker every 200 ms
const ROUND = 200;

/** A fleet of coordinators sharing one in-memory table on one simulated clock. */
function fleet(shards: number, workers: number, store = new InMemoryLeaseStore(), scanMs?: number, seed = 0) {
  const clock = new SimulatedClock();
  for (let i = 0; i < shards; i++) store.rows.set(`shard-${i}`, newLease(`shard-${i}`, { checkpoint: 'TRIM_HORIZON' }));
  const coordinators = Array.from(
    { length: workers },
    (_, i) =>
      new LeaseCoordinator(store, { workerIdentifier: `w${String(i).padStart(2, '0')}`, failoverTimeMillis: FAILOVER, clock, random: createSeededRandom(seed * 1000 + i + 1), leaseScanIntervalMs: scanMs }),
  );
  return { clock, store, coordinators };
}

const rows = (store: InMemoryLeaseStore): Lease[] => [...store.rows.values()];

/**
 * Seeds for the failover bounds: the taker's shuffles decide which worker holds which lease and
 * so which segments a dead worker's leases fall in; a bound must hold for every draw, not one.
 */
const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 19];

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((f) => f()));
  cleanup = [];
});

describe('LeaseCoordinator in a fleet that scans the table in shared segments', () => {
  async function settled(shards: number, workers: number, seed = 0) {
    const f = fleet(shards, workers, undefined, undefined, seed);
    cleanup.push(() => Promise.all(f.coordinators.map((c) => c.stop())));
    for (const c of f.coordinators) {
      await c.start();
      await tick(f.clock, ROUND);
    }
    await tick(f.clock, 30 * ROUND);
    return f;
  }

  it('balances 128 leases over 16 workers while the fleet reads the table about 2 × scannersPerSegment times a round, not 16', async () => {
    const { clock, store } = await settled(128, 16);
    const counts = Object.values(countByOwner(rows(store)));
    expect(counts).toHaveLength(16);
    expect(counts.every((n) => n === 8)).toBe(true);

    const [items, full, segments] = [store.itemsScanned, store.fullScans, store.segmentScans];
    await tick(clock, 10 * ROUND);
    const perRound = (store.itemsScanned - items) / 10;
    expect(store.fullScans - full).toBe(0);
    expect(store.segmentScans - segments).toBeGreaterThanOrEqual(16 * 10);
    // Each worker reads its watched segments plus one in turn: about 4 tables a round, where
    // a full scan by every worker would read 16.
    expect(perRound).toBeLessThan(6 * 128);
    expect(perRound).toBeGreaterThan(128);
  });

  it.each(SEEDS)('takes over a crashed worker’s leases within failover + 2 rounds, then evens counts out (seed %i)', async (seed) => {
    const { clock, store, coordinators } = await settled(128, 16, seed);
    const crashed = coordinators[5];
    await crashed.stop();
    // Every round scans here, so the bound is failover + 2 rounds (the scan itself takes no time).
    await tick(clock, FAILOVER + 2 * ROUND);
    expect(countByOwner(rows(store)).w05).toBeUndefined();
    expect(rows(store).every((l) => l.leaseOwner !== undefined)).toBe(true);
    // Watchers took every expired lease of their segments, some beyond target; stealing (one
    // move per lease per cooldown of 10 rounds) brings every worker within one of 128 / 15.
    await tick(clock, 40 * ROUND);
    expect(Math.max(...Object.values(countByOwner(rows(store))))).toBeLessThanOrEqual(9);
  });

  it('has a drained worker’s leases taken within a few rounds', async () => {
    const { clock, store, coordinators } = await settled(128, 16);
    const summary = await closeOn(clock, coordinators[9].close());
    expect(summary.released).toHaveLength(8);
    await tick(clock, 5 * ROUND);
    expect(rows(store).every((l) => l.leaseOwner !== undefined && l.leaseOwner !== 'w09')).toBe(true);
  });

  it('backs off while scans are throttled, keeps renewing, and scans again after', async () => {
    const { clock, store, coordinators } = await settled(16, 2);
    store.scanFailWith = new KinesisActorsError('THROTTLED', 'slow down', { retriable: true });
    const lost: string[] = [];
    for (const c of coordinators) c.on('lease.lost', ({ shardId }) => lost.push(shardId));
    const [attempts, renewals] = [store.scanAttempts, store.writes];
    await tick(clock, 20 * ROUND);
    // Two workers at one scan a round would have tried 40 times; skipping 1, 2, 4, 5, 5… rounds
    // (a failover time's worth at most) leaves about a quarter of that.
    expect(store.scanAttempts - attempts).toBeGreaterThan(0);
    expect(store.scanAttempts - attempts).toBeLessThanOrEqual(14);
    expect(store.writes - renewals).toBeGreaterThanOrEqual(16 * 10);
    expect(lost).toEqual([]);
    expect(Object.values(countByOwner(rows(store)))).toEqual([8, 8]);
    store.scanFailWith = undefined;
    const resumed = store.fullScans;
    await tick(clock, 10 * ROUND);
    expect(store.fullScans - resumed).toBeGreaterThanOrEqual(2 * 4);
  });

  it('takes nothing on a stale picture: a lease another worker took after the scan is refused by its counter', async () => {
    const { clock, store, coordinators } = await settled(128, 16);
    const victim = coordinators[2];
    const shardIds = victim.heldLeases().map((l) => l.leaseKey);
    await victim.stop(); // crashed: its leases will expire for everyone
    const take = store.takeLease.bind(store);
    // Every take of the crashed worker's leases is beaten by an intruder that read the table first.
    store.takeLease = async (lease, owner) => {
      if (shardIds.includes(lease.leaseKey) && owner !== 'intruder') await take(store.rows.get(lease.leaseKey)!, 'intruder');
      return take(lease, owner);
    };
    const taken: string[] = [];
    for (const c of coordinators) c.on('lease.taken', ({ shardId }) => taken.push(shardId));
    await tick(clock, FAILOVER + 5 * ROUND);
    for (const shardId of shardIds) expect(store.rows.get(shardId)!.leaseOwner).toBe('intruder');
    expect(taken.filter((shardId) => shardIds.includes(shardId))).toEqual([]);
    const holders = coordinators.flatMap((c) => c.heldLeases().map((l) => l.leaseKey));
    expect(new Set(holders).size).toBe(holders.length);
  });
});

describe('LeaseCoordinator in a fleet whose table has the owner index', () => {
  // Scans every other taker round; the rounds between only query the index.
  const SCAN = 2 * ROUND;

  async function settled(shards: number, workers: number, seed = 0) {
    const f = fleet(shards, workers, new IndexedInMemoryLeaseStore(), SCAN, seed);
    cleanup.push(() => Promise.all(f.coordinators.map((c) => c.stop())));
    for (const c of f.coordinators) {
      await c.start();
      await tick(f.clock, ROUND);
    }
    await tick(f.clock, 40 * ROUND);
    return f as typeof f & { store: IndexedInMemoryLeaseStore };
  }

  it('balances, then reads segments half as often as when every round scans, and queries once a round per worker', async () => {
    const { clock, store } = await settled(128, 16);
    expect(Object.values(countByOwner(rows(store))).every((n) => n === 8)).toBe(true);
    const [segments, queries] = [store.segmentScans, store.queries];
    await tick(clock, 10 * ROUND);
    // 16 workers × 10 rounds: one Query each per round; their segment reads (watched plus one
    // in turn, about 2 per worker) on 5 of the 10 rounds.
    expect(store.queries - queries).toBe(16 * 10);
    expect(store.segmentScans - segments).toBeGreaterThanOrEqual(16 * 5);
    expect(store.segmentScans - segments).toBeLessThan(16 * 10);
  });

  it('names one worker per period for a once-per-fleet task, and another once that one crashed', async () => {
    const { clock, coordinators } = await settled(64, 8);
    const turns = (period: number, among = coordinators) => among.filter((c) => c.isFleetTurn('shardSync', period)).map((c) => c.options.workerIdentifier);
    const chosen = new Set<string>();
    for (let period = 0; period < 40; period++) {
      expect(turns(period)).toHaveLength(1);
      chosen.add(turns(period)[0]);
    }
    expect(chosen.size).toBeGreaterThan(1);
    const period = 7;
    const [first] = turns(period);
    const crashed = coordinators.find((c) => c.options.workerIdentifier === first)!;
    await crashed.stop();
    await tick(clock, FAILOVER + 3 * SCAN);
    const others = coordinators.filter((c) => c !== crashed);
    expect(turns(period, others)).toHaveLength(1);
    expect(turns(period, others)).not.toContain(first);
  });

  it.each(SEEDS)('takes over a crashed worker’s leases within failover + 2 scan intervals (seed %i)', async (seed) => {
    const { clock, store, coordinators } = await settled(128, 16, seed);
    await coordinators[5].stop();
    await tick(clock, FAILOVER + 2 * SCAN);
    const counts = countByOwner(rows(store));
    expect(counts.w05).toBeUndefined();
    expect(rows(store).every((l) => l.leaseOwner !== undefined)).toBe(true);
  });

  it('hands a drained worker’s leases to the others, who hold them one round later', async () => {
    const { clock, store, coordinators } = await settled(128, 16);
    const drained = coordinators[9];
    const mine = drained.heldLeases().map((l) => l.leaseKey);
    const closing = drained.close();
    await flush();
    // Straight away the table names live workers, each given at most one more than it had.
    expect(rows(store).every((l) => l.leaseOwner !== undefined && l.leaseOwner !== 'w09')).toBe(true);
    expect(Math.max(...Object.values(countByOwner(rows(store))))).toBe(9);
    await tick(clock, ROUND);
    const holders = coordinators.filter((c) => c !== drained).flatMap((c) => c.heldLeases().map((l) => l.leaseKey));
    for (const key of mine) expect(holders).toContain(key);
    // Every one was claimed, so the close, which waits two rounds for that, leaves none free.
    const summary = await closeOn(clock, closing);
    expect(summary.released.sort()).toEqual(mine.sort());
    expect(rows(store).every((l) => l.leaseOwner !== undefined && l.leaseOwner !== 'w09')).toBe(true);
  });

  // The crash and the drain take the fleet from 16 to 14 workers, from 8 segments to 4, and the
  // workers see that at different scans: the watchers of the dead worker's leases change while
  // they wait out its failover time. Before old watchers read their former segments on for the
  // failover bound, some draws left a lease for a new watcher to judge one scan interval late.
  it.each(SEEDS)('a lease handed to a worker that died before claiming it is taken by another within failover + 2 scan intervals (seed %i)', async (seed) => {
    const { clock, store, coordinators } = await settled(128, 16, seed);
    await coordinators[3].stop();
    const crashedAt = clock.now();
    const handed = coordinators[9].heldLeases().map((l) => l.leaseKey);
    const closing = coordinators[9].close();
    await flush();
    const toDead = rows(store).filter((l) => handed.includes(l.leaseKey) && l.leaseOwner === 'w03').map((l) => l.leaseKey);
    expect(toDead.length).toBeGreaterThan(0);
    // Not claimed within two taker rounds: the drained worker leaves them free as it closes.
    await closeOn(clock, closing);
    for (const key of toDead) expect(store.rows.get(key)!.leaseOwner).not.toBe('w03');
    await tick(clock, crashedAt + FAILOVER + 2 * SCAN - clock.now());
    expect(rows(store).every((l) => l.leaseOwner !== undefined && l.leaseOwner !== 'w03' && l.leaseOwner !== 'w09')).toBe(true);
  });
});
