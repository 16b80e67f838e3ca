import type { Lease } from './lease.ts';

interface Entry {
  lease: Lease;
  /** Taker round of the last scan that read it. */
  seenRound: number;
  /** Round at which this worker saw it pass from one owner to another; -Infinity when it never saw that. */
  movedRound: number;
}

/**
 * One worker's picture of the whole lease table when it scans only parts of it per round: each
 * lease as last read, with the round it was read in and the round its owner was last seen to
 * pass from one owner to another (for the taker's move cooldown). A lease not read for `maxAgeRounds` is dropped
 * (deleted from the table, or this worker's segments changed under it). @internal
 */
export class LeasePicture {
  private readonly entries = new Map<string, Entry>();

  /** Records leases read in `round`; `complete` means the read was the whole table, so the rest is gone. */
  update(leases: readonly Lease[], round: number, complete: boolean): string[] {
    const present = new Set<string>();
    for (const lease of leases) {
      present.add(lease.leaseKey);
      const before = this.entries.get(lease.leaseKey);
      const from = before?.lease.leaseOwner;
      // From one worker to another: taking a free lease is no move.
      const moved = from !== undefined && lease.leaseOwner !== undefined && from !== lease.leaseOwner;
      const movedRound = moved ? round : (before?.movedRound ?? -Infinity);
      this.entries.set(lease.leaseKey, { lease, seenRound: round, movedRound });
    }
    if (!complete) return [];
    const gone: string[] = [];
    for (const key of this.entries.keys()) {
      if (present.has(key)) continue;
      gone.push(key);
      this.entries.delete(key);
    }
    return gone;
  }

  /** Drops leases not read since `round − maxAgeRounds`; returns their keys. */
  prune(round: number, maxAgeRounds: number): string[] {
    const gone: string[] = [];
    // Runs every round over the whole picture: no copy of it (a Map may delete the entry it is visiting).
    for (const [key, e] of this.entries) {
      if (round - e.seenRound <= maxAgeRounds) continue;
      gone.push(key);
      this.entries.delete(key);
    }
    return gone;
  }

  /** Leases in the picture. */
  get size(): number {
    return this.entries.size;
  }

  /** The leases in the picture, each passed through `as` when given (one array, not two). */
  leases(as?: (lease: Lease) => Lease): Lease[] {
    const all: Lease[] = [];
    for (const e of this.entries.values()) all.push(as ? as(e.lease) : e.lease);
    return all;
  }

  /** True when this worker saw the lease change owner within the last `rounds` rounds. */
  /**
   * The other owners in the picture, told apart in one pass: `dead` when one of their leases was
   * already expired when last read, `live` the rest, with `self` first.
   */
  owners(self: string, expiredWhenLastSeen: (lease: Lease) => boolean): { dead: Set<string>; live: string[] } {
    const dead = new Set<string>();
    const owners = new Set<string>();
    for (const e of this.entries.values()) {
      const owner = e.lease.leaseOwner;
      if (owner === undefined || owner === self) continue;
      owners.add(owner);
      if (!dead.has(owner) && expiredWhenLastSeen(e.lease)) dead.add(owner);
    }
    const live = [self];
    for (const owner of owners) if (!dead.has(owner)) live.push(owner);
    return { dead, live };
  }

  movedWithin(leaseKey: string, round: number, rounds: number): boolean {
    const e = this.entries.get(leaseKey);
    return e !== undefined && round - e.movedRound < rounds;
  }
}
