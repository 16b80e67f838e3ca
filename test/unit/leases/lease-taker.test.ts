import { describe, expect, it } from 'vitest';
import type { Lease } from '../../../src/leases/lease.ts';
import { planLeaseTaking, type LeaseTakerInput } from '../../../src/leases/lease-taker.ts';
import {countByOwner, leases, spread } from './helpers.ts';
import { createSeededRandom } from '../../../src/testing/seeded-random.ts';

const live = () => false;

function plan(all: readonly Lease[], workerId: string, extra: Partial<LeaseTakerInput> = {}) {
  return planLeaseTaking({
    leases: all,
    workerId,
    isExpired: live,
    maxLeasesForWorker: Infinity,
    maxLeasesToStealAtOneTime: 2,
    random: createSeededRandom(1),
    ...extra,
  });
}

/** Applies a plan as if every take succeeded. */
function apply(all: Lease[], workerId: string, taken: readonly { lease: Lease }[]): Lease[] {
  const keys = new Set(taken.map((t) => t.lease.leaseKey));
  return all.map((l) => (keys.has(l.leaseKey) ? { ...l, leaseOwner: workerId, leaseCounter: l.leaseCounter + 1 } : l));
}

/** Workers plan and take in turn until a whole pass changes nothing; returns the passes used. */
function settle(all: Lease[], workers: string[], random: () => number, maxSteal = 2): { leases: Lease[]; passes: number } {
  for (let pass = 1; pass <= 50; pass++) {
    let changed = false;
    for (const worker of workers) {
      const { take } = plan(all, worker, { random, maxLeasesToStealAtOneTime: maxSteal });
      if (take.length > 0) changed = true;
      all = apply(all, worker, take);
    }
    if (!changed) return { leases: all, passes: pass };
  }
  throw new Error('did not settle');
}

describe('planLeaseTaking', () => {
  it('takes free leases up to ceil(leases / workers), counting only workers with live leases', () => {
    expect(plan(leases(6), 'a').take).toHaveLength(6);
    const p = plan(spread({ b: 2 }, 4), 'a');
    expect(p).toMatchObject({ workers: 2, target: 3, held: 0 });
    expect(p.take.every((t) => !t.stolen && t.lease.leaseOwner === undefined)).toBe(true);
    expect(p.take).toHaveLength(3);
  });

  it('spreads 6 leases over 3 workers 2/2/2, whatever the order', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const random = createSeededRandom(seed);
      const order = ['a', 'b', 'c'].sort(() => random() - 0.5);
      const { leases: settled } = settle(leases(6), order, random);
      expect(countByOwner(settled)).toEqual({ a: 2, b: 2, c: 2 });
    }
  });

  it('balances a worker that holds everything against two that join', () => {
    const { leases: settled, passes } = settle(spread({ a: 6 }), ['b', 'c', 'a'], createSeededRandom(7));
    expect(countByOwner(settled)).toEqual({ a: 2, b: 2, c: 2 });
    expect(passes).toBeLessThanOrEqual(2);
  });

  it('takes expired leases first and steals none while they are enough', () => {
    const all = spread({ dead: 3, b: 3 });
    const p = plan(all, 'c', { isExpired: (l) => l.leaseOwner === 'dead' });
    expect(p).toMatchObject({ workers: 2, target: 3 });
    expect(p.take.map((t) => t.lease.leaseOwner)).toEqual(['dead', 'dead', 'dead']);
    expect(p.take.every((t) => !t.stolen)).toBe(true);
  });

  it('steals after taking the free leases when still below target', () => {
    const p = plan(spread({ a: 7 }, 1), 'b');
    expect(p.target).toBe(4);
    expect(p.take.map((t) => t.stolen)).toEqual([false, true, true]);
  });

  it('steals several leases per round, up to maxLeasesToStealAtOneTime', () => {
    expect(plan(spread({ a: 6 }), 'b').take.map((t) => [t.lease.leaseOwner, t.stolen])).toEqual([['a', true], ['a', true]]);
    expect(plan(spread({ a: 6 }), 'b', { maxLeasesToStealAtOneTime: 1 }).take).toHaveLength(1);
    expect(plan(spread({ a: 6 }), 'b', { maxLeasesToStealAtOneTime: 5 }).take).toHaveLength(3);
    expect(plan(spread({ a: 6 }), 'b', { maxLeasesToStealAtOneTime: 0 }).take).toHaveLength(0);
  });

  it('steals from several over-target workers, always the most loaded one', () => {
    const p = plan(spread({ a: 5, b: 5, c: 2 }), 'd', { maxLeasesToStealAtOneTime: 3 });
    expect(p.target).toBe(3);
    const from = countByOwner(p.take.map((t) => t.lease));
    expect(from.a + from.b).toBe(3);
    expect(Math.min(from.a, from.b)).toBe(1);
    expect(from.c).toBeUndefined();
  });

  it('never takes a victim below target', () => {
    const p = plan(spread({ a: 3, b: 3 }), 'c', { maxLeasesToStealAtOneTime: 10 });
    expect(countByOwner(p.take.map((t) => t.lease))).toEqual({ a: 1, b: 1 });
    expect(plan(spread({ a: 3, b: 2, c: 1 }), 'c', { maxLeasesToStealAtOneTime: 10 }).take.map((t) => t.lease.leaseOwner)).toEqual(['a']);
    for (const w of ['a', 'b', 'c']) expect(plan(spread({ a: 2, b: 2, c: 2 }), w).take).toHaveLength(0);
  });

  it('with an uneven split moves 3/3/1 to 3/2/2 and then stays put', () => {
    const p = plan(spread({ a: 3, b: 3, c: 1 }), 'c', { maxLeasesToStealAtOneTime: 10 });
    expect(p.take).toHaveLength(1);
    const settled = settle(spread({ a: 3, b: 3, c: 1 }), ['c', 'a', 'b'], createSeededRandom(3)).leases;
    expect(Object.values(countByOwner(settled)).sort()).toEqual([2, 2, 3]);
  });

  it('settles without leases bouncing back and forth', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = createSeededRandom(seed);
      const workers = Array.from({ length: 2 + Math.floor(random() * 5) }, (_, i) => `w${i}`);
      const count = 1 + Math.floor(random() * 40);
      const { leases: settled } = settle(leases(count), workers, random);
      const counts = Object.values(countByOwner(settled));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(count);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it('caps what it takes and steals by maxLeasesForWorker', () => {
    const p = plan(leases(10), 'a', { maxLeasesForWorker: 3 });
    expect(p).toMatchObject({ target: 3 });
    expect(p.take).toHaveLength(3);
    expect(plan(spread({ a: 3 }, 7), 'a', { maxLeasesForWorker: 3 }).take).toHaveLength(0);
    expect(plan(spread({ b: 9 }), 'a', { maxLeasesForWorker: 1 }).take).toHaveLength(1);
  });

  it('treats this worker’s own expired leases as available, not as held', () => {
    const p = plan(spread({ a: 2, b: 2 }), 'a', { isExpired: (l) => l.leaseOwner === 'a' });
    expect(p).toMatchObject({ held: 0, workers: 2, target: 2 });
    expect(p.take.map((t) => [t.lease.leaseOwner, t.stolen])).toEqual([['a', false], ['a', false]]);
  });

  it('neither takes nor steals a blocked lease (a hand-off in progress), but counts it toward the target and its owner’s load', () => {
    // b holds shard-0..3, shard-4 and shard-5 are free; shard-0 and shard-4 are blocked.
    const all = spread({ b: 4 }, 2).map((lease, i) => (i === 0 || i === 4 ? { ...lease, checkpointOwner: 'x' } : lease));
    const isBlocked = (lease: Lease) => lease.checkpointOwner !== undefined;
    for (let seed = 1; seed <= 20; seed++) {
      const p = plan(all, 'a', { isBlocked, random: createSeededRandom(seed) });
      expect(p).toMatchObject({ workers: 2, target: 3 });
      expect(p.take.map((t) => [t.lease.leaseKey === 'shard-5' ? 'shard-5' : t.lease.leaseOwner, t.stolen])).toEqual([
        ['shard-5', false],
        ['b', true],
      ]);
      expect(p.take.some((t) => isBlocked(t.lease))).toBe(false);
    }
    const expired = plan(leases(2, ['gone', 'gone']).map((l) => ({ ...l, checkpointOwner: 'x' })), 'a', { isBlocked, isExpired: () => true });
    expect(expired.take).toEqual([]);
  });

  it('passes over a victim whose leases are all blocked, for the next most loaded one', () => {
    const all = spread({ b: 3, c: 2 }).map((lease) => (lease.leaseOwner === 'b' ? { ...lease, checkpointOwner: 'x' } : lease));
    const p = plan(all, 'a', { isBlocked: (lease) => lease.checkpointOwner !== undefined, maxLeasesToStealAtOneTime: 1 });
    expect(p.take.map((t) => [t.lease.leaseOwner, t.stolen])).toEqual([['c', true]]);
  });
});
