import type { Clock } from '../internal/clock.ts';
import type { Logger } from '../internal/logger.ts';
import type { Hold, Stage, StageBatchContext, StageContext, StageHandler } from './stage.ts';
import type { ChainEntry } from './chain-entry.ts';
import { errorCode, type DeliveryMetrics, type StageCounts } from './pipeline-telemetry.ts';

/** A batch waiting for one stage. @internal */
export interface StageJob<Meta> {
  entry: ChainEntry<Meta>;
  items: readonly unknown[];
}

/** What a worker needs from its chain. @internal */
export interface StageWorkerHost<Meta> {
  readonly shardId: string | undefined;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** One batch took `ms` in `stage`. */
  stageTime(stage: string, ms: number): void;
  /** Where the sink `stage` reports its deliveries. */
  deliveries(stage: string): DeliveryMetrics;
  holdTaken(entry: ChainEntry<Meta>): void;
  holdReleased(entry: ChainEntry<Meta>): void;
  holdFailed(stage: string, error: unknown): void;
  /** The instance that held earlier batches is gone: they must be read again. */
  heldBatchesLost(stage: string, count: number, error: unknown): void;
}

interface HoldRecord<Meta> {
  entry: ChainEntry<Meta>;
  open: boolean;
}

/**
 * The queue and the current instance of one stage. Its actor (`stage.machine.ts`) runs the job
 * at the head; after a failure the instance is dropped, and the next attempt creates a new one
 * restored from the state of the last batch it finished. @internal
 */
export class StageWorker<Meta> {
  readonly queue: StageJob<Meta>[] = [];
  readonly counts: StageCounts = { in: 0, out: 0, dropped: 0, failed: new Map() };
  private handler: StageHandler<unknown, unknown, unknown> | undefined;
  private lastState: unknown;
  /** Holds of finished batches, still open, taken by the current instance. */
  private held = new Set<HoldRecord<Meta>>();
  private attempt: HoldRecord<Meta>[] = [];
  private tookHold = false;
  private readonly context: StageContext;

  constructor(
    readonly stage: Stage<unknown, unknown, unknown>,
    private readonly host: StageWorkerHost<Meta>,
    logger: Logger,
    initialState: unknown,
  ) {
    this.lastState = initialState;
    this.context = Object.freeze({
      stage: stage.name,
      shardId: host.shardId,
      logger: logger.child({ stage: stage.name }),
      clock: host.clock,
      signal: host.signal,
      deliveries: host.deliveries(stage.name),
    });
  }

  /** Creates the instance now (options errors surface at open, and ticks are known). */
  instance(): StageHandler<unknown, unknown, unknown> {
    if (!this.handler) {
      const handler = this.stage.create(this.context);
      if (this.lastState !== undefined) handler.restore?.(structuredClone(this.lastState));
      this.handler = handler;
    }
    return this.handler;
  }

  get hasTick(): boolean {
    return typeof this.instance().tick === 'function';
  }

  /** Runs the head job, counting its records and timing it once per batch. */
  async runHead(): Promise<unknown[]> {
    const job = this.queue[0];
    const started = this.host.clock.now();
    try {
      const output = await this.runJob(job);
      const held = this.tookHold;
      this.counts.in += job.items.length;
      this.counts.out += output.length;
      if (!held && output.length < job.items.length) this.counts.dropped += job.items.length - output.length;
      return output;
    } catch (error) {
      if (job.items.length > 0) {
        const code = errorCode(error);
        this.counts.failed.set(code, (this.counts.failed.get(code) ?? 0) + job.items.length);
      }
      throw error;
    } finally {
      this.host.stageTime(this.stage.name, this.host.clock.now() - started);
    }
  }

  /** Process its items, then tick or flush, then snapshot. */
  private async runJob(job: StageJob<Meta>): Promise<unknown[]> {
    const handler = this.instance();
    const ctx: StageBatchContext = { ...this.context, flushReason: job.entry.flushReason, hold: () => this.hold(job.entry) };
    this.attempt = [];
    const output: unknown[] = [];
    if (job.items.length > 0) output.push(...(await handler.process(job.items, ctx)));
    if (job.entry.kind === 'tick' && handler.tick) output.push(...(await handler.tick(this.host.clock.now(), ctx)));
    if (job.entry.kind === 'flush' && handler.flush) output.push(...(await handler.flush(ctx)));
    const state = handler.snapshot?.();
    if (state !== undefined) this.lastState = JSON.parse(JSON.stringify(state)) as unknown;
    if (this.lastState !== undefined) job.entry.states[this.stage.name] = this.lastState;
    for (const record of this.attempt) if (record.open) this.held.add(record);
    // A stage that held the batch (a sink) keeps its records: they are not dropped.
    this.tookHold = this.attempt.length > 0;
    this.attempt = [];
    return output;
  }

  /** The head job is done with; returns it. */
  shiftHead(): StageJob<Meta> {
    return this.queue.shift()!;
  }

  /** The instance failed: void the failed attempt's holds, drop the instance, report lost holds. */
  failed(error: unknown): void {
    for (const record of this.attempt) this.void(record);
    this.attempt = [];
    const lost = [...this.held];
    for (const record of lost) this.void(record);
    void this.dispose();
    if (lost.length > 0) this.host.heldBatchesLost(this.stage.name, lost.length, error);
  }

  /** Closes the current instance. */
  async dispose(): Promise<void> {
    const handler = this.handler;
    this.handler = undefined;
    try {
      await handler?.close?.();
    } catch (error) {
      this.context.logger.warn({ err: error }, 'stage.closeFailed');
    }
  }

  private hold(entry: ChainEntry<Meta>): Hold {
    const record: HoldRecord<Meta> = { entry, open: true };
    this.attempt.push(record);
    this.host.holdTaken(entry);
    return {
      release: () => {
        if (this.close(record)) this.host.holdReleased(entry);
      },
      fail: (error) => {
        if (!this.close(record)) return;
        entry.openHolds--;
        this.host.holdFailed(this.stage.name, error);
      },
    };
  }

  /** A hold that no longer counts: its attempt failed, or its instance is gone. */
  private void(record: HoldRecord<Meta>): void {
    if (this.close(record)) record.entry.openHolds--;
  }

  /** Closes a hold once; true when this call closed it. */
  private close(record: HoldRecord<Meta>): boolean {
    if (!record.open) return false;
    record.open = false;
    this.held.delete(record);
    return true;
  }
}
