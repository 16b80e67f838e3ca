import { KinesisActorsError } from '../errors.ts';
import type { Logger } from '../internal/logger.ts';
import { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import { LeaseTelemetry } from './lease-telemetry.ts';
import type { Lease } from './lease.ts';
import type { LeaseStore } from './lease-store.ts';
import { LeaseTracker } from './lease-tracker.ts';
import { HandoffTracker } from './lease-handoff.ts';
import { planLeaseTaking, type LeaseToTake } from './lease-taker.ts';
import { LeaseRenewer } from './lease-renewer.ts';
import { leaseHandle, type LeaseHandle } from './lease-handle.ts';
import { PeriodicTask } from '../internal/periodic-task.ts';
import type { LeaseCoordinatorEvents, ReleaseSummary } from './lease-coordinator-events.ts';
import {
  resolveLeaseCoordinatorOptions,
  type LeaseCoordinatorOptions,
  type ResolvedLeaseCoordinatorOptions,
} from './lease-coordinator-options.ts';

/**
 * The lease loop of one worker: renews held leases every `renewIntervalMs`, scans and takes
 * (or steals) leases every `takerIntervalMs`, hands out a {@link LeaseCoordinator.leaseHandle}
 * per held lease that checkpoints through the held counter, and releases everything on graceful
 * shutdown so other workers take over at once instead of waiting for expiry. A lease in another worker's KCL 3.x graceful hand-off is not taken until
 * the hand-off ends or `gracefulLeaseHandoffTimeoutMillis` passes; of a hand-off away from this
 * worker (its id in `checkpointOwner`) it keeps checkpointing, and its release completes it.
 * Side effects come in through the {@link LeaseStore} and the clock.
 *
 * Lifecycle: `start()` → running → `stopTaking()` (drain: renewals and checkpoints go on) →
 * `releaseAll()` → `stop()`; `close()` does the last three in order. `stop()` alone abandons
 * the leases to expire, as a crash would. Not restartable: create a new coordinator.
 *
 * @example
 * const coordinator = new LeaseCoordinator(store, { workerIdentifier: 'worker-1' });
 * coordinator.on('lease.taken', ({ shardId, lease }) => startShardConsumer(shardId, lease));
 * coordinator.on('lease.lost', ({ shardId }) => stopShardConsumer(shardId));
 * await coordinator.start();
 * // ... on SIGTERM: stop fetching, final checkpoints, then
 * await coordinator.close();
 */
export class LeaseCoordinator {
  readonly options: ResolvedLeaseCoordinatorOptions;
  private readonly events = new InstrumentationEmitter<LeaseCoordinatorEvents>();
  private readonly tracker: LeaseTracker;
  private readonly handoffs: HandoffTracker;
  private readonly renewer: LeaseRenewer;
  private readonly log: Logger;
  private readonly renewTask: PeriodicTask;
  private readonly takeTask: PeriodicTask;
  private readonly telemetry: LeaseTelemetry;
  private taking = true;
  private starting: Promise<void> | undefined;
  private closing: Promise<ReleaseSummary> | undefined;

  constructor(
    private readonly store: LeaseStore,
    options: LeaseCoordinatorOptions,
  ) {
    this.options = resolveLeaseCoordinatorOptions(options);
    const { clock, failoverTimeMillis, workerIdentifier: workerId } = this.options;
    this.tracker = new LeaseTracker(clock, failoverTimeMillis);
    this.handoffs = new HandoffTracker(clock, this.options.gracefulLeaseHandoffTimeoutMillis, workerId);
    this.log = this.options.logger.child({ component: 'leaseCoordinator', workerId });
    this.renewer = new LeaseRenewer({ store, tracker: this.tracker, events: this.events, clock, log: this.log, workerId, failoverTimeMillis });
    const telemetry = (this.telemetry = new LeaseTelemetry(workerId, () => this.renewer.leases().length));
    this.events.on('lease.taken', () => telemetry.taken());
    this.events.on('lease.lost', () => telemetry.lost());
    this.renewTask = new PeriodicTask(clock, this.options.renewIntervalMs, async () => {
      const startedAt = clock.now();
      await this.renewer.renewAll();
      telemetry.renewRound(clock.now() - startedAt);
    });
    this.takeTask = new PeriodicTask(clock, this.options.takerIntervalMs, async () => {
      const startedAt = clock.now();
      await this.takeLeases();
      telemetry.takeRound(clock.now() - startedAt);
    });
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
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
      this.renewTask.start();
      if (this.taking) this.takeTask.start();
    })();
    return this.starting;
  }

  /** The leases this worker holds, as last written. */
  heldLeases(): Lease[] {
    return this.renewer.leases();
  }

  /** The lease of `shardId` if this worker holds it. */
  heldLease(shardId: string): Lease | undefined {
    return this.renewer.get(shardId);
  }

  /**
   * The handle on the lease of `shardId`, what a shard consumer works through: reads the lease,
   * says whether its parents are done, and writes checkpoints through the held counter.
   *
   * @example
   * coordinator.on('lease.acquired', ({ shardId }) => startShardConsumer(coordinator.leaseHandle(shardId)));
   * // in the shard consumer, after a batch:
   * await lease.checkpoint(lastSequenceNumber, lastSubSequenceNumber);
   */
  leaseHandle(shardId: string): LeaseHandle {
    return leaseHandle(shardId, this.renewer, this.store);
  }

  /** One renewal round over every held lease; the renew timer calls it. */
  renewLeases(): Promise<void> {
    return this.renewer.renewAll();
  }

  /**
   * One taker round: scan, plan, take. A take that lost a race (another worker was faster, or
   * the victim renewed first) leaves this worker below target, so a fresh scan follows at once
   * (up to three) instead of a whole interval later. Resolves with the scan's error, if any.
   */
  async takeLeases(): Promise<Error | undefined> {
    for (let scan = 0; scan < 3 && this.taking; scan++) {
      let scanned: Lease[];
      try {
        scanned = await this.store.listLeases();
      } catch (error) {
        this.log.warn({ err: error }, 'lease scan failed');
        return error as Error;
      }
      this.tracker.observe(scanned);
      this.handoffs.observe(scanned);
      this.renewer.dropTakenAway(scanned);
      const plan = planLeaseTaking({
        leases: scanned.map((lease) => this.renewer.get(lease.leaseKey) ?? lease),
        workerId: this.options.workerIdentifier,
        isExpired: (lease) => this.renewer.get(lease.leaseKey) === undefined && this.tracker.isExpired(lease),
        isBlocked: (lease) => this.renewer.get(lease.leaseKey) === undefined && this.handoffs.isBlocked(lease),
        maxLeasesForWorker: this.options.maxLeasesForWorker,
        maxLeasesToStealAtOneTime: this.options.maxLeasesToStealAtOneTime,
        random: this.options.random,
      });
      this.telemetry.scanned(scanned.length, plan.workers);
      if (plan.take.length === 0) return undefined;
      this.log.debug({ workers: plan.workers, target: plan.target, held: plan.held, taking: plan.take.length }, 'taking leases');
      const won = await Promise.all(plan.take.map((item) => this.takeOne(item)));
      if (!won.includes(false)) return undefined;
    }
    return undefined;
  }

  /** Stops taking new leases (first step of a graceful shutdown); renewals and checkpoints go on. */
  async stopTaking(): Promise<void> {
    this.taking = false;
    await Promise.all([this.takeTask.stop(), this.starting?.catch(() => undefined)]);
  }

  /**
   * Stops taking, then releases every held lease so other workers take them at their next
   * taker round. Call it after the final checkpoints.
   */
  async releaseAll(): Promise<ReleaseSummary> {
    await this.stopTaking();
    return this.renewer.releaseAll();
  }

  /** Stops both loops without releasing anything (leases then expire); waits for rounds in flight. */
  async stop(): Promise<void> {
    await this.stopTaking();
    await this.renewTask.stop();
    this.telemetry.close();
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

  /** False when the take lost a race; true when it won, or was not attempted, or failed otherwise. */
  private async takeOne({ lease, stolen }: LeaseToTake): Promise<boolean> {
    const shardId = lease.leaseKey;
    if (this.renewer.get(shardId) !== undefined || !this.taking) return true;
    const sentAt = this.options.clock.now();
    try {
      const result = await this.store.takeLease(lease, this.options.workerIdentifier);
      if (result.outcome === 'leaseLost') {
        this.log.debug({ shardId }, 'another worker took the lease first');
        return false;
      }
      this.renewer.add(result.lease, sentAt);
      this.log.info({ shardId, from: lease.leaseOwner, stolen }, 'lease taken');
      this.events.emit('lease.taken', { shardId, lease: result.lease, from: lease.leaseOwner, stolen });
      if (stolen && lease.leaseOwner !== undefined) this.events.emit('lease.stolen', { shardId, from: lease.leaseOwner });
    } catch (error) {
      this.log.warn({ err: error, shardId }, 'lease take failed');
    }
    return true;
  }
}
