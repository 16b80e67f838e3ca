import { createActor, type AnyActorRef } from 'xstate';
import { systemClock, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import { defaultLogger, type Logger } from '../internal/logger.ts';
import { Supervisor, defaultSupervisionStrategy } from '../supervision/supervisor.ts';
import type { ChainEntry, EntryKind } from './chain-entry.ts';
import type { AnyStage } from './pipeline.ts';
import type { ResolvedPipelineOptions } from './options.ts';
import type { FlushReason } from './stage.ts';
import { createStageMachine } from './stage.machine.ts';
import { StageWorker } from './stage-worker.ts';
import { PipelineTelemetry, type DeliveryMetrics, type PipelineIdentity } from './pipeline-telemetry.ts';

/** What a chain's owner decides: identity, initial state, and what happens at the end. @internal */
export interface StageChainDeps<Meta> {
  stages: readonly AnyStage[];
  options: ResolvedPipelineOptions;
  shardId?: string;
  /** Who the chain's OpenTelemetry instruments are of (the shard is added). */
  identity?: Omit<PipelineIdentity, 'shardId'>;
  /** Each stage's state from the last checkpoint, by stage name. */
  initialStates?: Record<string, unknown>;
  /** Hands the last stage's output on; the entry completes once this resolves. */
  deliver(items: unknown[], entry: ChainEntry<Meta>): Promise<unknown> | undefined;
  /** An entry completed; called in push order. */
  completed(entry: ChainEntry<Meta>): void;
  /** The chain failed: nothing after its last completed entry will complete. */
  failed(error: KinesisActorsError): void;
  /** The meta of a tick entry (e.g. the last checkpoint position). */
  tickMeta(): Meta;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Runs batches through a pipeline's stages, one supervised actor per stage, so stage N works on
 * one batch while stage N−1 works on the next. Completes entries strictly in order, which is
 * what lets the owner checkpoint after each. @internal
 */
export class StageChain<Meta> {
  private readonly workers: StageWorker<Meta>[];
  private readonly supervisor: Supervisor<AnyActorRef>;
  private readonly abort = new AbortController();
  private readonly pending: ChainEntry<Meta>[] = [];
  private readonly settlers = new Map<ChainEntry<Meta>, { resolve(entry: ChainEntry<Meta>): void; reject(error: unknown): void }>();
  private readonly waiters: Waiter[] = [];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly telemetry: PipelineTelemetry;
  private seq = 0;
  private inStages = 0;
  private tickTimer: unknown;
  private failure: KinesisActorsError | undefined;
  private closed = false;

  constructor(private readonly deps: StageChainDeps<Meta>) {
    const { options } = deps;
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? defaultLogger()).child({ component: 'pipeline', shardId: deps.shardId });
    const host = {
      shardId: deps.shardId,
      clock: this.clock,
      signal: this.abort.signal,
      stageTime: (stage: string, ms: number) => this.telemetry.stageTime(stage, ms),
      deliveries: (stage: string): DeliveryMetrics => {
        let metrics: DeliveryMetrics | undefined;
        // The telemetry is made after the workers it reads from.
        const bound = () => (metrics ??= this.telemetry.deliveries(stage));
        return { delivered: (records, bytes, ms) => bound().delivered(records, bytes, ms), deliveryFailed: (code, ms) => bound().deliveryFailed(code, ms) };
      },
      holdTaken: (entry: ChainEntry<Meta>) => entry.openHolds++,
      holdReleased: (entry: ChainEntry<Meta>) => {
        entry.openHolds--;
        this.completeReady();
      },
      holdFailed: (stage: string, error: unknown) => this.fail(new KinesisActorsError('PIPELINE_FAILED', `stage ${stage} could not finish a batch it held`, { cause: error })),
      heldBatchesLost: (stage: string, count: number, error: unknown) =>
        this.fail(new KinesisActorsError('PIPELINE_FAILED', `stage ${stage} failed while it held ${count} unfinished batch(es); they are read again from the last checkpoint`, { cause: error })),
    };
    this.workers = deps.stages.map((stage) => new StageWorker<Meta>(stage, host, this.logger, deps.initialStates?.[stage.name]));
    this.telemetry = new PipelineTelemetry({ pipelineName: options.name, ...deps.identity, shardId: deps.shardId }, this.workers.map((w) => ({ name: w.stage.name, counts: w.counts })), () => this.pending.length);
    this.supervisor = new Supervisor<AnyActorRef>({
      clock: this.clock,
      logger: this.logger,
      onEscalate: (id, error) => this.fail(new KinesisActorsError('PIPELINE_FAILED', `${id} kept failing`, { cause: error })),
    });
  }

  /** Creates every stage instance and starts its actor, then the ticks. */
  open(): void {
    const hasTick = this.workers.map((w) => w.hasTick).some(Boolean);
    this.workers.forEach((worker, index) => {
      const strategy = { ...defaultSupervisionStrategy, ...this.deps.options.supervision, ...worker.stage.supervision };
      this.supervisor.spawn({
        id: `stage:${worker.stage.name}`,
        strategy,
        create: () => createActor(createStageMachine(worker, (output) => this.stageDone(index, output))),
        onFailure: (error) => worker.failed(error),
      });
    });
    if (hasTick && this.deps.options.tickIntervalMs > 0) this.scheduleTick();
  }

  /** Entries pushed and not yet complete. */
  get size(): number {
    return this.pending.length;
  }

  /** The failure that stopped the chain, if any. */
  get error(): KinesisActorsError | undefined {
    return this.failure;
  }

  /**
   * Queues a batch once there is room. Resolves, once queued, with the promise of its
   * completion (in order with every other entry); rejects when the chain has failed or closed.
   */
  async push(items: readonly unknown[], meta: Meta, kind: EntryKind = 'records', flushReason?: FlushReason): Promise<{ done: Promise<ChainEntry<Meta>> }> {
    while (this.full()) {
      await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
    this.checkOpen();
    // Wrapped: an async function returning the promise itself would wait for completion.
    return { done: this.enqueue(items, meta, kind, flushReason) };
  }

  /** Flushes every stage in order and resolves once everything pushed before is complete. */
  async drain(meta: Meta, reason: FlushReason): Promise<void> {
    const { done } = await this.push([], meta, 'flush', reason);
    await done;
  }

  /** Stops every actor and timer; entries not complete are abandoned (read again by the next owner). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.telemetry.close();
    this.clock.clearTimeout(this.tickTimer);
    this.abort.abort();
    this.supervisor.stopAll();
    const error = this.failure ?? new KinesisActorsError('PIPELINE_CLOSED', 'the pipeline closed before this batch completed');
    this.rejectAll(error);
    await Promise.all(this.workers.map((w) => w.dispose()));
  }

  private enqueue(items: readonly unknown[], meta: Meta, kind: EntryKind, flushReason?: FlushReason): Promise<ChainEntry<Meta>> {
    const entry: ChainEntry<Meta> = { seq: this.seq++, kind, meta, flushReason, states: {}, openHolds: 0, throughStages: false, delivered: false, result: undefined };
    const done = new Promise<ChainEntry<Meta>>((resolve, reject) => this.settlers.set(entry, { resolve, reject }));
    done.catch(() => {});
    this.pending.push(entry);
    this.inStages++;
    if (this.workers.length === 0) this.stageDone(-1, [...items], entry);
    else this.handTo(0, entry, items);
    return done;
  }

  private handTo(index: number, entry: ChainEntry<Meta>, items: readonly unknown[]): void {
    this.workers[index].queue.push({ entry, items });
    const actor = this.supervisor.get(`stage:${this.workers[index].stage.name}`);
    // A failed actor waits for its restart, which picks the queue up.
    if (actor?.getSnapshot().status === 'active') actor.send({ type: 'stage.wake' });
  }

  private stageDone(index: number, output: unknown[], given?: ChainEntry<Meta>): void {
    const entry = given ?? this.workers[index].shiftHead().entry;
    if (this.failure || this.closed) return;
    if (index + 1 < this.workers.length) return this.handTo(index + 1, entry, output);
    entry.throughStages = true;
    this.inStages--;
    this.wakeWaiters();
    const delivery = this.deps.deliver(output, entry);
    if (!delivery) {
      entry.delivered = true;
      return this.completeReady();
    }
    delivery.then(
      (result) => {
        entry.result = result;
        entry.delivered = true;
        this.completeReady();
      },
      (error: unknown) => this.fail(new KinesisActorsError('PIPELINE_FAILED', 'delivering the output of the last stage failed', { cause: error })),
    );
  }

  private completeReady(): void {
    while (!this.failure && this.pending.length > 0) {
      const head = this.pending[0];
      if (!head.throughStages || !head.delivered || head.openHolds > 0) break;
      this.pending.shift();
      const settler = this.settlers.get(head)!;
      this.settlers.delete(head);
      try {
        this.deps.completed(head);
      } catch (error) {
        settler.reject(error);
        this.fail(new KinesisActorsError('PIPELINE_FAILED', 'completing a batch failed', { cause: error }));
        return;
      }
      settler.resolve(head);
    }
    this.wakeWaiters();
  }

  private full(): boolean {
    return !this.failure && !this.closed && (this.inStages >= this.deps.options.maxInFlightBatches || this.pending.length >= this.deps.options.maxHeldBatches);
  }

  private wakeWaiters(): void {
    while (this.waiters.length > 0 && !this.full()) this.waiters.shift()!.resolve();
  }

  private checkOpen(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new KinesisActorsError('PIPELINE_CLOSED', 'the pipeline is closed');
  }

  private scheduleTick(): void {
    this.tickTimer = this.clock.setTimeout(() => {
      if (this.closed || this.failure) return;
      // A busy chain skips the tick rather than queue behind the records it is working on.
      if (this.inStages === 0) this.enqueue([], this.deps.tickMeta(), 'tick');
      this.scheduleTick();
    }, this.deps.options.tickIntervalMs);
  }

  private fail(error: KinesisActorsError): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    this.logger.error({ err: error }, 'pipeline.failed');
    this.clock.clearTimeout(this.tickTimer);
    this.abort.abort();
    this.supervisor.stopAll();
    this.rejectAll(error);
    // The instances go too: a sink's timer must not write for a pipeline that is gone.
    for (const worker of this.workers) void worker.dispose();
    this.deps.failed(error);
  }

  private rejectAll(error: unknown): void {
    for (const settler of this.settlers.values()) settler.reject(error);
    this.settlers.clear();
    this.pending.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
