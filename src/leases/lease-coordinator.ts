import { KinesisActorsError } from '../errors.ts';
import type { Logger } from '../internal/logger.ts';
import { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import { LeaseTelemetry } from './lease-telemetry.ts';
import type { Lease } from './lease.ts';
import type { LeaseStore } from './lease-store.ts';
import { LeaseTracker } from './lease-tracker.ts';
import { HandoffTracker } from './lease-handoff.ts';
import { planLeaseTaking, type LeaseToTake } from './lease-taker.ts';
import { assignScanSegments, ranksFirst, type ScanAssignment } from './lease-scan-segments.ts';
import { LeasePicture } from './lease-picture.ts';
import { LingeringSegments, type ScanSegment } from './lingering-segments.ts';
import { LeaseRenewer } from './lease-renewer.ts';
import { OwnerIndexHandoff } from './owner-index-handoff.ts';
import { chooseSuccessors } from './lease-successors.ts';
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
  private readonly picture = new LeasePicture();
  private readonly lingering: LingeringSegments;
  /** Bumped whenever the picture or the observations change; {@link fleetView} is cached on it. */
  private pictureVersion = 0;
  private view: { version: number; dead: Set<string>; live: string[] } | undefined;
  private round = 0;
  /** Taker intervals since start; scans run on every `scanEvery`-th, at this worker's `scanPhase`. */
  private tick = 0;
  private readonly scanEvery: number;
  private readonly scanPhase: number;
  private readonly handoff: OwnerIndexHandoff;
  /** Taker rounds left to skip after a throttled scan, and how many scans in a row were throttled. */
  private skipRounds = 0;
  private throttledInARow = 0;
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
    this.handoff = new OwnerIndexHandoff({ store, workerId, clock, takerIntervalMs: this.options.takerIntervalMs, log: this.log });
    this.scanEvery = Math.max(1, Math.floor(this.options.leaseScanIntervalMs / this.options.takerIntervalMs));
    // Spread over the interval, so the fleet's scans do not all fall in the same second.
    this.scanPhase = phaseOf(workerId, this.scanEvery);
    this.lingering = new LingeringSegments(clock, failoverTimeMillis + 2 * this.options.leaseScanIntervalMs);
    this.takeTask = new PeriodicTask(clock, this.options.takerIntervalMs, async () => {
      const tick = this.tick++;
      if (this.skipRounds > 0) {
        this.skipRounds--;
        return;
      }
      const startedAt = clock.now();
      await this.claimAssignedLeases();
      if (this.handoff.index !== 'yes' || (tick + this.scanPhase) % this.scanEvery === 0) await this.takeLeases();
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
      await this.claimAssignedLeases();
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

  /**
   * Whether this worker is the fleet's one to run a periodic task (the consumer's shard sync,
   * which reads the whole lease table) for `period`: it ranks first among the live workers it
   * knows by rendezvous hashing on the task and period. Pictures that differ for a while make
   * two workers run it, or none for one period; no worker is chosen for long, so none is special.
   */
  isFleetTurn(task: string, period: number): boolean {
    return ranksFirst(this.liveWorkers(), this.options.workerIdentifier, `${task}:${period}`);
  }

  /** One renewal round over every held lease; the renew timer calls it. */
  renewLeases(): Promise<void> {
    return this.renewer.renewAll();
  }

  /**
   * One taker round: scan this worker's share of the table (see {@link assignScanSegments}),
   * plan, take. A take that lost a race (another worker was faster, or the victim renewed
   * first) leaves this worker below target, so a fresh scan follows at once (up to three)
   * instead of a whole interval later. Resolves with the scan's error, if any; a throttled scan
   * makes the next rounds skip (1, 2, 4… up to a failover time's worth), renewals go on.
   */
  async takeLeases(): Promise<Error | undefined> {
    for (let scan = 0; scan < 3 && this.taking; scan++) {
      const round = this.round++;
      const assignment = assignScanSegments({
        workers: this.liveWorkers(),
        workerId: this.options.workerIdentifier,
        scannersPerSegment: this.options.scannersPerSegment,
        round,
      });
      let scanned: Lease[];
      try {
        scanned = await this.scan(assignment, this.lingering.extra(assignment));
        this.throttledInARow = 0;
      } catch (error) {
        this.backOff(error);
        this.log.warn({ err: error, skipRounds: this.skipRounds }, 'lease scan failed');
        return error as Error;
      }
      const fresh = this.observe(scanned, assignment, round);
      const plan = this.plan(fresh, round, assignment.totalSegments > 1 ? 1 : 0);
      this.telemetry.scanned(this.picture.size, plan.workers);
      if (plan.take.length === 0) return undefined;
      this.log.debug({ workers: plan.workers, target: plan.target, held: plan.held, taking: plan.take.length, segments: assignment.totalSegments }, 'taking leases');
      const won = await Promise.all(plan.take.map((item) => this.takeOne(item, round)));
      if (!won.includes(false)) return undefined;
    }
    return undefined;
  }

  /**
   * Finds the leases other workers handed to this one (`leaseOwner` set to its id, see
   * {@link releaseAll}) with a keys-only Query on the owner index, and claims each with a write
   * conditional on that owner, which also reads its checkpoint. The periodic taker calls it
   * every round. On a table without the index it logs once and does nothing from then on:
   * every taker round scans instead, and released leases are left free.
   */
  async claimAssignedLeases(): Promise<void> {
    if (!this.taking || this.handoff.index === 'no') return;
    let keys: string[] | undefined;
    try {
      keys = await this.handoff.assignedKeys();
    } catch (error) {
      this.backOff(error);
      this.log.warn({ err: error, skipRounds: this.skipRounds }, 'lease owner query failed');
      return;
    }
    if (keys === undefined) return;
    const round = this.round;
    // Past maxLeasesForWorker a handed lease is left unclaimed: its counter stands still, and another worker takes it as expired.
    const room = this.options.maxLeasesForWorker - this.renewer.leases().length;
    const claims = keys.filter((key) => this.renewer.get(key) === undefined).slice(0, Math.max(0, room));
    await Promise.all(
      claims.map(async (shardId) => {
        const claimed = await this.handoff.claim(shardId);
        if (!claimed || this.renewer.get(shardId) !== undefined) return;
        this.renewer.add(claimed.lease, claimed.sentAt);
        this.picture.update([claimed.lease], round, false);
        this.pictureVersion++;
        this.log.info({ shardId }, 'lease handed over to this worker');
        this.events.emit('lease.taken', { shardId, lease: claimed.lease, from: undefined, stolen: false });
      }),
    );
  }

  /** Reads the assignment's segments and `lingering` ones (see {@link LingeringSegments}); a lease read twice counts once, at its highest counter. */
  private async scan({ totalSegments, watched, rotation }: ScanAssignment, lingering: readonly ScanSegment[]): Promise<Lease[]> {
    if (totalSegments === 1) return this.store.listLeases();
    const segments: ScanSegment[] = (rotation === undefined ? watched : [...watched, rotation]).map((segment) => ({ totalSegments, segment }));
    const read = (await Promise.all([...segments, ...lingering].map((s) => this.store.listLeaseSegment(s.segment, s.totalSegments)))).flat();
    if (lingering.length === 0) return read;
    const latest = new Map<string, Lease>();
    for (const lease of read) {
      const seen = latest.get(lease.leaseKey);
      if (!seen || lease.leaseCounter > seen.leaseCounter) latest.set(lease.leaseKey, lease);
    }
    return [...latest.values()];
  }

  /** Folds a scan into the picture and the trackers; returns the keys read fresh this round. */
  private observe(scanned: Lease[], { totalSegments }: ScanAssignment, round: number): Set<string> {
    const complete = totalSegments === 1;
    this.pictureVersion++;
    // Every segment comes round once per totalSegments rounds; twice that and more, a lease is gone.
    const gone = [...this.picture.update(scanned, round, complete), ...(complete ? [] : this.picture.prune(round, 2 * totalSegments + 2))];
    for (const lease of scanned) this.tracker.record(lease);
    for (const key of gone) this.tracker.forget(key);
    this.handoffs.observe(scanned, !complete);
    this.renewer.dropTakenAway(scanned);
    return new Set(scanned.map((lease) => lease.leaseKey));
  }

  /**
   * Owners this worker judges dead: some lease of theirs stood still for the failover time in
   * its view. Their other leases, not read this round, then count as expired (no worker to
   * share with), though only leases read this round are taken.
   */
  private deadOwners(): Set<string> {
    return this.fleetView().dead;
  }

  /** Workers with live leases in this worker's picture, itself included. */
  private liveWorkers(): string[] {
    return this.fleetView().live;
  }

  /**
   * Dead owners and live workers, from one pass over the picture: judged on observations only,
   * so they hold until the picture changes, and a picture of 10,000 leases is not walked again
   * for each use in a round.
   */
  private fleetView(): { dead: Set<string>; live: string[] } {
    if (this.view?.version !== this.pictureVersion) {
      this.view = { version: this.pictureVersion, ...this.picture.owners(this.options.workerIdentifier, (lease) => this.tracker.expiredWhenLastSeen(lease)) };
    }
    return this.view;
  }

  /** `aboveTarget`: with segments, only this round's few readers see a free lease, so one of them takes it now. */
  private plan(fresh: ReadonlySet<string>, round: number, aboveTarget: number) {
    const dead = this.deadOwners();
    const mine = (lease: Lease) => this.renewer.get(lease.leaseKey) !== undefined;
    return planLeaseTaking({
      leases: this.picture.leases((lease) => this.renewer.get(lease.leaseKey) ?? lease),
      workerId: this.options.workerIdentifier,
      isExpired: (lease) =>
        !mine(lease) && (this.tracker.expiredWhenLastSeen(lease) || (lease.leaseOwner !== undefined && dead.has(lease.leaseOwner) && !fresh.has(lease.leaseKey))),
      // Only what this round read is taken: an older picture of a lease would only fail its condition.
      isBlocked: (lease) => !mine(lease) && (!fresh.has(lease.leaseKey) || this.handoffs.isBlocked(lease)),
      recentlyMoved: (lease) => this.picture.movedWithin(lease.leaseKey, round, this.options.leaseMoveCooldownRounds),
      maxLeasesForWorker: this.options.maxLeasesForWorker,
      maxLeasesToStealAtOneTime: this.options.maxLeasesToStealAtOneTime,
      maxAvailableAboveTarget: aboveTarget,
      // A segment's watchers are the only workers that judge its leases' expiry within the failover bound.
      maxExpiredAboveTarget: aboveTarget > 0 ? Infinity : aboveTarget,
      throughputImbalanceThreshold: this.options.throughputImbalanceThreshold,
      random: this.options.random,
    });
  }

  private backOff(error: unknown): void {
    if (!(error instanceof KinesisActorsError && error.code === 'THROTTLED')) return;
    const most = Math.max(1, Math.floor(this.options.failoverTimeMillis / this.options.takerIntervalMs));
    this.skipRounds = Math.min(2 ** this.throttledInARow, most);
    this.throttledInARow++;
  }

  /** Stops taking new leases (first step of a graceful shutdown); renewals and checkpoints go on. */
  async stopTaking(): Promise<void> {
    this.taking = false;
    await Promise.all([this.takeTask.stop(), this.starting?.catch(() => undefined)]);
  }

  /**
   * Stops taking, then releases every held lease so other workers take them at their next
   * taker round: with the owner index, each is handed to a live worker, and what is not
   * claimed within two taker rounds is left free before this resolves. Call it after the final
   * checkpoints.
   */
  async releaseAll(): Promise<ReleaseSummary> {
    await this.stopTaking();
    if (this.handoff.index !== 'yes') return this.renewer.releaseAll();
    const dead = this.deadOwners();
    const successorOf = chooseSuccessors(
      this.picture.leases().filter((lease) => lease.leaseOwner === undefined || !dead.has(lease.leaseOwner)),
      this.options.workerIdentifier,
    );
    const handed: Lease[] = [];
    const summary = await this.renewer.releaseAll(successorOf, handed);
    if (handed.length > 0) await this.handoff.freeUnclaimed(handed);
    return summary;
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
  private async takeOne({ lease, stolen, reason }: LeaseToTake, round: number): Promise<boolean> {
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
      this.picture.update([result.lease], round, false);
      this.pictureVersion++;
      this.log.info({ shardId, from: lease.leaseOwner, stolen, reason }, 'lease taken');
      this.events.emit('lease.taken', { shardId, lease: result.lease, from: lease.leaseOwner, stolen });
      if (stolen && lease.leaseOwner !== undefined) this.events.emit('lease.stolen', { shardId, from: lease.leaseOwner });
    } catch (error) {
      this.log.warn({ err: error, shardId }, 'lease take failed');
    }
    return true;
  }
}

/** This worker's scan round among `every`: FNV-1a of its id. */
function phaseOf(workerId: string, every: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < workerId.length; i++) h = Math.imul(h ^ workerId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % every;
}
