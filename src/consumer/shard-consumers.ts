import { createActor, type AnyActorRef } from 'xstate';
import type { Clock } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import { Supervisor } from '../supervision/supervisor.ts';
import type { ConsumerInstrumentation } from './consumer-instrumentation.ts';
import type { LeaseCoordinator } from '../leases/lease-coordinator.ts';
import type { PeriodicShardSync } from './periodic-shard-sync.ts';
import type { ShardConsumerFactory } from './shard-consumer-factory.ts';

const PREFIX = 'shardConsumer:';

/**
 * The running shard consumers of one worker, one per held lease, each under the supervisor:
 * started when its lease is acquired (with the handle on that lease, once), told when the lease
 * is lost, drained on close. A shard that ended asks for a shard sync at once, so that its
 * children get their leases.
 * @internal
 */
export class ShardConsumers {
  private readonly supervisor: Supervisor<AnyActorRef>;
  /** Shards with a shard consumer, and the function that marks it finished. */
  private readonly running = new Map<string, { done: Promise<void>; finish: () => void }>();
  private starting = true;

  constructor(
    private readonly deps: {
      factory: ShardConsumerFactory;
      leases: Pick<LeaseCoordinator, 'heldLease' | 'leaseHandle'>;
      shardSync: Pick<PeriodicShardSync, 'syncShards'>;
      instrumentation: ConsumerInstrumentation;
      clock: Clock;
      logger: Logger;
      failoverTimeMillis: number;
    },
  ) {
    this.supervisor = new Supervisor<AnyActorRef>({
      clock: deps.clock,
      logger: deps.logger,
      // A shard must never stall silently (a KCL complaint): after too many restarts in a row
      // the shard consumer is started afresh once a failover time has passed, loudly.
      onEscalate: (id, error) => {
        const shardId = id.slice(PREFIX.length);
        deps.logger.error({ err: error, shardId }, 'consumer.shardConsumerFailing');
        this.finish(shardId);
        deps.clock.setTimeout(() => {
          if (deps.leases.heldLease(shardId)) this.start(shardId);
        }, deps.failoverTimeMillis);
      },
      onRestart: (id, error, attempt) => deps.instrumentation.restart(id, error, attempt),
    });
  }

  /** Shards with a shard consumer running or finishing. */
  shardIds(): string[] {
    return [...this.running.keys()];
  }

  /** Starts the shard consumer of a lease this worker now holds, unless one runs or the worker is closing. */
  start(shardId: string): void {
    const id = PREFIX + shardId;
    if (this.supervisor.has(id) || !this.starting) return;
    const { factory, clock, instrumentation } = this.deps;
    const lease = this.deps.leases.leaseHandle(shardId);
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.running.set(shardId, { done, finish });
    this.supervisor.spawn({
      id,
      create: () => {
        const actor = createActor(factory.create(lease), {
          clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h) },
        });
        actor.subscribe({
          complete: () => {
            const reason = actor.getSnapshot().output?.reason ?? 'requested';
            this.supervisor.stop(id);
            this.finish(shardId);
            instrumentation.shardStopped(shardId, reason);
            if (reason === 'shardEnded') void this.deps.shardSync.syncShards();
          },
          error: () => {},
        });
        return actor as AnyActorRef;
      },
    });
    instrumentation.shardStarted(shardId);
  }

  /** The lease of `shardId` is gone: its shard consumer finishes the batch in flight, without checkpointing. */
  leaseLost(shardId: string): void {
    const id = PREFIX + shardId;
    const actor = this.supervisor.get(id);
    if (actor?.getSnapshot().status === 'active') actor.send({ type: 'shardConsumer.leaseLost' });
    else {
      this.supervisor.stop(id);
      this.finish(shardId);
    }
  }

  /** No shard consumer starts from now on: the worker is closing. */
  stopStarting(): void {
    this.starting = false;
  }

  /** Asks every shard consumer to shut down (batches in flight finish, final checkpoints) and waits for them. */
  async drain(): Promise<void> {
    for (const shardId of this.running.keys()) this.supervisor.get(PREFIX + shardId)?.send({ type: 'shardConsumer.shutdown' });
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Stops every actor at once; idempotent. */
  stopAll(): void {
    this.supervisor.stopAll();
  }

  private finish(shardId: string): void {
    this.running.get(shardId)?.finish();
    this.running.delete(shardId);
  }
}
