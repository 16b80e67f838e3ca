import type { Lease } from './lease.ts';

/** What {@link planLeaseTaking} decides from. */
export interface LeaseTakerInput {
  /** Every lease in the table, as last scanned (with this worker's own leases as it holds them). */
  leases: readonly Lease[];
  workerId: string;
  /** Local expiry judgment, usually `LeaseTracker.isExpired`. */
  isExpired(lease: Lease): boolean;
  /**
   * Leases that must not be taken now, usually `HandoffTracker.isBlocked` (another worker's
   * KCL 3.x graceful hand-off). They still count toward the target and their owner's load.
   * @defaultValue none is blocked
   */
  isBlocked?: ((lease: Lease) => boolean) | undefined;
  /** Most leases this worker may hold. */
  maxLeasesForWorker: number;
  /** Most leases stolen in this round. */
  maxLeasesToStealAtOneTime: number;
  /** Uniform in [0, 1); injectable so tests are deterministic. @defaultValue Math.random */
  random?: () => number;
}

/** A lease to take: from nobody (free), from a worker that stopped renewing, or stolen from a live one. */
export interface LeaseToTake {
  readonly lease: Lease;
  /** True when the lease has a live owner: taking it interrupts that worker's processing. */
  readonly stolen: boolean;
}

/** The taker's decision for one round; the caller executes the takes. */
export interface TakePlan {
  /** Workers with unexpired leases, this one included. */
  readonly workers: number;
  /** Leases this worker aims to hold: ceil(leases / workers), capped by maxLeasesForWorker. */
  readonly target: number;
  /** Unexpired leases this worker owns now. */
  readonly held: number;
  /** Free and expired leases first, then stolen ones. */
  readonly take: readonly LeaseToTake[];
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Decides which leases this worker should take, as the KCL 2.x taker does, with two changes:
 * free and expired leases are taken first and stealing then continues in the same round if
 * the worker is still below target, and up to `maxLeasesToStealAtOneTime` leases may be stolen
 * per round, from several workers, always from the most loaded one at that moment.
 *
 * A victim is never left below its fair share (floor(leases / workers), capped like the target)
 * nor with fewer leases than the thief will have: so with an even split no one is taken below
 * target, and with an uneven one (7 leases, 3 workers: 3/3/1) the thief may still move the
 * spread to 3/2/2, as the KCL's "steal one from a worker at target" rule does, without leases
 * ever bouncing back and forth.
 *
 * A blocked lease (`isBlocked`) is neither taken nor stolen; a victim whose leases are all
 * blocked is passed over for the next most loaded one.
 *
 * Pure: no I/O, no clock beyond `isExpired` and `isBlocked`.
 *
 * @example
 * const plan = planLeaseTaking({ leases, workerId: 'w1', isExpired: (l) => tracker.isExpired(l),
 *   maxLeasesForWorker: Infinity, maxLeasesToStealAtOneTime: 2 });
 * for (const { lease } of plan.take) await store.takeLease(lease, 'w1');
 */
export function planLeaseTaking(input: LeaseTakerInput): TakePlan {
  const { leases, workerId } = input;
  const random = input.random ?? Math.random;
  const blocked = input.isBlocked ?? (() => false);
  const live = new Map<string, Lease[]>();
  const available: Lease[] = [];
  for (const lease of leases) {
    if (lease.leaseOwner === undefined || input.isExpired(lease)) {
      if (!blocked(lease)) available.push(lease);
    } else {
      let owned = live.get(lease.leaseOwner);
      if (!owned) live.set(lease.leaseOwner, (owned = []));
      owned.push(lease);
    }
  }
  const held = live.get(workerId)?.length ?? 0;
  const workers = live.size + (live.has(workerId) ? 0 : 1);
  const target = Math.min(Math.ceil(leases.length / workers), input.maxLeasesForWorker);
  const needed = target - held;
  if (needed <= 0) return { workers, target, held, take: [] };

  const take: LeaseToTake[] = shuffle(available, random)
    .slice(0, needed)
    .map((lease) => ({ lease, stolen: false }));
  let mine = held + take.length;
  const stealLimit = Math.min(target - mine, input.maxLeasesToStealAtOneTime);
  if (stealLimit <= 0) return { workers, target, held, take };

  const fairShare = Math.min(Math.floor(leases.length / workers), target);
  // Shuffled once, so that among equally loaded victims the first found is a random one.
  const victims = shuffle(
    [...live].filter(([owner]) => owner !== workerId).map(([, owned]) => shuffle([...owned], random)),
    random,
  );
  // From the end, so that with nothing blocked this is the pop() of a shuffled list it always was.
  const stealable = (owned: Lease[]) => owned.findLastIndex((lease) => !blocked(lease));
  for (let stolen = 0; stolen < stealLimit; stolen++) {
    let victim: Lease[] | undefined;
    for (const owned of victims) if (stealable(owned) >= 0 && (!victim || owned.length > victim.length)) victim = owned;
    if (!victim || victim.length - 1 < fairShare || victim.length - 1 < mine + 1) break;
    take.push({ lease: victim.splice(stealable(victim), 1)[0], stolen: true });
    mine++;
  }
  return { workers, target, held, take };
}
