import type { Lease } from '../../../src/leases/lease.ts';
import { newLease } from '../../../src/leases/lease.ts';
import type { SimulatedClock } from '../../../src/testing/simulated-clock.ts';

/** `count` leases named shard-0.., owned as `owners` says (index → owner; absent = free). */
export function leases(count: number, owners: Array<string | undefined> = []): Lease[] {
  return Array.from({ length: count }, (_, i) => {
    const lease = newLease(`shard-${i}`, { checkpoint: 'TRIM_HORIZON' });
    return owners[i] === undefined ? lease : { ...lease, leaseOwner: owners[i], leaseCounter: 1 };
  });
}

/** Leases owned as `spread` says: { a: 3, b: 2 } → 3 for a, 2 for b, then `free` unowned ones. */
export function spread(counts: Record<string, number>, free = 0): Lease[] {
  const owners = Object.entries(counts).flatMap(([owner, n]) => Array<string>(n).fill(owner));
  return leases(owners.length + free, owners);
}

/** Leases per owner. */
export function countByOwner(all: readonly Lease[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const lease of all) if (lease.leaseOwner) counts[lease.leaseOwner] = (counts[lease.leaseOwner] ?? 0) + 1;
  return counts;
}

/** Lets promise chains run (the in-memory store resolves in microtasks). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Advances the simulated clock in steps, letting async work and the timers it schedules run. */
export async function tick(clock: SimulatedClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await flush();
  }
}

/**
 * Runs a `close()` to its end on a simulated clock: a worker that handed leases over waits two
 * taker rounds for their claims before it leaves the unclaimed ones free.
 */
export async function closeOn<T>(clock: SimulatedClock, closing: Promise<T>, step = 10): Promise<T> {
  let done = false;
  const settled = closing.finally(() => {
    done = true;
  });
  await flush();
  for (let i = 0; !done && i < 10_000; i++) await tick(clock, step, step);
  return settled;
}
