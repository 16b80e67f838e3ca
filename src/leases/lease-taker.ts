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
  /**
   * How far above target this worker may go with free and expired leases (never with stolen
   * ones): when only a few workers see a free lease each round, as with segmented scans, one
   * of them should take it now rather than leave it for a worker with room that reads its
   * segment rounds later; counts even out again by stealing. @defaultValue 0
   */
  maxAvailableAboveTarget?: number | undefined;
  /**
   * How far above target this worker may go with expired leases (a dead owner's, or ones handed
   * to a worker that died before claiming them), when that is further than
   * `maxAvailableAboveTarget`: with segmented scans only a segment's few watchers judge its
   * leases' expiry in time, so they take every expired lease they see rather than leave some
   * for workers that read the segment a rotation later, and stealing evens counts out after.
   * @defaultValue maxAvailableAboveTarget
   */
  maxExpiredAboveTarget?: number | undefined;
  /** Uniform in [0, 1); injectable so tests are deterministic. @defaultValue Math.random */
  random?: () => number;
  /**
   * Leases that changed owner lately (usually within `leaseMoveCooldownRounds`): never stolen,
   * so a lease moves at most once per cooldown whatever the loads say. Free and expired leases
   * are taken regardless. @defaultValue none
   */
  recentlyMoved?: ((lease: Lease) => boolean) | undefined;
  /**
   * Balance by bytes too: when this worker carries less than its share of the live leases'
   * `throughputKBps` divided by this and another worker carries more than this many times its share, one of
   * that worker's leases is stolen (at most one per round, and only when nothing else was
   * taken) if the move lowers the busier of the two and leaves the thief within the threshold.
   * Infinity balances on counts only.
   * @defaultValue Infinity
   */
  throughputImbalanceThreshold?: number | undefined;
}

/** A lease to take: from nobody (free), from a worker that stopped renewing, or stolen from a live one. */
export interface LeaseToTake {
  readonly lease: Lease;
  /** True when the lease has a live owner: taking it interrupts that worker's processing. */
  readonly stolen: boolean;
  /** Why a live lease is stolen: to even out counts, or bytes (`throughputKBps`). */
  readonly reason?: 'count' | 'throughput';
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
  const moved = input.recentlyMoved ?? (() => false);
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
  const fairShare = Math.min(Math.floor(leases.length / workers), target);
  const above = input.maxAvailableAboveTarget ?? 0;
  const needed = Math.min(target + above, input.maxLeasesForWorker) - held;
  const roomForExpired = Math.min(target + Math.max(above, input.maxExpiredAboveTarget ?? above), input.maxLeasesForWorker) - held;
  const expiredAvailable = roomForExpired > needed && available.some((lease) => lease.leaseOwner !== undefined);
  if ((needed <= 0 && !expiredAvailable) || (available.length === 0 && held >= target)) {
    return { workers, target, held, take: balanceBytes(input, live, { workers, target, fairShare, held }) };
  }

  const take: LeaseToTake[] = [];
  for (const lease of shuffle(available, random)) {
    const room = lease.leaseOwner === undefined ? needed : roomForExpired;
    if (take.length < room) take.push({ lease, stolen: false });
  }
  let mine = held + take.length;
  const stealLimit = Math.min(target - mine, input.maxLeasesToStealAtOneTime);
  if (stealLimit <= 0) return { workers, target, held, take };

  // Shuffled once, so that among equally loaded victims the first found is a random one; then
  // coldest last (a stable sort, so without throughput the shuffle decides), so that evening out
  // counts takes cold leases and leaves the hot ones where the byte balance put them.
  // Only a chosen victim's list is sorted (which victim is chosen does not depend on the order):
  // sorting every worker's leases each round is most of a round's work in a fleet of hundreds.
  const victims = shuffle(
    [...live].filter(([owner]) => owner !== workerId).map(([, owned]) => shuffle([...owned], random)),
    random,
  );
  const sorted = new Set<Lease[]>();
  // From the end, so that with nothing blocked this is the pop() of a shuffled list it always was.
  const stealable = (owned: Lease[]) => owned.findLastIndex((lease) => !blocked(lease) && !moved(lease));
  for (let stolen = 0; stolen < stealLimit; stolen++) {
    let victim: Lease[] | undefined;
    for (const owned of victims) if (stealable(owned) >= 0 && (!victim || owned.length > victim.length)) victim = owned;
    if (!victim || victim.length - 1 < fairShare || victim.length - 1 < mine + 1) break;
    if (!sorted.has(victim)) {
      victim.sort((a, b) => kbps(b) - kbps(a));
      sorted.add(victim);
    }
    take.push({ lease: victim.splice(stealable(victim), 1)[0], stolen: true, reason: 'count' });
    mine++;
  }
  if (take.length > 0) return { workers, target, held, take };
  return { workers, target, held, take: balanceBytes(input, live, { workers, target, fairShare, held }) };
}

function kbps(lease: Lease): number {
  return lease.throughputKBps ?? 0;
}

/**
 * The byte balance, for a round that took nothing else: at most one steal, from the worker
 * carrying the most bytes if it is above `threshold` × its share while this worker is below
 * share / `threshold`, of the lease that brings the two closest, only if the move lowers the busier of the
 * two and leaves the thief within `threshold` × share (so the victim never has a reason to
 * take it back), and counts stay within one of the fair
 * spread (target + 1 for the thief, fair share − 1 for the victim; evening out counts then
 * moves cold leases). Deterministic: no shuffle, ties broken by worker id and lease key.
 */
function balanceBytes(
  input: LeaseTakerInput,
  live: ReadonlyMap<string, readonly Lease[]>,
  spread: { workers: number; target: number; fairShare: number; held: number },
): LeaseToTake[] {
  const threshold = input.throughputImbalanceThreshold ?? Infinity;
  if (!Number.isFinite(threshold) || spread.held + 1 > Math.min(spread.target + 1, input.maxLeasesForWorker)) return [];
  const loads = [...live].map(([owner, owned]) => ({ owner, owned, load: owned.reduce((sum, lease) => sum + kbps(lease), 0) }));
  const total = loads.reduce((sum, w) => sum + w.load, 0);
  const share = total / spread.workers;
  const mine = loads.find((w) => w.owner === input.workerId)?.load ?? 0;
  // Hysteresis: the thief must be as far below its share as the victim is above, so that noise
  // in the measurements does not start moves back and forth.
  if (total <= 0 || mine * threshold >= share) return [];
  const blocked = input.isBlocked ?? (() => false);
  const moved = input.recentlyMoved ?? (() => false);
  const victim = loads
    .filter((w) => w.owner !== input.workerId && w.load > threshold * share && w.owned.length - 1 >= spread.fairShare - 1)
    .sort((a, b) => b.load - a.load || a.owner.localeCompare(b.owner))[0];
  if (!victim) return [];
  // A victim left below its fair count takes one of this worker's coldest leases back when it
  // evens out counts, so the move is in effect a swap: it must carry a real part of the share
  // across, or a cold lease would travel back and forth (one hot lease among few makes counts
  // and bytes pull apart, and nothing fixes both).
  const swapsBack = victim.owned.length - 1 < spread.fairShare;
  const mineOwned = live.get(input.workerId) ?? [];
  const coldest = swapsBack && mineOwned.length > 0 ? Math.min(...mineOwned.map(kbps)) : 0;
  const leastTransfer = ((threshold - 1) * share) / 2;
  let best: Lease | undefined;
  for (const lease of victim.owned) {
    const t = kbps(lease);
    // The move must lower the busier of the two, and leave the thief within the threshold, or
    // the victim would have a reason to take it back.
    if (t <= 0 || blocked(lease) || moved(lease) || mine + t >= victim.load || mine + t > threshold * share) continue;
    if (t - coldest < leastTransfer) continue;
    const gap = Math.abs(victim.load - t - (mine + t));
    const bestGap = best === undefined ? Infinity : Math.abs(victim.load - kbps(best) - (mine + kbps(best)));
    if (gap < bestGap || (gap === bestGap && lease.leaseKey < best!.leaseKey)) best = lease;
  }
  return best ? [{ lease: best, stolen: true, reason: 'throughput' }] : [];
}
