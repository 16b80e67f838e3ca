import type { Lease } from './lease.ts';

/**
 * Chooses, lease by lease, the worker a draining worker hands its leases to: each time the
 * live worker holding the fewest leases in `picture` (the draining worker's view of the table,
 * its own and dead workers' leases left out by the caller or here), counting the leases already
 * handed to it, ties to the smaller id. So N leases spread over the least loaded workers as
 * the taker would spread them, without waiting for anyone's next scan. Returns a function that
 * gives `undefined` when no other worker is known (the lease is then left free).
 *
 * Pure; every call of the returned function assigns one more lease.
 *
 * @example
 * const successorOf = chooseSuccessors(picture.leases(), 'worker-1');
 * for (const lease of held) await store.handOffLease(lease, successorOf(lease)!);
 */
export function chooseSuccessors(picture: readonly Lease[], workerId: string): (lease: Lease) => string | undefined {
  const counts = new Map<string, number>();
  for (const lease of picture) {
    const owner = lease.leaseOwner;
    if (owner !== undefined && owner !== workerId) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return () => {
    let best: string | undefined;
    let fewest = Infinity;
    for (const [worker, count] of counts) {
      if (count < fewest || (count === fewest && worker < best!)) {
        best = worker;
        fewest = count;
      }
    }
    if (best !== undefined) counts.set(best, fewest + 1);
    return best;
  };
}
