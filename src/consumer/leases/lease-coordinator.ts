import { KinesisActorsError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { InstrumentationEmitter } from '../../instrumentation/emitter.ts';
import type { Checkpoint, Lease } from './lease.ts';
import type { LeaseStore } from './lease-store.ts';
import { LeaseLostError } from './lease-errors.ts';
import { LeaseTracker } from './lease-tracker.ts';
import { planLeaseTaking, type LeaseToTake } from './lease-taker.ts';
import { PeriodicTask } from './periodic-task.ts';
import type { LeaseCoordinatorEvents, LeaseLostReason, ReleaseSummary } from './lease-coordinator-events.ts';
import {
  resolveLeaseCoordinatorOptions,
  type LeaseCoordinatorOptions,
  type ResolvedLeaseCoordinatorOptions,
} from './lease-coordinator-options.ts';

export type { LeaseCoordinatorEvents, LeaseLostReason, ReleaseSummary };

interface Held {
  lease: Lease;
  /** When the last successful write on this lease was sent: others' expiry clocks start later. */
  renewedAt: number;
  /** Writes on one lease run one after another, or they would fence each other out. */
  queue: Promise<unknown>;
}

/**
 * The lease loop of one worker: renews held leases every `renewIntervalMillis`, scans and takes
 * (or steals) leases every `takerIntervalMillis`, checkpoints through the held counter, and
 * releases everything on graceful shutdown so other workers take over at once instead of
 * waiting for expiry. Side effects come in through the {@link LeaseStore} and the clock.
 *
 * @example
 * const coordinator = new LeaseCoordinator(store, { workerId: 'worker-1' });
 * coordinator.on('lease.acquired', ({ shardId, lease }) => startShardConsumer(shardId, lease));
 * coordinator.on('lease.lost', ({ shardId }) => stopShardConsumer(shardId));
 * await coordinator.start();
 * // ... on SIGTERM: stop fetching, final checkpoints, then
 * await coordinator.close();
 */
export class LeaseCoordinator {
  readonly options: ResolvedLeaseCoordinatorOptions;
  private readonly events = new InstrumentationEmitter<LeaseCoordinatorEvents>();
  private readonly held = new Map<string, Held>();
  private readonly tracker: LeaseTracker;
  private readonly log: Logger;
  private readonly renewer: PeriodicTask;
  private readonly taker: PeriodicTask;
  private taking = true;
  private starting: Promise<void> | undefined;
  private closing: Promise<ReleaseSummary> | undefined;

  constructor(
    private readonly store: LeaseStore,
    options: LeaseCoordinatorOptions,
  ) {
    this.options = resolveLeaseCoordinatorOptions(options);
    const { clock, failoverTimeMillis, workerId } = this.options;
    this.tracker = new LeaseTracker(clock, failoverTimeMillis);
    this.log = this.options.logger.child({ component: 'leaseCoordinator', workerId });
    this.renewer = new PeriodicTask(clock, this.options.renewIntervalMillis, () => this.renewLeases());
    this.taker = new PeriodicTask(clock, this.options.takerIntervalMillis, async () => {
      await this.takeLeases();
    });
  }

  on<K extends keyof LeaseCoordinatorEvents>(event: K, listener: (payload: LeaseCoordinatorEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Runs a first taker round, then starts both loops; idempotent. Rejects when that first
   * scan fails with a non-retriable error (a missing table, no permission).
   */
  start(): Promise<void> {
    this.starting ??= (async () => {
      const error = await this.takeLeases();
      if (error && !(error instanceof KinesisActorsError && error.retriable)) throw error;
      this.renewer.start();
      this.taker.start();
    })();
    return this.starting;
  }

  /** The leases this worker holds, as last written. */
  heldLeases(): Lease[] {
    return [...this.held.values()].map((h) => h.lease);
  }

  /** The lease of `shardId` if this worker holds it. */
  heldLease(shardId: string): Lease | undefined {
    return this.held.get(shardId)?.lease;
  }

  /**
   * Writes a checkpoint through the held lease counter. Rejects with a {@link LeaseLostError}
   * (and emits `lease.lost`) when the lease is not held or another worker has taken it; other
   * failures reject with the translated, possibly retriable, store error.
   */
  checkpoint(shardId: string, checkpoint: Checkpoint, subSequenceNumber = 0): Promise<Lease> {
    const h = this.held.get(shardId);
    if (!h) return Promise.reject(new LeaseLostError(shardId, 'this worker does not hold it'));
    return this.serialize(h, async () => {
      if (this.held.get(shardId) !== h) throw new LeaseLostError(shardId, 'lost while the checkpoint waited');
      const sentAt = this.options.clock.now();
      const result = await this.store.checkpoint(h.lease, checkpoint, subSequenceNumber);
      if (result.outcome === 'leaseLost') {
        this.drop(h, 'fenced');
        throw new LeaseLostError(shardId, `its counter moved past ${h.lease.leaseCounter}: another worker took it`);
      }
      this.wrote(h, result.lease, sentAt);
      return result.lease;
    });
  }

  /** One renewal round over every held lease; the renew timer calls it. */
  async renewLeases(): Promise<void> {
    await Promise.all([...this.held.values()].map((h) => this.serialize(h, () => this.renewOne(h)).catch(() => undefined)));
  }

  /** One taker round: scan, plan, take. Resolves with the scan's error, if any; the taker timer calls it. */
  async takeLeases(): Promise<Error | undefined> {
    if (!this.taking) return undefined;
    let scanned: Lease[];
    try {
      scanned = await this.store.listLeases();
    } catch (error) {
      this.log.warn({ err: error }, 'lease scan failed');
      return error as Error;
    }
    this.tracker.observe(scanned);
    const plan = planLeaseTaking({
      leases: scanned.map((lease) => this.held.get(lease.leaseKey)?.lease ?? lease),
      workerId: this.options.workerId,
      isExpired: (lease) => !this.held.has(lease.leaseKey) && this.tracker.isExpired(lease),
      maxLeasesForWorker: this.options.maxLeasesForWorker,
      maxLeasesToStealAtOneTime: this.options.maxLeasesToStealAtOneTime,
      random: this.options.random,
    });
    if (plan.take.length > 0) {
      this.log.debug({ workers: plan.workers, target: plan.target, held: plan.held, taking: plan.take.length }, 'taking leases');
    }
    await Promise.all(plan.take.map((item) => this.takeOne(item)));
    return undefined;
  }

  /** Stops taking new leases (first step of a graceful shutdown); renewals and checkpoints go on. */
  async stopTaking(): Promise<void> {
    this.taking = false;
    await this.taker.stop();
  }

  /**
   * Stops taking, then releases every held lease so other workers take them at their next
   * taker round. Call it after the final checkpoints.
   */
  async releaseAll(): Promise<ReleaseSummary> {
    await this.stopTaking();
    const summary: ReleaseSummary = { released: [], lost: [], failed: [] };
    await Promise.all(
      [...this.held.values()].map((h) =>
        this.serialize(h, async () => {
          const shardId = h.lease.leaseKey;
          if (this.held.get(shardId) !== h) return;
          try {
            const result = await this.store.releaseLease(h.lease);
            if (result.outcome === 'ok') {
              this.held.delete(shardId);
              summary.released.push(shardId);
              this.events.emit('lease.released', { shardId });
            } else {
              summary.lost.push(shardId);
              this.drop(h, 'fenced');
            }
          } catch (error) {
            summary.failed.push({ shardId, error });
            this.log.warn({ err: error, shardId }, 'lease release failed; it will expire instead');
          }
        }),
      ),
    );
    return summary;
  }

  /** Stops both loops without releasing anything (leases then expire); waits for rounds in flight. */
  async stop(): Promise<void> {
    this.taking = false;
    await Promise.all([this.taker.stop(), this.renewer.stop()]);
  }

  /** Graceful shutdown: {@link releaseAll}, then {@link stop}. Idempotent: returns the same promise. */
  close(): Promise<ReleaseSummary> {
    this.closing ??= (async () => {
      const summary = await this.releaseAll();
      await this.stop();
      return summary;
    })();
    return this.closing;
  }

  private async takeOne({ lease, stolen }: LeaseToTake): Promise<void> {
    const shardId = lease.leaseKey;
    if (this.held.has(shardId) || !this.taking) return;
    const sentAt = this.options.clock.now();
    try {
      const result = await this.store.takeLease(lease, this.options.workerId);
      if (result.outcome === 'leaseLost') {
        this.log.debug({ shardId }, 'another worker took the lease first');
        return;
      }
      const h: Held = { lease: result.lease, renewedAt: sentAt, queue: Promise.resolve() };
      this.held.set(shardId, h);
      this.tracker.record(result.lease);
      this.log.info({ shardId, from: lease.leaseOwner, stolen }, 'lease acquired');
      this.events.emit('lease.acquired', { shardId, lease: result.lease, previousOwner: lease.leaseOwner, stolen });
      if (stolen && lease.leaseOwner !== undefined) this.events.emit('lease.stolen', { shardId, from: lease.leaseOwner });
    } catch (error) {
      this.log.warn({ err: error, shardId }, 'lease take failed');
    }
  }

  private async renewOne(h: Held): Promise<void> {
    const shardId = h.lease.leaseKey;
    if (this.held.get(shardId) !== h) return;
    const sentAt = this.options.clock.now();
    try {
      const result = await this.store.renewLease(h.lease);
      if (result.outcome === 'ok') this.wrote(h, result.lease, sentAt);
      else this.drop(h, 'fenced');
    } catch (error) {
      const millisSinceRenewal = this.options.clock.now() - h.renewedAt;
      this.log.warn({ err: error, shardId, millisSinceRenewal }, 'lease renewal failed');
      this.events.emit('lease.renewFailed', { shardId, error, millisSinceRenewal });
      // Other workers start their expiry clocks no earlier than our last successful write was
      // sent, so past the failover time from then they may already have taken it.
      if (millisSinceRenewal >= this.options.failoverTimeMillis) this.drop(h, 'expired');
    }
  }

  private wrote(h: Held, lease: Lease, sentAt: number): void {
    h.lease = lease;
    h.renewedAt = sentAt;
    this.tracker.record(lease);
  }

  private drop(h: Held, reason: LeaseLostReason): void {
    const shardId = h.lease.leaseKey;
    if (this.held.get(shardId) !== h) return;
    this.held.delete(shardId);
    this.log.info({ shardId, reason }, 'lease lost');
    this.events.emit('lease.lost', { shardId, reason });
  }

  private serialize<T>(h: Held, write: () => Promise<T>): Promise<T> {
    const next = h.queue.then(write);
    h.queue = next.catch(() => undefined);
    return next;
  }
}
