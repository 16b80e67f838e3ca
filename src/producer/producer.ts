import type { AnyActorRef } from 'xstate';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { systemClock, type Clock } from '../internal/clock.ts';
import { InvalidRecordError, KinesisActorsError } from '../errors.ts';
import { defaultLogger, type Logger } from '../internal/logger.ts';
import { createKinesisClient } from '../aws/clients.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';
import { CauseLog } from '../internal/cause-log.ts';
import { InstrumentationEmitter } from '../internal/instrumentation-emitter.ts';
import { Supervisor } from '../supervision/supervisor.ts';
import { HashKeyCache } from '../codec/hash-key-cache.ts';
import { acceptUserRecord, readUserRecord, withPromise } from './accept.ts';
import { Admission } from './backpressure.ts';
import { createBatchSender } from './batch-sender.ts';
import type { ProducerEvents } from './events.ts';
import { MetricsRecorder, observe, type ProducerMetrics } from './metrics.ts';
import { resolveProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './options.ts';
import { ProducerActors } from './producer-actors.ts';
import { ProducerTelemetry } from './producer-telemetry.ts';
import { RecordLimit } from './record-limit.ts';
import { RecordSettler, rejectUserRecord } from './record-settler.ts';
import { RequestCollector } from './request-collector.ts';
import { ShardRouter } from './shard-router.ts';
import { PutGroup, type PutManyResult } from './put-group.ts';
import type { PutEntry, PutOptions, PutResult, UserRecord } from './user-record.ts';
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
 *
 * A record's way: `put()` → {@link Admission} → {@link ShardRouter} (its shard's buffer) → the
 * shard's buffer actor ({@link ProducerActors}) → the batch sender → {@link RequestCollector}
 * (PutRecords) → {@link RecordSettler}, which settles its promise or sends it back to the router.
 */
export class Producer {
  private readonly options: ResolvedProducerOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** The client built from the options, destroyed on close; a client the caller gave stays theirs. */
  private readonly ownClient: KinesisClient | undefined;
  private readonly pool: EncodePool;
  private readonly metricsRecorder = new MetricsRecorder();
  private readonly events = new InstrumentationEmitter<ProducerEvents>();
  private readonly hashKeys = new HashKeyCache();
  private readonly supervisor: Supervisor<AnyActorRef>;
  private readonly router: ShardRouter;
  private readonly admission: Admission<UserRecord>;
  private readonly settler: RecordSettler;
  private readonly telemetry: ProducerTelemetry;
  private readonly recordLimit: RecordLimit;
  private metricsTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private draining = false;
  private failure: KinesisActorsError | undefined;

  /** @internal Use {@link createProducer}. */
  constructor(options: ProducerOptions) {
    const o = (this.options = resolveProducerOptions(options));
    const clock = (this.clock = o.clock ?? systemClock);
    const logger = (this.logger = (o.logger ?? defaultLogger()).child({ component: 'producer', streamName: o.streamName }));
    const metrics = this.metricsRecorder;
    const events = this.events;
    const client = o.kinesis ?? createKinesisClient({ ...o.connection, maxConnections: o.maxConnections, requestTimeout: o.requestTimeout });
    this.ownClient = o.kinesis ? undefined : client;
    const kinesis = new SdkKinesisApi(client);
    const pool = (this.pool = createEncodePool(o.workerThreads));
    // Warnings about failures, once per distinct cause rather than per record or attempt.
    const causeLog = new CauseLog(logger, clock);
    // The parent of every actor: escalation comes back up here, once the actors below exist.
    const supervisor = (this.supervisor = new Supervisor<AnyActorRef>({
      clock,
      logger,
      onEscalate: (id, error) => this.escalate(id, error),
      onRestart: (id, error, attempt) => {
        metrics.values.Restarts++;
        events.emit('producer.restart', { actor: id, attempt, error });
      },
    }));
    const recordLimit = (this.recordLimit = new RecordLimit(o.maxUserRecordSize, o.maxOutstandingBytes));
    const router = (this.router = new ShardRouter({ options: o, clock, supervisor, recordLimit }));
    const admission = (this.admission = new Admission<UserRecord>(o, clock, {
      admit: (record) => this.admitWaited(record),
      turnAway: (record, error) => {
        if (this.events.has('producer.recordFailed')) this.events.emit('producer.recordFailed', { partitionKey: record.partitionKey, attempts: 0, error });
        rejectUserRecord(record, error);
      },
    }));
    const telemetry = (this.telemetry = new ProducerTelemetry(o.streamName, metrics));
    const settler = (this.settler = new RecordSettler({ options: o, clock, metrics, events, causeLog, admission, router, telemetry }));
    const collector = new RequestCollector(
      kinesis,
      o.stream,
      clock,
      { maxEntries: o.collectionMaxCount, maxBytes: o.collectionMaxSize, holdMs: collectionHoldMs(o.recordMaxBufferedTime) },
      (ms, kinesisRecords, userRecords) => {
        observe(metrics.values.RequestTime, ms);
        telemetry.request(ms, kinesisRecords, userRecords);
      },
    );
    const send = createBatchSender({ options: o, collector, pool, clock, metrics, events, router, settler, telemetry });
    const actors = new ProducerActors({ options: o, clock, logger, causeLog, metrics, events, kinesis, supervisor, router, settler, recordLimit, send, draining: () => this.draining });
    actors.start();
    if (o.metricsIntervalMs > 0) {
      this.metricsTimer = setInterval(() => {
        if (events.has('producer.metrics')) events.emit('producer.metrics', this.metrics());
      }, o.metricsIntervalMs);
      this.metricsTimer.unref();
    }
  }

  /**
   * Accepts a user record and returns at once with the promise of its final result. Values that
   * are not bytes go through the serializer (JSON by default). Invalid input, a closed producer,
   * a full producer in 'reject' mode, or a full waiting line in 'wait' mode (or a wait in it
   * longer than `maxBackpressureWaitMs`) reject this call only, with a typed error.
   *
   * @example
   * const result = await producer.put({ page: '/home' }, { partitionKey: userId });
   * result.shardId; // 'shardId-000000000001'
   */
  put(value: unknown, options: PutOptions): Promise<PutResult> {
    let record: UserRecord;
    try {
      this.checkOpen('put');
      record = acceptUserRecord(value, options, this.options, this.hashKeys, this.clock.now(), this.recordLimit);
      this.enter(record);
    } catch (error) {
      return Promise.reject(error);
    }
    return record.promise!;
  }

  /**
   * `put()` for a caller that does not wait for each record: no promise and no result object is
   * made, which halves what a record costs the calling thread. What `put()` would reject at once
   * (invalid input, a closed producer, no room in 'reject' mode or a full waiting line) is thrown
   * here; a record that fails later (retries or time to live used up, turned away after waiting)
   * is counted in the metrics and reported by the `producer.recordFailed` event. `flush()` and
   * `close()` wait for these records as for any other.
   *
   * @example
   * producer.on('producer.recordFailed', ({ partitionKey, error }) => log.warn({ partitionKey, err: error }, 'click lost'));
   * producer.send({ page: '/home' }, { partitionKey: userId });
   */
  send(value: unknown, options: PutOptions): void {
    this.checkOpen('send');
    this.enter(readUserRecord(value, options, this.options, this.hashKeys, this.clock.now(), this.recordLimit));
  }

  /**
   * Puts many records with one promise, as kafkajs's `send({ messages })`: it resolves once every
   * record has its final result, with how many were put and which failed for good (by index),
   * and never rejects for a record that failed after it was accepted. The call is accepted
   * whole or not at all: an invalid record rejects it with the error of that record, its index
   * in the message (`records[3]: partitionKey must be…`), and so does a lack of room that
   * `put()` would reject for (in 'wait' mode, records that find no room wait in line in order).
   *
   * @example
   * const { put, failed } = await producer.putMany(clicks.map((click) => ({ value: click, partitionKey: click.user })));
   */
  putMany(entries: readonly PutEntry[]): Promise<PutManyResult> {
    try {
      this.checkOpen('putMany');
      if (!Array.isArray(entries)) throw new InvalidRecordError('INVALID_RECORDS', `putMany() takes an array of { value, partitionKey } (got ${entries === null ? 'null' : typeof entries})`);
      const now = this.clock.now();
      const records = new Array<UserRecord>(entries.length);
      for (let i = 0; i < entries.length; i++) records[i] = this.readEntry(entries[i], i, now);
      if (!this.admission.admitsAll(records)) throw this.admission.fullError;
      const group = new PutGroup(records);
      for (const record of records) this.enter(record);
      return group.promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private readEntry(entry: PutEntry, index: number, now: number): UserRecord {
    if (typeof entry !== 'object' || entry === null) {
      throw new InvalidRecordError('INVALID_RECORDS', `records[${index}] must be an object { value, partitionKey } (got ${entry === null ? 'null' : typeof entry})`);
    }
    try {
      return readUserRecord(entry.value, entry, this.options, this.hashKeys, now, this.recordLimit);
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      throw new InvalidRecordError(error.code, `records[${index}]: ${error.message}`, error.cause);
    }
  }

  /** Throws why no record can be accepted, if none can. */
  private checkOpen(method: string): void {
    if (this.failure) throw this.failure;
    if (this.closing) throw new KinesisActorsError('PRODUCER_CLOSED', `${method}() was called after close()`);
  }

  /** Admits a record now, or queues it in line ('wait' mode), or throws `BACKPRESSURE`. */
  private enter(record: UserRecord): void {
    if (this.admission.hasRoom(record.size)) {
      this.admission.acquire(record.size);
      this.accept(record);
    } else {
      this.admission.wait(record);
    }
  }

  private accept(record: UserRecord): void {
    const m = this.metricsRecorder.values;
    m.UserRecordsReceived++;
    m.UserRecordsPending++;
    // Only a put that waited in line since before the stream's limit was learned can be over it.
    if (record.size > this.recordLimit.bytes) this.settler.fail(record, this.recordLimit.tooLarge(record.size));
    else this.router.route(record);
  }

  /** A put that waited in line enters its shard buffer. */
  private admitWaited(record: UserRecord): void {
    // Its time to live starts here: the wait in line is bounded by maxBackpressureWaitMs on its own.
    record.deadline = this.clock.now() + this.options.recordTtl;
    this.accept(record);
  }

  private escalate(id: string, error: unknown): void {
    this.failure = error as KinesisActorsError;
    this.logger.error({ err: error, actor: id }, 'producer.failed');
    for (const record of this.router.unsettled()) this.settler.fail(record, this.failure);
  }

  /**
   * Sends everything buffered now, without waiting for linger time, and resolves once every
   * record accepted before the call has its final result.
   */
  async flush(): Promise<void> {
    // Records of send() and putMany() get a promise only now, for this wait.
    const pending = this.router.unsettled().map((r) => withPromise(r).promise!.then(noop, noop));
    this.router.flushAll();
    await Promise.all(pending);
  }

  /**
   * Stops accepting, sends everything accepted (and the puts waiting in line, as they are
   * admitted within `maxBackpressureWaitMs`), closes the worker pool and the client it built, and
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
    const drained = this.admission.whenIdle();
    this.router.flushAll();
    await drained;
    const steps: [string, () => unknown][] = [
      ['metrics', () => clearInterval(this.metricsTimer)],
      ['actors', () => this.supervisor.stopAll()],
      ['pool', () => this.pool.close()],
      ['client', () => this.ownClient?.destroy()],
      ['telemetry', () => this.telemetry.close()],
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
