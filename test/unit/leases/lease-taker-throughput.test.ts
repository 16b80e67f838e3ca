import { describe, expect, it } from 'vitest';
import type { Lease } from '../../../src/leases/lease.ts';
import { planLeaseTaking } from '../../../src/leases/lease-taker.ts';
import {countByOwner, spread } from './helpers.ts';
import { createSeededRandom } from '../../../src/testing/seeded-random.ts';

/** Gives the leases throughputs in order: hot ones first. */
function withKbps(all: Lease[], kbps: number[]): Lease[] {
  return all.map((lease, i) => ({ ...lease, throughputKBps: kbps[i] ?? 0 }));
}

function loadByOwner(all: readonly Lease[]): Record<string, number> {
  const loads: Record<string, number> = {};
  for (const lease of all) if (lease.leaseOwner) loads[lease.leaseOwner] = (loads[lease.leaseOwner] ?? 0) + (lease.throughputKBps ?? 0);
  return loads;
}

/**
 * Workers plan in turn for `rounds` rounds with a cooldown of `cooldown` rounds per lease, as the
 * coordinator runs them; `noise` re-draws every throughput by up to ±noise each round.
 */
function run(start: Lease[], workers: string[], rounds: number, options: { cooldown: number; noise: number; seed: number; base: number[] }) {
  const random = createSeededRandom(options.seed);
  let all = start;
  const movedAt = new Map<string, number>();
  const moves: Array<{ round: number; key: string; to: string }> = [];
  for (let round = 0; round < rounds; round++) {
    all = all.map((lease, i) => ({ ...lease, throughputKBps: Math.max(0, options.base[i] * (1 + options.noise * (2 * random() - 1))) }));
    for (const worker of workers) {
      const { take } = planLeaseTaking({
        leases: all,
        workerId: worker,
        isExpired: () => false,
        maxLeasesForWorker: Infinity,
        maxLeasesToStealAtOneTime: 2,
        throughputImbalanceThreshold: 1.2,
        recentlyMoved: (lease) => round - (movedAt.get(lease.leaseKey) ?? -Infinity) < options.cooldown,
        random,
      });
      const keys = new Set(take.map((t) => t.lease.leaseKey));
      for (const key of keys) {
        movedAt.set(key, round);
        moves.push({ round, key, to: worker });
      }
      all = all.map((l) => (keys.has(l.leaseKey) ? { ...l, leaseOwner: worker, leaseCounter: l.leaseCounter + 1 } : l));
    }
  }
  return { leases: all, moves };
}

describe('planLeaseTaking balances throughputKBps as well as counts', () => {
  it('moves a hot lease from a worker above 1.2 × its share of bytes to one below its share', () => {
    // a: 4 hot (100 KB/s each), b: 4 cold (1 KB/s): counts even, bytes 400 vs 4.
    const all = withKbps(spread({ a: 4, b: 4 }), [100, 100, 100, 100, 1, 1, 1, 1]);
    const plan = planLeaseTaking({ leases: all, workerId: 'b', isExpired: () => false, maxLeasesForWorker: Infinity, maxLeasesToStealAtOneTime: 2, throughputImbalanceThreshold: 1.2 });
    expect(plan.take).toHaveLength(1);
    expect(plan.take[0]).toMatchObject({ stolen: true, reason: 'throughput', lease: { leaseOwner: 'a', throughputKBps: 100 } });
    // Nothing for the worker already above its share, nor with the balance switched off.
    expect(planLeaseTaking({ leases: all, workerId: 'a', isExpired: () => false, maxLeasesForWorker: Infinity, maxLeasesToStealAtOneTime: 2, throughputImbalanceThreshold: 1.2 }).take).toEqual([]);
    expect(planLeaseTaking({ leases: all, workerId: 'b', isExpired: () => false, maxLeasesForWorker: Infinity, maxLeasesToStealAtOneTime: 2 }).take).toEqual([]);
  });

  it('leaves a spread within the threshold alone, and never moves a lease that would make the thief the busier one', () => {
    const within = withKbps(spread({ a: 2, b: 2 }), [60, 50, 50, 40]); // 110 vs 90: share 100, a is 1.1×
    expect(planLeaseTaking({ leases: within, workerId: 'b', isExpired: () => false, maxLeasesForWorker: Infinity, maxLeasesToStealAtOneTime: 2, throughputImbalanceThreshold: 1.2 }).take).toEqual([]);
    const single = withKbps(spread({ a: 1, b: 1 }), [500, 1]); // one hot shard: moving it only moves the problem
    expect(planLeaseTaking({ leases: single, workerId: 'b', isExpired: () => false, maxLeasesForWorker: Infinity, maxLeasesToStealAtOneTime: 2, throughputImbalanceThreshold: 1.2 }).take).toEqual([]);
  });

  it('spreads hot shards over three workers and keeps counts within one of even', () => {
    const base = [90, 90, 90, 90, 90, 90, 2, 2, 2, 2, 2, 2, 2, 2, 2];
    const start = withKbps(spread({ a: 6, b: 5, c: 4 }), base); // a holds every hot shard
    const { leases: end } = run(start, ['a', 'b', 'c'], 60, { cooldown: 3, noise: 0, seed: 1, base });
    const loads = Object.values(loadByOwner(end));
    const share = loads.reduce((s, l) => s + l, 0) / 3;
    expect(Math.max(...loads)).toBeLessThanOrEqual(1.2 * share);
    const counts = Object.values(countByOwner(end));
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
  });

  it('does not ping-pong: with ±10 % noisy throughput, moves stop once the balance settles', () => {
    const base = [80, 70, 60, 50, 40, 30, 20, 10, 5, 5, 5, 5];
    for (let seed = 1; seed <= 10; seed++) {
      const { moves } = run(withKbps(spread({ a: 6, b: 3, c: 3 }), base), ['a', 'b', 'c'], 200, { cooldown: 10, noise: 0.1, seed, base });
      expect(moves.length).toBeGreaterThan(0);
      expect(moves.filter((m) => m.round >= 100)).toEqual([]);
    }
  });

  it('does not trade cold leases back and forth when one hot lease among few pulls counts and bytes apart', () => {
    // Six shards, two workers, one shard ten times as busy: no spread is even in both counts and
    // bytes; a byte steal of a cold lease would be undone by the next count steal, forever.
    const base = [10, 1, 1, 1, 1, 1];
    for (let seed = 1; seed <= 10; seed++) {
      const { moves } = run(withKbps(spread({ a: 3, b: 3 }), base), ['a', 'b'], 200, { cooldown: 10, noise: 0.1, seed, base });
      expect(moves).toEqual([]);
    }
    // From an uneven start it settles, and then stays.
    const { moves } = run(withKbps(spread({ a: 5, b: 1 }), base), ['a', 'b'], 200, { cooldown: 10, noise: 0.1, seed: 1, base });
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.filter((m) => m.round >= 50)).toEqual([]);
  });

  it('with ±30 % noise (one lease most of a worker’s bytes), still moves no lease twice within the cooldown', () => {
    const base = [80, 70, 60, 50, 40, 30, 20, 10, 5, 5, 5, 5];
    for (let seed = 1; seed <= 10; seed++) {
      const { moves } = run(withKbps(spread({ a: 6, b: 3, c: 3 }), base), ['a', 'b', 'c'], 200, { cooldown: 10, noise: 0.3, seed, base });
      const byKey = new Map<string, number[]>();
      for (const m of moves) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m.round]);
      for (const rounds of byKey.values()) for (let i = 1; i < rounds.length; i++) expect(rounds[i] - rounds[i - 1]).toBeGreaterThanOrEqual(10);
    }
  });

  it('evens out counts with the coldest leases, so hot ones stay where the byte balance put them', () => {
    const all = withKbps(spread({ a: 5, b: 3 }), [1, 90, 2, 80, 3, 90, 90, 90]);
    const plan = planLeaseTaking({ leases: all, workerId: 'b', isExpired: () => false, maxLeasesForWorker: Infinity, maxLeasesToStealAtOneTime: 2, random: createSeededRandom(3) });
    expect(plan.take).toEqual([{ lease: all[0], stolen: true, reason: 'count' }]);
  });

  it('takes free and expired leases above target only as far as maxAvailableAboveTarget allows', () => {
    const all = spread({ a: 2, b: 2 }, 2); // target 3
    const plan = (above: number) =>
      planLeaseTaking({ leases: all, workerId: 'a', isExpired: () => false, maxLeasesForWorker: Infinity, maxLeasesToStealAtOneTime: 2, maxAvailableAboveTarget: above, random: createSeededRandom(1) }).take.length;
    expect(plan(0)).toBe(1);
    expect(plan(1)).toBe(2);
  });

  it('takes expired leases as far above target as maxExpiredAboveTarget allows, free ones no further than maxAvailableAboveTarget', () => {
    // a holds 2 and b 2, c is dead with 3 expired leases, and 2 are free: target ceil(9 / 2) = 5.
    const all = [...spread({ a: 2, b: 2, c: 3 }, 2)];
    const dead = new Set(all.filter((l) => l.leaseOwner === 'c'));
    const plan = (expiredAbove?: number, maxLeasesForWorker = Infinity) =>
      planLeaseTaking({
        leases: all,
        workerId: 'a',
        isExpired: (l) => dead.has(l),
        maxLeasesForWorker,
        maxLeasesToStealAtOneTime: 2,
        maxAvailableAboveTarget: 0,
        maxExpiredAboveTarget: expiredAbove,
        random: createSeededRandom(1),
      }).take;
    expect(plan()).toHaveLength(3);
    const all5 = plan(Infinity);
    expect(all5).toHaveLength(5);
    expect(all5.filter((t) => dead.has(t.lease))).toHaveLength(3);
    expect(all5.every((t) => !t.stolen)).toBe(true);
    // maxLeasesForWorker still caps it.
    expect(plan(Infinity, 4)).toHaveLength(2);
  });

  it('takes expired leases beyond maxAvailableAboveTarget even when this worker is at target already', () => {
    const all = spread({ a: 3, b: 2, c: 1 }); // c's lease expired: 2 live workers, target ceil(6 / 2) = 3, held by a
    const plan = (expiredAbove: number) =>
      planLeaseTaking({ leases: all, workerId: 'a', isExpired: (l) => l.leaseOwner === 'c', maxLeasesForWorker: Infinity, maxLeasesToStealAtOneTime: 2, maxAvailableAboveTarget: 0, maxExpiredAboveTarget: expiredAbove, random: createSeededRandom(1) }).take;
    expect(plan(0)).toEqual([]);
    expect(plan(Infinity).map((t) => t.lease.leaseOwner)).toEqual(['c']);
  });
});
