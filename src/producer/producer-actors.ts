import { assign, createActor, fromPromise, type AnyActorRef } from 'xstate';
import type { CauseLog } from '../internal/cause-log.ts';
import type { Clock } from '../internal/clock.ts';
import type { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import type { KinesisApi, StreamSummary } from '../kinesis/kinesis-api.ts';
import { metricCode } from '../kinesis/kinesis-errors.ts';
import type { Logger } from '../internal/logger.ts';
import type { Supervisor } from '../supervision/supervisor.ts';
import type { Batch } from './batch.ts';
import type { ProducerEvents } from './events.ts';
import type { MetricsRecorder } from './metrics.ts';
import type { ResolvedProducerOptions } from './options.ts';
import { producerRootMachine } from './producer.machine.ts';
import type { RecordLimit } from './record-limit.ts';
import type { RecordSettler } from './record-settler.ts';
import { releaseFrames } from './release-frames.ts';
import { shardBufferMachine, type ShardBufferSendEvent } from './shard-buffer.machine.ts';
import { loadShardMap, type ShardMap } from './shard-map.ts';
import { shardActorId, type ShardRouter, type ShardState } from './shard-router.ts';

/**
 * How early a shard's linger timer may fire by the clock. Node runs a timer by its event loop's
 * time, which lags the clock by the work of the turn that set the timer; what a timer finds due
 * within this counts as due, rather than costing its actor another timer and turn.
 */
const TIMER_SLACK_MS = 1;

/** What the producer's actors are given. @internal */
export interface ProducerActorsDeps {
  options: ResolvedProducerOptions;
  clock: Clock;
  logger: Logger;
  causeLog: CauseLog;
  metrics: MetricsRecorder;
  events: InstrumentationEmitter<ProducerEvents>;
  kinesis: KinesisApi;
  supervisor: Supervisor<AnyActorRef>;
  router: ShardRouter;
  settler: RecordSettler;
  /** The largest user record, learned from the stream before the first shard map. */
  recordLimit: RecordLimit;
  /** The batch sender; rejects only when the sending broke. */
  send(batch: Batch): Promise<void>;
  /** True while the producer drains: everything goes out without lingering. */
  draining(): boolean;
}

/**
 * The producer's supervised actors, each given its implementation: the root, which keeps the
 * shard map, and one buffer actor per shard of the map, which cuts batches from its shard's
 * buffer and hands them to the batch sender.
 * @internal
 */
export class ProducerActors {
  constructor(private readonly deps: ProducerActorsDeps) {}

  /** Starts the root; it loads the shard map, and the shard actors start from it. */
  start(): void {
    this.deps.supervisor.spawn({ id: 'producer', create: () => this.createRoot() });
  }

  private createRoot(): AnyActorRef {
    const { options, clock, kinesis } = this.deps;
    const logic = producerRootMachine.provide({
      actors: {
        loadShardMap: fromPromise<ShardMap, { version: number }>(async ({ input }) => {
          if (!this.deps.recordLimit.learned) this.learnRecordLimit(await kinesis.describeStreamSummary(options.stream));
          return loadShardMap(kinesis, options.stream, input.version);
        }),
      },
      actions: {
        applyMap: (_, { map }) => this.applyMap(map),
        loadFailed: (_, { error, attempt }) => this.loadFailed(error as Error, attempt),
      },
    });
    return createActor(logic, {
      input: { retryBaseDelay: options.retryBaseDelayMs, retryMaxDelay: options.retryMaxDelayMs },
      clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h) },
    });
  }

  /** Installs a new shard map: starts actors for new shards, stops those of closed ones, re-routes their records. */
  applyMap(map: ShardMap): void {
    const { router, supervisor, logger, events } = this.deps;
    const change = router.installMap(map);
    for (const state of change.added) {
      supervisor.spawn({
        id: shardActorId(state.buffer.shardId),
        create: () => this.createShardActor(state),
        onFailure: () => {
          if (state.inFlight) router.requeueBatch(state, state.inFlight);
        },
      });
    }
    for (const state of change.closed) supervisor.stop(shardActorId(state.buffer.shardId));
    router.reroute(change);
    logger.info({ shards: map.shards.length, version: map.version }, 'producer.shardMap');
    events.emit('producer.shardMap', { version: map.version, shardIds: map.shards.map((s) => s.shardId) });
  }

  /**
   * Takes in the stream's record limit before the first shard map: batches are sized after it,
   * and the records put meanwhile (all unrouted, none sent yet) that are over it fail now.
   */
  private learnRecordLimit(summary: StreamSummary): void {
    const { recordLimit, router, settler, logger, options } = this.deps;
    const bytes = recordLimit.learn(summary);
    router.applyRecordLimit();
    router.keepUnrouted((record) => {
      if (record.settled || record.size <= bytes) return !record.settled;
      settler.fail(record, recordLimit.tooLarge(record.size));
      return false;
    });
    const context = { maxRecordSizeInKiB: summary.MaxRecordSizeInKiB, streamLimit: recordLimit.streamLimit, recordLimit: bytes };
    if (options.maxUserRecordSize !== undefined && options.maxUserRecordSize > bytes) logger.warn({ ...context, maxUserRecordSize: options.maxUserRecordSize }, 'producer.recordLimitLowered');
    else logger.info(context, 'producer.recordLimit');
  }

  /** `error` is classified by the Kinesis boundary, or a programming error. */
  private loadFailed(error: Error, attempt: number): void {
    const { causeLog, logger, metrics, settler } = this.deps;
    if (!causeLog.warn('producer.shardMapFailed', error, { attempt })) logger.debug({ err: error, attempt }, 'producer.shardMapFailed');
    metrics.error(metricCode(error));
    settler.expireUnrouted(releaseFrames(error));
  }

  private createShardActor(state: ShardState): AnyActorRef {
    const { options, clock, logger, metrics, events, router } = this.deps;
    const { shardId } = state.buffer;
    const send = this.deps.send;
    const sendInFlight = async (batch: Batch): Promise<void> => {
      state.inFlight = batch;
      try {
        await send(batch);
      } finally {
        if (state.inFlight === batch) state.inFlight = undefined;
      }
    };
    const logic = shardBufferMachine.provide({
      actions: {
        cutBatch: assign({
          batch: ({ context, event }) => this.cut(state, context.forced || this.deps.draining(), event.type.startsWith('xstate.after.') ? TIMER_SLACK_MS : 0),
        }),
        requeueBatch: (_, { batch, error }) => {
          logger.warn({ err: error, shardId, userRecords: batch.userRecords }, 'shardBuffer.flushFailed');
          router.requeueBatch(state, batch);
          metrics.error('FlushFailed');
          events.emit('producer.flushFailed', { shardId, userRecords: batch.userRecords, error });
        },
        startSend: ({ context, self }) => {
          // Reported only to an actor still running. One stopped meanwhile hears nothing, as an
          // invoked send's result went nowhere once its actor stopped: after a failure its
          // supervisor re-queued the batch in flight; a closed shard's records are routed again.
          const report = (event: ShardBufferSendEvent) => {
            if (self.getSnapshot().status === 'active') self.send(event);
          };
          sendInFlight(context.batch!).then(
            () => report({ type: 'shardBuffer.sent' }),
            (error: unknown) => report({ type: 'shardBuffer.sendFailed', error }),
          );
        },
      },
      guards: { hasRecords: () => state.buffer.size > 0 },
      delays: { untilDue: () => router.dueIn(state) },
    });
    return createActor(logic, {
      input: { shardId, retryBaseDelay: options.retryBaseDelayMs, retryMaxDelay: options.retryMaxDelayMs, maxConsecutiveFailures: 5 },
      clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h) },
    });
  }

  /**
   * Cuts the next batch of a shard, unless `force` only when something is due or the buffer is
   * full; what falls due within `slackMs` counts as due.
   */
  private cut(state: ShardState, force: boolean, slackMs: number): Batch | undefined {
    const { clock, router, settler } = this.deps;
    const now = clock.now();
    const dueBy = now + slackMs;
    if (!router.isDue(state, force, dueBy)) return undefined;
    for (;;) {
      const batch = router.cut(state, dueBy);
      if (!batch) return undefined;
      if (!settler.expireDue(batch, now)) return batch;
      // Rare: rebuild the batch from what is still live, so group sizes stay exact.
      router.putBack(state, batch);
    }
  }
}
