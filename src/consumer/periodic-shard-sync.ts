import type { KinesisApi } from '../kinesis/kinesis-api.ts';
import type { Clock } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import type { LeaseStore } from '../leases/lease-store.ts';
import { PeriodicTask } from '../internal/periodic-task.ts';
import type { ResolvedConsumerOptions } from './options.ts';
import { syncShards } from './shard-sync.ts';

/**
 * When a worker syncs the stream's shards to leases (the KCL's periodic shard sync manager):
 * once while it initializes, where a failure is thrown for the initialization to retry; then
 * every `shardSyncIntervalMillis` when it is its turn among the fleet's workers, and at once
 * when one of its shards ended, where a failure is logged and the next round tries again.
 * @internal
 */
export class PeriodicShardSync {
  private readonly task: PeriodicTask;

  constructor(
    private readonly kinesis: KinesisApi,
    private readonly store: LeaseStore,
    private readonly options: ResolvedConsumerOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Told of every round: its time, and whether it succeeded. */
    private readonly onRound?: (ms: number, succeeded: boolean) => void,
    /**
     * Whether the timed round of `period` is this worker's: one worker of the fleet syncs per
     * interval (each one reads the whole lease table), as the KCL's leader does. @defaultValue every round is
     */
    private readonly isTurn: (period: number) => boolean = () => true,
  ) {
    this.task = new PeriodicTask(this.clock, options.shardSyncIntervalMillis, async () => {
      if (this.isTurn(Math.floor(this.clock.now() / options.shardSyncIntervalMillis))) await this.syncShards();
    });
  }

  start(): void {
    this.task.start();
  }

  /** Cancels the next round and waits for one in progress. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  async syncShardsOrThrow(): Promise<void> {
    await syncShards({ kinesis: this.kinesis, stream: this.options.stream, store: this.store, initialPosition: this.options.initialPositionInStreamExtended, logger: this.logger });
  }

  async syncShards(): Promise<void> {
    const startedAt = this.clock.now();
    let succeeded = false;
    try {
      await this.syncShardsOrThrow();
      succeeded = true;
    } catch (error) {
      this.logger.warn({ err: error }, 'shardSync.failed');
    }
    this.onRound?.(this.clock.now() - startedAt, succeeded);
  }
}
