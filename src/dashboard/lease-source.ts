import type { Lease } from '../leases/lease.ts';
import type { LeaseStore } from '../leases/lease-store.ts';
import type { LeaseMove } from './snapshot.ts';

/** What the dashboard knows of one lease. */
export interface ObservedLease {
  shardId: string;
  owner: string | undefined;
  leaseCounter: number;
  checkpoint: string;
  /** When this dashboard saw the checkpoint change (or first saw it). */
  checkpointSeenAt: number;
  /** `throughputKBps`, when the fleet writes it at renewal as the KCL 3.x does. */
  throughputKBps: number | undefined;
}

/**
 * Follows a lease table by reading it whole each round: owners, checkpoints (and when each
 * last changed, as observed), and every change of owner as a move. A lease table scan costs
 * one read unit per 4 KB of leases, about one per 10 leases, per round.
 */
export class LeaseTableSource {
  private readonly leases = new Map<string, ObservedLease>();
  private readonly moves: LeaseMove[] = [];
  private first = true;

  constructor(
    private readonly store: Pick<LeaseStore, 'listLeases'>,
    private readonly historyMs: number,
  ) {}

  /** Reads the table; a failure is left to the caller, which reports it and keeps the last view. */
  async poll(now: number): Promise<void> {
    const listed = await this.store.listLeases();
    const seen = new Set<string>();
    for (const lease of listed) {
      seen.add(lease.leaseKey);
      this.observe(lease, now);
    }
    for (const shardId of this.leases.keys()) if (!seen.has(shardId)) this.leases.delete(shardId);
    this.first = false;
    this.prune(now);
  }

  /** A move seen by an in-process consumer (lease.taken, lease.lost) before the next scan. */
  recordMove(move: LeaseMove): void {
    const last = this.moves.findLast((m) => m.shardId === move.shardId);
    const known = this.leases.get(move.shardId);
    const current = last ? last.to : known?.owner;
    if (current === move.to) return;
    // A lease taken free that was last seen with another owner: that owner released it
    // (a drained worker) between two scans.
    if (move.from === undefined && current !== undefined) this.moves.push({ at: move.at, shardId: move.shardId, from: current, to: undefined });
    this.moves.push(move);
    if (known) this.leases.set(move.shardId, { ...known, owner: move.to });
  }

  view(now: number): { leases: ObservedLease[]; moves: LeaseMove[] } {
    this.prune(now);
    return { leases: [...this.leases.values()], moves: [...this.moves] };
  }

  private observe(lease: Lease, now: number): void {
    const before = this.leases.get(lease.leaseKey);
    const throughput = (lease as Lease & { throughputKBps?: unknown }).throughputKBps;
    this.leases.set(lease.leaseKey, {
      shardId: lease.leaseKey,
      owner: lease.leaseOwner,
      leaseCounter: lease.leaseCounter,
      checkpoint: lease.checkpoint,
      checkpointSeenAt: before && before.checkpoint === lease.checkpoint ? before.checkpointSeenAt : now,
      throughputKBps: typeof throughput === 'number' && Number.isFinite(throughput) ? throughput : undefined,
    });
    // The first scan is where the view starts, not a move; later, an owner that differs from
    // the last one recorded (by a scan or by a consumer's event) is one.
    const lastOwner = this.moves.findLast((m) => m.shardId === lease.leaseKey)?.to ?? before?.owner;
    if (!this.first && (before !== undefined || lease.leaseOwner !== undefined) && lastOwner !== lease.leaseOwner) {
      this.moves.push({ at: now, shardId: lease.leaseKey, from: lastOwner, to: lease.leaseOwner });
    }
  }

  private prune(now: number): void {
    const cutoff = now - this.historyMs;
    while (this.moves.length > 0 && this.moves[0].at < cutoff) this.moves.shift();
  }
}
