import { createActor, type AnyActorRef } from 'xstate';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { systemClock, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import { defaultLogger, type Logger } from '../internal/logger.ts';
import { createKinesisClient } from '../aws/clients.ts';
import type { KinesisApi } from '../kinesis/kinesis-api.ts';
import { metricCode } from '../kinesis/kinesis-errors.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';
import { CauseLog } from '../internal/cause-log.ts';
import { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import { Supervisor } from '../supervision/supervisor.ts';
import { acceptUserRecord } from './accept.ts';
import { releaseBytes } from './byte-arena.ts';
import { HashKeyCache } from '../codec/hash-key-cache.ts';
import { Admission } from './backpressure.ts';
import type { ProducerEvents } from './events.ts';
import { createFlushStage } from './flush-stage.ts';
import { RequestCollector } from './request-collector.ts';
import { MetricsRecorder, observe, type ProducerMetrics } from './metrics.ts';
import { releaseFrames } from './release-frames.ts';
import { resolveProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './options.ts';
import { producerRootMachine } from './producer.machine.ts';
import { loadShardMap, type ShardMap } from './shard-map.ts';
import { ShardRouter } from './shard-router.ts';
import type { PutOptions, PutResult, UserRecord } from './user-record.ts';
import { createEncodePool, type EncodePool } from './worker-pool.ts';

/** Access to internals for the test kit; not part of the public API. @internal */
export const producerInternals = Symbol('producerInternals');

const noop = () => {};

/**
 * How long a batch that is ready waits for the batches of other shards to share its request:
 * a tenth of the linger time, at most 10 ms, so it adds little to any record's latency.
 */
function collectionHoldMs(lingerMs: number): number {
  return Math.min(10, Math.floor(lingerMs / 10));
}

/**
 * A Kinesis producer: `put()` returns at once; supervised actors buffer, aggregate, compress and
 * send; `close()` resolves once every accepted record has its final result.
 */
export class Producer {
  private readonly options: ResolvedProducerOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** Warnings about failures, once per distinct cause rather than per record or attempt. */
  private readonly causeLog: CauseLog;
  private readonly kinesis: KinesisApi;
  /** The client built from the options, destroyed on close; a client the caller gave stays theirs. */
  private readonly ownClient: KinesisClient | undefined;
  private readonly pool: EncodePool;
  private readonly metricsRecorder = new MetricsRecorder();
  private readonly events = new InstrumentationEmitter<ProducerEvents>();
  private readonly hashKeys = new HashKeyCache();
  private readonly admission: Admission<UserRecord>;
  private readonly supervisor: Supervisor<AnyActorRef>;
  private readonly router: ShardRouter;
  private readonly root: AnyActorRef;
  private refreshWaiters: ((map: ShardMap) => void)[] = [];
  private metricsTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private draining = false;
  private drained: (() => void) | undefined;
  private failure: KinesisActorsError | undefined;

  /** @internal Use {@link createProducer}. */
  constructor(options: ProducerOptions) {
    this.options = resolveProducerOptions(options);
    const o = this.options;
    this.clock = o.clock ?? systemClock;
    this.logger = (o.logger ?? defaultLogger()).child({ component: 'producer', streamName: o.streamName });
    this.causeLog = new CauseLog(this.logger, this.clock);
    const client = o.kinesis ?? createKinesisClient({ ...o.connection, maxConnections: o.maxConnections, requestTimeout: o.requestTimeout });
    this.ownClient = o.kinesis ? undefined : client;
    this.kinesis = new SdkKinesisApi(client);
    this.pool = createEncodePool(o.workerThreads);
    this.admission = new Admission<UserRecord>(o, this.clock, {
      admit: (record) => this.admitWaited(record),
      turnAway: (record, error) => this.turnAway(record, error),
    });
    this.supervisor = new Supervisor<AnyActorRef>({
      clock: this.clock,
      logger: this.logger,
      onEscalate: (id, error) => this.escalate(id, error),
      onRestart: (id, error, attempt) => {
        this.metricsRecorder.values.Restarts++;
        this.events.emit('producer.restart', { actor: id, attempt, error });
      },
    });
    const collector = new RequestCollector(
      (entries) => this.kinesis.putRecords(o.streamName, entries),
      this.clock,
      { maxEntries: o.collectionMaxCount, maxBytes: o.collectionMaxSize, holdMs: collectionHoldMs(o.recordMaxBufferedTime) },
    );
    const flush = createFlushStage({
      options: o,
      collector,
      pool: this.pool,
      clock: this.clock,
      metrics: this.metricsRecorder,
      events: this.events,
      limiter: (shardId) => this.router.limiterOf(shardId),
      succeed: (record, shardId, sequenceNumber, subSequenceNumber) => this.succeed(record, shardId, sequenceNumber, subSequenceNumber),
      retryOrFail: (records, error) => this.router.retryOrFail(records, error),
      refreshShardMap: () => this.refreshShardMap(),
    });
    this.router = new ShardRouter({
      options: o,
      clock: this.clock,
      logger: this.logger,
      supervisor: this.supervisor,
      flush,
      fail: (record, error) => this.fail(record, error),
      draining: () => this.draining,
      requestRefresh: () => this.supervisor.get('producer')?.send({ type: 'producer.refreshShardMap' }),
      flushFailed: (shardId, userRecords, error) => {
        this.metricsRecorder.error('FlushFailed');
        this.events.emit('producer.flushFailed', { shardId, userRecords, error });
      },
    });
    this.root = this.supervisor.spawn({ id: 'producer', create: () => this.createRoot() });
    if (o.metricsInterval > 0) {
      this.metricsTimer = setInterval(() => {
        if (this.events.has('producer.metrics')) this.events.emit('producer.metrics', this.metrics());
      }, o.metricsInterval);
      this.metricsTimer.unref();
    }
  }

  private createRoot(): AnyActorRef {
    const actor = createActor(producerRootMachine, {
      input: {
        load: (version) => loadShardMap(this.kinesis, this.options.streamName, version),
        apply: (map) => {
          this.router.applyMap(map);
          this.logger.info({ shards: map.shards.length, version: map.version }, 'producer.shardMap');
          this.events.emit('producer.shardMap', { version: map.version, shardIds: map.shards.map((s) => s.shardId) });
          const waiters = this.refreshWaiters;
          this.refreshWaiters = [];
          for (const resolve of waiters) resolve(map);
        },
        loadFailed: (thrown, attempt) => {
          // Classified by the Kinesis boundary, or a programming error.
          const error = thrown as Error;
          if (!this.causeLog.warn('producer.shardMapFailed', error, { attempt })) this.logger.debug({ err: error, attempt }, 'producer.shardMapFailed');
          this.metricsRecorder.error(metricCode(error));
          this.router.expireUnrouted(releaseFrames(error));
        },
        retryBaseDelay: this.options.retryBaseDelay,
        retryMaxDelay: this.options.retryMaxDelay,
      },
      clock: { setTimeout: (fn, ms) => this.clock.setTimeout(fn, ms), clearTimeout: (h) => this.clock.clearTimeout(h) },
    });
    return actor;
  }

  /**
   * Accepts a user record and returns at once with the promise of its final result. Values that
   * are not bytes go through the serializer (JSON by default). Invalid input, a closed producer,
   * a full producer in 'reject' mode, or a full waiting line in 'wait' mode (or a wait in it
   * longer than `maxBackpressureWait`) reject this call only, with a typed error.
   *
   * @example
   * const result = await producer.put({ page: '/home' }, { partitionKey: userId });
   * result.shardId; // 'shardId-000000000001'
   */
  put(value: unknown, options: PutOptions): Promise<PutResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new KinesisActorsError('PRODUCER_CLOSED', 'put() was called after close()'));
    let record: UserRecord;
    try {
      record = acceptUserRecord(value, options, this.options, this.hashKeys, this.clock.now());
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.admission.hasRoom(record.size)) {
      this.admission.acquire(record.size);
      this.accept(record);
    } else {
      try {
        this.admission.wait(record);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return record.promise;
  }

  private accept(record: UserRecord): void {
    const m = this.metricsRecorder.values;
    m.UserRecordsReceived++;
    m.UserRecordsPending++;
    this.router.route(record);
  }

  /** A put that waited in line enters its shard buffer. */
  private admitWaited(record: UserRecord): void {
    // Its time to live starts here: the wait in line is bounded by maxBackpressureWait on its own.
    record.deadline = this.clock.now() + this.options.recordTtl;
    this.accept(record);
  }

  /** A put that waited in line for maxBackpressureWait without finding room. */
  private turnAway(record: UserRecord, error: KinesisActorsError): void {
    record.settled = true;
    // As for a failure: a caller that fired and forgot must not crash on the rejection.
    record.promise.catch(noop);
    record.reject(error);
    this.checkDrained();
  }

  private succeed(record: UserRecord, shardId: string, sequenceNumber: string, subSequenceNumber: number): void {
    if (record.settled) return;
    record.settled = true;
    const m = this.metricsRecorder.values;
    m.UserRecordsPut++;
    m.UserRecordsDataPut += record.size;
    observe(m.RetriesPerRecord, record.attempts - 1);
    this.settled(record);
    record.resolve({ shardId, sequenceNumber, subSequenceNumber, attempts: record.attempts });
  }

  private fail(record: UserRecord, error: Error): void {
    if (record.settled) return;
    record.settled = true;
    const m = this.metricsRecorder.values;
    if ((error as KinesisActorsError).code === 'RECORD_EXPIRED') {
      m.UserRecordExpired++;
      const cause = error.cause instanceof Error ? error.cause : error;
      this.causeLog.warn('producer.recordsExpired', cause, { recordTtl: this.options.recordTtl, attempts: record.attempts });
    }
    observe(m.RetriesPerRecord, Math.max(0, record.attempts - 1));
    this.settled(record);
    if (this.events.has('producer.recordFailed')) this.events.emit('producer.recordFailed', { partitionKey: record.partitionKey, attempts: record.attempts, error });
    // A caller that fires and forgets must not crash on an unhandled rejection; the failure is
    // in the metrics and the instrumentation events, and awaiting callers still see it.
    record.promise.catch(noop);
    record.reject(error);
  }

  private settled(record: UserRecord): void {
    releaseBytes(record);
    this.metricsRecorder.values.UserRecordsPending--;
    this.admission.release(record.size);
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.drained && this.admission.records === 0 && this.admission.waiting === 0) this.drained();
  }

  private refreshShardMap(): Promise<ShardMap> {
    return new Promise((resolve) => {
      this.refreshWaiters.push(resolve);
      this.supervisor.get('producer')?.send({ type: 'producer.refreshShardMap' });
    });
  }

  private escalate(id: string, error: unknown): void {
    this.failure = error as KinesisActorsError;
    this.logger.error({ err: error, actor: id }, 'producer.failed');
    for (const record of this.router.unsettled()) this.fail(record, this.failure);
  }

  /**
   * Sends everything buffered now, without waiting for linger time, and resolves once every
   * record accepted before the call has its final result.
   */
  async flush(): Promise<void> {
    const pending = this.router.unsettled().map((r) => r.promise.then(noop, noop));
    this.router.flushAll();
    await Promise.all(pending);
  }

  /**
   * Stops accepting, sends everything accepted (and the puts waiting in line, as they are
   * admitted within `maxBackpressureWait`), closes the worker pool and the client it built, and
   * resolves when every accepted record has its final result. Idempotent: every call returns
   * the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.logger.info({ outstanding: this.admission.records, waiting: this.admission.waiting }, 'producer.closing');
    this.draining = true;
    const drained = new Promise<void>((resolve) => {
      this.drained = resolve;
    });
    if (this.admission.records === 0 && this.admission.waiting === 0) this.drained!();
    this.router.flushAll();
    await drained;
    const steps: [string, () => unknown][] = [
      ['metrics', () => clearInterval(this.metricsTimer)],
      ['actors', () => this.supervisor.stopAll()],
      ['pool', () => this.pool.close()],
      ['client', () => this.ownClient?.destroy()],
    ];
    for (const [step, run] of steps) {
      try {
        await run();
      } catch (error) {
        this.logger.error({ err: error, step }, 'producer.closeStepFailed');
      }
    }
    this.logger.info(this.metricsRecorder.values, 'producer.closed');
  }

  /** A snapshot of the KPL-named metrics. */
  metrics(): ProducerMetrics {
    return this.metricsRecorder.snapshot();
  }

  /** Records and bytes accepted without a final result yet, and puts waiting for room. */
  get outstanding(): { records: number; bytes: number; waiting: number } {
    return { records: this.admission.records, bytes: this.admission.bytes, waiting: this.admission.waiting };
  }

  /** Buffered records per predicted shard. */
  bufferedByShard(): Record<string, number> {
    return this.router.bufferedByShard();
  }

  /** Subscribes to an instrumentation event; returns the function that unsubscribes. */
  on<K extends keyof ProducerEvents>(event: K, listener: (payload: ProducerEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** For tests that kill a worker thread under load. @internal */
  get [producerInternals](): { pool: EncodePool } {
    return { pool: this.pool };
  }
}

/**
 * Creates a producer for one stream. Options are validated here; a bad one throws an
 * `InvalidOptionError` naming it.
 *
 * @example
 * const producer = createProducer({ streamName: 'clicks', connection: { region: 'eu-west-1' } });
 * producer.put({ page: '/home', at: Date.now() }, { partitionKey: 'user-42' });
 * process.once('SIGTERM', () => producer.close());
 */
export function createProducer(options: ProducerOptions): Producer {
  return new Producer(options);
}
