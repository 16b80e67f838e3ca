import type { Clock } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import type { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import type { Checkpoint, Lease } from './lease.ts';
import type { LeaseStore } from './lease-store.ts';
import { LeaseLostError } from './lease-errors.ts';
import type { LeaseTracker } from './lease-tracker.ts';
import type { LeaseCoordinatorEvents, LeaseLostReason, ReleaseSummary } from './lease-coordinator-events.ts';

interface Held {
  lease: Lease;
  /** When the last successful write on this lease was sent: others' expiry clocks start later. */
  renewedAt: number;
  /** Writes on one lease run one after another, or they would fence each other out. */
  queue: Promise<unknown>;
  /** Bytes processed since `bytesSince`, recorded as `throughputKBps` at the next renewal. */
  bytes: number;
  bytesSince: number;
}

/** What the renewer needs from its coordinator. @internal */
export interface LeaseRenewerDeps {
  store: LeaseStore;
  tracker: LeaseTracker;
  events: InstrumentationEmitter<LeaseCoordinatorEvents>;
  clock: Clock;
  log: Logger;
  workerId: string;
  failoverTimeMillis: number;
}

/**
 * The leases one worker holds, and every write on them: renew, checkpoint, release, each fenced
 * by the counter of the worker's last write and queued per lease (the KCL's LeaseRenewer).
 * @internal
 */
export class LeaseRenewer {
  private readonly held = new Map<string, Held>();
  /** Set by the first {@link recordBytes}: a coordinator nobody feeds leaves throughputKBps alone. */
  private fed = false;

  constructor(private readonly deps: LeaseRenewerDeps) {}

  leases(): Lease[] {
    return [...this.held.values()].map((h) => h.lease);
  }

  get(shardId: string): Lease | undefined {
    return this.held.get(shardId)?.lease;
  }

  /** Starts holding a lease this worker just took with a write sent at `sentAt`. */
  add(lease: Lease, sentAt: number): void {
    this.held.set(lease.leaseKey, { lease, renewedAt: sentAt, queue: Promise.resolve(), bytes: 0, bytesSince: sentAt });
    this.deps.tracker.record(lease);
  }

  /** Counts bytes this worker processed from the shard; ignored when it does not hold the lease. */
  recordBytes(shardId: string, bytes: number): void {
    this.fed = true;
    const h = this.held.get(shardId);
    if (h && Number.isFinite(bytes) && bytes > 0) h.bytes += bytes;
  }

  async renewAll(): Promise<void> {
    await Promise.all([...this.held.values()].map((h) => this.serialize(h, () => this.renew(h)).catch(() => undefined)));
  }

  checkpoint(shardId: string, checkpoint: Checkpoint, subSequenceNumber: number, state?: string): Promise<Lease> {
    const h = this.held.get(shardId);
    if (!h) return Promise.reject(new LeaseLostError(shardId, 'this worker does not hold it'));
    return this.serialize(h, async () => {
      if (this.held.get(shardId) !== h) throw new LeaseLostError(shardId, 'lost while the checkpoint waited');
      const sentAt = this.deps.clock.now();
      const result = await this.deps.store.checkpoint(h.lease, checkpoint, subSequenceNumber, state);
      if (result.outcome === 'leaseLost') {
        this.drop(h, 'fenced');
        throw new LeaseLostError(shardId, `another worker took it (its counter moved past ${h.lease.leaseCounter}) or is handing it over (checkpointOwner)`);
      }
      this.wrote(h, result.lease, sentAt);
      return result.lease;
    });
  }

  /**
   * Releases every held lease; `successorOf` names, per lease, a worker to hand it to directly
   * (its `leaseOwner` is set to that worker) instead of leaving it free. The leases handed over
   * are added to `handed` as written, for the caller to check that they were claimed.
   */
  async releaseAll(successorOf?: (lease: Lease) => string | undefined, handed: Lease[] = []): Promise<ReleaseSummary> {
    const summary: ReleaseSummary = { released: [], lost: [], failed: [] };
    await Promise.all([...this.held.values()].map((h) => this.serialize(h, () => this.release(h, summary, successorOf, handed))));
    return summary;
  }

  /**
   * A scan showing another owner at a higher counter than this worker's own proves the lease
   * was taken: stop processing it now rather than at the next renewal. A higher counter is
   * needed because an eventually consistent scan may show the state before this worker took it.
   */
  dropTakenAway(scanned: readonly Lease[]): void {
    for (const lease of scanned) {
      const h = this.held.get(lease.leaseKey);
      if (h && lease.leaseOwner !== this.deps.workerId && lease.leaseCounter > h.lease.leaseCounter) this.drop(h, 'fenced');
    }
  }

  private async renew(h: Held): Promise<void> {
    const shardId = h.lease.leaseKey;
    if (this.held.get(shardId) !== h) return;
    const sentAt = this.deps.clock.now();
    const { bytes, bytesSince } = h;
    const throughputKBps = this.fed ? kbps(bytes, sentAt - bytesSince) : undefined;
    try {
      const result = await this.deps.store.renewLease(h.lease, throughputKBps);
      if (result.outcome === 'ok') {
        this.wrote(h, result.lease, sentAt);
        h.bytes -= bytes;
        h.bytesSince = sentAt;
      } else this.drop(h, 'fenced');
    } catch (error) {
      const millisSinceRenewal = this.deps.clock.now() - h.renewedAt;
      this.deps.log.warn({ err: error, shardId, millisSinceRenewal }, 'lease renewal failed');
      this.deps.events.emit('lease.renewFailed', { shardId, error, millisSinceRenewal });
      // Other workers start their expiry clocks no earlier than our last successful write was
      // sent, so past the failover time from then they may already have taken it.
      if (millisSinceRenewal >= this.deps.failoverTimeMillis) this.drop(h, 'expired');
    }
  }

  private async release(h: Held, summary: ReleaseSummary, successorOf: ((lease: Lease) => string | undefined) | undefined, handed: Lease[]): Promise<void> {
    const shardId = h.lease.leaseKey;
    if (this.held.get(shardId) !== h) return;
    const { store } = this.deps;
    // A KCL 3.x hand-off away from this worker is completed by the plain release.
    const to = h.lease.checkpointOwner === undefined && store.handOffLease ? successorOf?.(h.lease) : undefined;
    try {
      const result = to === undefined ? await store.releaseLease(h.lease) : await store.handOffLease!(h.lease, to);
      if (result.outcome === 'ok') {
        this.held.delete(shardId);
        summary.released.push(shardId);
        if (to !== undefined) {
          handed.push(result.lease);
          this.deps.log.debug({ shardId, to }, 'lease handed over');
        }
        this.deps.events.emit('lease.released', { shardId, to });
      } else {
        summary.lost.push(shardId);
        this.drop(h, 'fenced');
      }
    } catch (error) {
      summary.failed.push({ shardId, error });
      this.deps.log.warn({ err: error, shardId }, 'lease release failed; it will expire instead');
    }
  }

  private wrote(h: Held, lease: Lease, sentAt: number): void {
    h.lease = lease;
    h.renewedAt = sentAt;
    this.deps.tracker.record(lease);
  }

  private drop(h: Held, reason: LeaseLostReason): void {
    const shardId = h.lease.leaseKey;
    if (this.held.get(shardId) !== h) return;
    this.held.delete(shardId);
    this.deps.log.info({ shardId, reason }, 'lease lost');
    this.deps.events.emit('lease.lost', { shardId, reason });
  }

  private serialize<T>(h: Held, write: () => Promise<T>): Promise<T> {
    const next = h.queue.then(write);
    h.queue = next.catch(() => undefined);
    return next;
  }
}

/** KB/s over `millis`, rounded to 3 decimals (what KCL 3.x stores); 0 over no time. */
function kbps(bytes: number, millis: number): number {
  return millis <= 0 ? 0 : Math.round((bytes / 1024 / (millis / 1000)) * 1000) / 1000;
}
