import type { Clock } from '../internal/clock.ts';
import { sleep } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import { LeaseOwnerIndexMissingError } from './lease-errors.ts';
import type { Lease } from './lease.ts';
import type { LeaseStore } from './lease-store.ts';

/** What the direct hand-off needs from its coordinator. @internal */
export interface OwnerIndexHandoffDeps {
  store: LeaseStore;
  workerId: string;
  clock: Clock;
  takerIntervalMs: number;
  log: Logger;
}

/**
 * The lease table's side of the direct hand-off, through the owner index (KCL 3.x's
 * `LeaseOwnerToLeaseKeyIndex`): finding the leases handed to this worker, claiming one, and
 * after a drain leaving free what no successor claimed. Whether the table has the index is
 * learned from the first Query; a store without the three operations never has it. @internal
 */
export class OwnerIndexHandoff {
  /** Whether leases handed to this worker are found by a Query on the owner index; unknown until the first Query answers. */
  index: 'unknown' | 'yes' | 'no';

  constructor(private readonly deps: OwnerIndexHandoffDeps) {
    const { store } = deps;
    this.index = store.listLeaseKeysOwnedBy && store.claimLease && store.handOffLease ? 'unknown' : 'no';
  }

  /**
   * The keys of the leases whose `leaseOwner` is this worker, from a keys-only Query; undefined
   * on a table without the index (logged once, and no Query again). Other errors are thrown.
   */
  async assignedKeys(): Promise<string[] | undefined> {
    if (this.index === 'no') return undefined;
    try {
      const keys = await this.deps.store.listLeaseKeysOwnedBy!(this.deps.workerId);
      this.index = 'yes';
      return keys;
    } catch (error) {
      if (!(error instanceof LeaseOwnerIndexMissingError)) throw error;
      this.index = 'no';
      this.deps.log.warn({ err: error }, 'no lease owner index: released leases are left free and every taker round scans the lease table');
      return undefined;
    }
  }

  /**
   * Claims a lease handed to this worker, with a write conditional on its owner being still this
   * worker, which bumps the counter and reads the checkpoint. The lease as written and when the
   * write was sent; undefined when another worker took it since (the index lags), a KCL 3.x
   * hand-off still runs, or the write failed (logged).
   */
  async claim(shardId: string): Promise<{ lease: Lease; sentAt: number } | undefined> {
    const sentAt = this.deps.clock.now();
    try {
      const result = await this.deps.store.claimLease!(shardId, this.deps.workerId);
      return result.outcome === 'ok' ? { lease: result.lease, sentAt } : undefined;
    } catch (error) {
      this.deps.log.warn({ err: error, shardId }, 'lease claim failed');
      return undefined;
    }
  }

  /**
   * Leaves free each lease handed over that its successor has not claimed within two taker
   * rounds (a live successor claims at its next one). The successor may have stopped taking
   * since this worker's last scan: of workers draining at once, each may hand its leases to
   * another, and they would stay with it, unread, until they expired. The release is
   * conditional on the counter the hand-off wrote, which the claim moves, so a claim always wins.
   */
  async freeUnclaimed(handed: readonly Lease[]): Promise<void> {
    const { store, clock, takerIntervalMs, log } = this.deps;
    await sleep(clock, 2 * takerIntervalMs);
    await Promise.all(
      handed.map(async (lease) => {
        const shardId = lease.leaseKey;
        try {
          const result = await store.releaseLease(lease);
          if (result.outcome === 'ok') log.info({ shardId, successor: lease.leaseOwner }, 'lease handed over but not claimed; left free');
        } catch (error) {
          log.warn({ err: error, shardId, successor: lease.leaseOwner }, 'could not free a lease handed over but not claimed; it will expire');
        }
      }),
    );
  }
}
